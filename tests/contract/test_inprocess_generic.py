"""The generic resources (`sps_object`, `sps_settings`) and `data "sps_object"` through the
provider's servicer, in process, against a real simulator: create, plan without change, read with
appliance-added fields, update keeping what the body does not name, out-of-band drift, import,
destroy; references answered as `{key, meta}` normalized to keys; the refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.inprocess import commit

COLLECTION = "policies/analytics"
SINGLETON = "management/health_monitoring"
KNOWN = {"catalog_validation": True}
"""What a state says of a path the catalog knows when the configuration leaves the flag unset."""


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[RunningSimulator]:
    s = start_simulator(tmp_path)
    yield s
    s.stop()


@pytest.fixture
def provider(sim: RunningSimulator) -> Iterator[InProcessProvider]:
    p = InProcessProvider(sim)
    yield p
    p.close()


def held(sim: RunningSimulator, path: str, key: str | None = None) -> Any:
    url = f"{sim.url}/api/configuration/{path}" + (f"/{key}" if key else "")
    return sim.session().get(url).json()["body"]


def out_of_band(sim: RunningSimulator, path: str, body: Any) -> None:
    session = sim.session()
    session.post(f"{sim.url}/api/transaction").raise_for_status()
    session.put(f"{sim.url}/api/configuration/{path}", json=body).raise_for_status()
    commit(sim, session)


def test_object_lifecycle(sim: RunningSimulator, provider: InProcessProvider) -> None:
    config = {"path": COLLECTION, "body": json.dumps({"name": "generic_a", "enabled": True})}
    state = provider.create("sps_object", config)
    key = state["key"]
    assert state == {**config, "key": key, **KNOWN}
    assert held(sim, COLLECTION, key) == {"name": "generic_a", "enabled": True}

    respelled = {**config, "body": '{ "enabled" : true,\n "name": "generic_a" }'}
    assert provider.plan("sps_object", state, respelled) == state  # key order and spacing: no change

    out_of_band(sim, f"{COLLECTION}/{key}", {"name": "generic_a", "enabled": True, "added": 7})
    provider.new_run()
    assert provider.read("sps_object", state) == state  # a field the body does not name: no change

    out_of_band(sim, f"{COLLECTION}/{key}", {"name": "generic_a", "enabled": False, "added": 7})
    provider.new_run()
    drifted = provider.read("sps_object", state)
    assert json.loads(drifted["body"]) == {"name": "generic_a", "enabled": False}
    restored = provider.update("sps_object", drifted, config)
    assert restored == state
    assert held(sim, COLLECTION, key) == {"name": "generic_a", "enabled": True, "added": 7}  # kept

    updated = provider.update("sps_object", state, {**config, "body": json.dumps({"name": "generic_b"})})
    assert json.loads(updated["body"]) == {"name": "generic_b"}
    assert held(sim, COLLECTION, key) == {"name": "generic_b", "enabled": True, "added": 7}

    imported = provider.import_("sps_object", f"{COLLECTION}/{key}")
    assert imported["key"] == key and json.loads(imported["body"]) == held(sim, COLLECTION, key)
    assert provider.plan("sps_object", imported, updated) == imported  # the body names fewer fields: no change

    found = provider.read_data_source("sps_object", {"path": COLLECTION, "name": "generic_b"})
    assert found["key"] == key and json.loads(found["body"]) == held(sim, COLLECTION, key)
    by_key = provider.read_data_source("sps_object", {"path": COLLECTION, "key": key})
    assert by_key["body"] == found["body"]
    with pytest.raises(ProviderError, match="give `key` or `name`"):
        provider.read_data_source("sps_object", {"path": COLLECTION})

    provider.delete("sps_object", updated)
    assert provider.read("sps_object", updated) is None
    with pytest.raises(ProviderError, match="no such object"):
        provider.import_("sps_object", f"{COLLECTION}/{key}")


def test_settings_adopt_update_and_forget(sim: RunningSimulator, provider: InProcessProvider) -> None:
    before = held(sim, SINGLETON)
    assert isinstance(before, dict)
    config = {"path": SINGLETON, "body": json.dumps({"generic_marker": "on"})}
    state = provider.create("sps_settings", config)
    assert state == {**config, **KNOWN}
    assert held(sim, SINGLETON) == {**before, "generic_marker": "on"}  # adopted: the rest kept

    out_of_band(sim, SINGLETON, {**before, "generic_marker": "off"})
    provider.new_run()
    drifted = provider.read("sps_settings", state)
    assert json.loads(drifted["body"]) == {"generic_marker": "off"}
    assert provider.update("sps_settings", drifted, config) == state

    imported = provider.import_("sps_settings", SINGLETON)
    assert json.loads(imported["body"]) == held(sim, SINGLETON)
    read = provider.read_data_source("sps_object", {"path": SINGLETON})
    assert read["key"] is None and json.loads(read["body"]) == held(sim, SINGLETON)
    acls = provider.read_data_source("sps_object", {"path": "aaa/acls"})  # read-only, a list body
    assert json.loads(acls["body"]) == held(sim, "aaa/acls") and isinstance(json.loads(acls["body"]), list)
    provider.delete("sps_settings", state)
    assert held(sim, SINGLETON) == {**before, "generic_marker": "on"}  # destroy leaves it as it is


def test_references_read_back_as_keys(sim: RunningSimulator, provider: InProcessProvider) -> None:
    """management/certificates documents references to x509 objects; SPS answers them as {key, meta}."""
    cert = provider.create("sps_object", {"path": "x509", "body": json.dumps({"certificate": "PEM"})})
    config = {"path": "management/certificates", "body": json.dumps({"server": cert["key"]})}
    state = provider.create("sps_settings", config)
    assert state == {**config, **KNOWN}
    href = f"/api/configuration/x509/{cert['key']}"
    out_of_band(sim, "management/certificates", {**held(sim, "management/certificates"),
                                                 "server": {"key": cert["key"], "meta": {"href": href}}})  # fmt: skip
    provider.new_run()
    assert provider.read("sps_settings", state) == state  # the API's form of a reference, read as its key


@pytest.mark.parametrize(
    ("resource", "path", "reason"),
    [
        ("sps_object", "ssh/channel_policies", "use sps_ssh_channel_policy"),
        ("sps_object", "policies/analytic", "nearest known paths: policies/analytics"),
        ("sps_object", "passwords", "holds secrets"),
        ("sps_object", "private_keys", "holds secrets"),
        ("sps_settings", "management/root_password", "holds secrets"),
        ("sps_object", "http/authentication_policies", "read-only over REST"),
        ("sps_settings", "management/license", "read-only over REST"),
        ("sps_object", "management/health_monitoring", "manage it with sps_settings"),
        ("sps_settings", "datetime/timezone", "use sps_timezone"),
        ("sps_settings", "datetime/ntp_servers", "use sps_ntp_servers"),
        ("sps_settings", "policies/analytics", "manage each object with sps_object"),
        ("sps_settings", "management", "is a container"),
        ("sps_object", "/policies/analytics", "without leading or trailing"),
    ],
)
def test_refused_paths(provider: InProcessProvider, resource: str, path: str, reason: str) -> None:
    with pytest.raises(ProviderError, match=reason):
        provider.plan(resource, None, {"path": path, "body": "{}"})


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "not json", "null"])
def test_refused_bodies(provider: InProcessProvider, body: str) -> None:
    with pytest.raises(ProviderError, match="body: "):
        provider.plan("sps_object", None, {"path": COLLECTION, "body": body})


def test_a_list_bodied_singleton_takes_a_list(sim: RunningSimulator, provider: InProcessProvider) -> None:
    path = "network/ip_forwarding_rule_pairs"
    rules = [{"interface_a": "nic1.interfaces.a", "interface_b": "nic1.interfaces.b"}]
    config = {"path": path, "body": json.dumps(rules)}
    assert provider.create("sps_settings", config) == {**config, **KNOWN}
    assert held(sim, path) == rules
    with pytest.raises(ProviderError, match="must be a JSON list"):
        provider.plan("sps_settings", None, {**config, "body": "{}"})


def test_firmware_gate(tmp_path: Path) -> None:
    """aaa/saml2 exists from 8.0: refused at plan on 7.5, naming the version."""
    sim = start_simulator(tmp_path, "--firmware", "7.5")
    provider = InProcessProvider(sim)
    try:
        with pytest.raises(ProviderError, match=r"runs SPS 7\.5, which has no aaa/saml2"):
            provider.plan("sps_settings", None, {"path": "aaa/saml2", "body": "{}"})
    finally:
        provider.close()
        sim.stop()


def test_reads_are_answered_from_one_list_get(sim: RunningSimulator, provider: InProcessProvider) -> None:
    """Refreshing N generic objects of one collection costs one GET, as for typed resources; the
    provider's own writes are applied to the snapshot, so reading them back needs no list again."""
    reader = provider.servicer.reader
    assert reader is not None
    sent: list[str] = []
    get = reader.get
    reader.get = lambda path: (sent.append(path), get(path))[1]  # type: ignore[method-assign]
    made = [
        provider.create("sps_object", {"path": COLLECTION, "body": json.dumps({"name": f"listed{i}"})})
        for i in range(3)
    ]
    provider.new_run()
    sent.clear()
    assert [provider.read("sps_object", m) for m in made] == made
    assert sent == [f"/api/configuration/{COLLECTION}"]
    provider.delete("sps_object", made[0])
    sent.clear()
    assert provider.read("sps_object", made[0]) is None and provider.read("sps_object", made[1]) == made[1]
    assert sent == []


def test_a_body_known_only_at_apply_is_checked_there(sim: RunningSimulator, provider: InProcessProvider) -> None:
    """A body holding another resource's key is unknown at plan; its JSON type is checked at apply
    and nothing is sent."""
    from sps_provider.protocol.gen import tfplugin6_pb2 as pb

    t = provider.servicer.resources["sps_object"].type
    planned = {"path": COLLECTION, "body": "[1]", "key": None}
    request = pb.ApplyResourceChange.Request(
        type_name="sps_object",
        prior_state=provider._dv(t, None),
        planned_state=provider._dv(t, planned),
        config=provider._dv(t, {"path": COLLECTION, "body": "[1]", "key": None}),
    )
    before = sim.committed().get(COLLECTION, {})
    answer = provider.servicer.ApplyResourceChange(request, None)
    assert [d.detail for d in answer.diagnostics] == ["body: must be a JSON object, got list"]
    assert sim.committed().get(COLLECTION, {}) == before
