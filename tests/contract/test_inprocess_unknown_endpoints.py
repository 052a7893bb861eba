"""The generic resources on endpoints the catalog does not know (`catalog_validation = false`),
through the provider's servicer in process, against a simulator serving two such endpoints
(`--extra-endpoint`): refused as before while the flag is on; with it off, accepted at validate
and checked at plan against the appliance's tree (listed, and of the resource's kind); then the
same engine as for a known opaque endpoint (create, read, update keeping what the body does not
name, import, destroy). Secret endpoints and known paths stay the catalog's to judge."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from sps_catalog.endpoints import load_endpoints
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from sps_provider.protocol import cty
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from tests.support.inprocess import commit

COLLECTION = "policies/newer_things"
SINGLETON = "management/newer_settings"
OPAQUE_SINGLETON = next(
    e.path for e in load_endpoints() if e.is_singleton and e.is_opaque and e.writable and not e.write_only
)
"""A singleton the catalog knows but no typed resource manages (typed families keep arriving)."""
FAMILY, RULES = "newer_family", "newer_family/rules"
"""An unknown container holding an unknown collection: plan walks the listings from the root."""
OFF = {"catalog_validation": False}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    s = start_simulator(
        tmp_path_factory.mktemp("unknown"),
        "--extra-endpoint",
        f"{COLLECTION}=collection",
        "--extra-endpoint",
        f"{SINGLETON}=singleton",
        "--extra-endpoint",
        f"{FAMILY}=container",
        "--extra-endpoint",
        f"{RULES}=collection",
    )
    yield s
    s.stop()


@pytest.fixture
def provider(sim: RunningSimulator) -> Iterator[InProcessProvider]:
    p = InProcessProvider(sim)
    yield p
    p.close()


def validate(provider: InProcessProvider, resource: str, config: dict[str, Any]) -> list[str]:
    """The errors ValidateResourceConfig answers (it runs before the appliance is configured)."""
    t = provider.servicer.resources[resource].type
    config = {"path": None, "body": None, "catalog_validation": None, **config}
    request = pb.ValidateResourceConfig.Request(
        type_name=resource, config=pb.DynamicValue(msgpack=cty.encode(t, cty.conform(t, config)))
    )
    answer = provider.servicer.ValidateResourceConfig(request, None)
    return [f"{d.summary}: {d.detail}" for d in answer.diagnostics if d.severity == pb.Diagnostic.ERROR]


def held(sim: RunningSimulator, path: str) -> Any:
    return sim.session().get(f"{sim.url}/api/configuration/{path}").json()["body"]


def out_of_band(sim: RunningSimulator, path: str, body: Any) -> None:
    session = sim.session()
    session.post(f"{sim.url}/api/transaction").raise_for_status()
    session.put(f"{sim.url}/api/configuration/{path}", json=body).raise_for_status()
    commit(sim, session)


@pytest.mark.parametrize(("resource", "path"), [("sps_object", COLLECTION), ("sps_settings", SINGLETON)])
def test_an_unknown_path_is_refused_while_catalog_validation_is_on(
    provider: InProcessProvider, resource: str, path: str
) -> None:
    for flag in ({}, {"catalog_validation": True}):
        with pytest.raises(ProviderError, match=r"does not know the endpoint .*set catalog_validation = false"):
            provider.plan(resource, None, {"path": path, "body": "{}", **flag})


def test_an_unknown_collection_with_catalog_validation_off(sim: RunningSimulator, provider: InProcessProvider) -> None:
    config = {"path": COLLECTION, "body": json.dumps({"name": "newer_a", "level": 1}), **OFF}
    state = provider.create("sps_object", config)
    key = state["key"]
    assert state == {**config, "key": key}
    assert held(sim, f"{COLLECTION}/{key}") == {"name": "newer_a", "level": 1}

    out_of_band(sim, f"{COLLECTION}/{key}", {"name": "newer_a", "level": 2, "added": True})
    provider.new_run()
    drifted = provider.read("sps_object", state)
    assert json.loads(drifted["body"]) == {"name": "newer_a", "level": 2}  # drift on what the body names only
    assert provider.update("sps_object", drifted, config) == state
    assert held(sim, f"{COLLECTION}/{key}") == {"name": "newer_a", "level": 1, "added": True}  # kept

    imported = provider.import_("sps_object", f"{COLLECTION}/{key}")
    assert imported["catalog_validation"] is False  # the catalog does not know the path
    assert provider.plan("sps_object", imported, config) == imported  # imports only: no change

    found = provider.read_data_source("sps_object", {"path": COLLECTION, "name": "newer_a", **OFF})
    assert found["key"] == key and json.loads(found["body"]) == held(sim, f"{COLLECTION}/{key}")
    with pytest.raises(ProviderError, match="does not know the endpoint"):
        provider.read_data_source("sps_object", {"path": COLLECTION, "name": "newer_a"})

    provider.delete("sps_object", state)
    assert provider.read("sps_object", state) is None


def test_an_unknown_singleton_with_catalog_validation_off(sim: RunningSimulator, provider: InProcessProvider) -> None:
    out_of_band(sim, SINGLETON, {"kept": "as it is"})
    config = {"path": SINGLETON, "body": json.dumps({"mode": "strict"}), **OFF}
    assert provider.create("sps_settings", config) == config
    assert held(sim, SINGLETON) == {"kept": "as it is", "mode": "strict"}  # adopted: the rest kept
    imported = provider.import_("sps_settings", SINGLETON)
    assert json.loads(imported["body"]) == held(sim, SINGLETON) and imported["catalog_validation"] is False
    assert provider.plan("sps_settings", imported, config) == imported
    read = provider.read_data_source("sps_object", {"path": SINGLETON, **OFF})
    assert json.loads(read["body"]) == held(sim, SINGLETON)


def test_the_appliance_is_asked_once_per_path(provider: InProcessProvider) -> None:
    """The container listing and the endpoint's GET at the first plan; later plans of the same path
    (every object of the collection, every plan of the run) ask nothing."""
    assert provider.servicer.refresh is not None
    client = provider.servicer.refresh.client
    sent: list[str] = []
    get = client.get
    client.get = lambda path: (sent.append(path), get(path))[1]  # type: ignore[method-assign]
    config = {"path": COLLECTION, "body": "{}", **OFF}
    provider.plan("sps_object", None, config)
    assert [p for p in sent if p != "/api/info"] == ["/api/configuration/policies", f"/api/configuration/{COLLECTION}"]
    sent.clear()
    provider.plan("sps_object", None, {**config, "body": json.dumps({"name": "other"})})
    assert sent == []


def test_a_path_the_appliance_does_not_list_is_refused_at_plan(provider: InProcessProvider) -> None:
    config = {"path": "policies/newer_thing", "body": "{}", **OFF}
    assert validate(provider, "sps_object", config) == []  # validate cannot see the appliance
    with pytest.raises(ProviderError, match=r"does not list 'newer_thing' in GET /api/configuration/policies"):
        provider.plan("sps_object", None, config)
    with pytest.raises(ProviderError, match=r"does not list 'newer' in GET /api/configuration/management"):
        provider.plan("sps_settings", None, {**config, "path": "management/newer/deeper"})


def test_an_unknown_collection_in_an_unknown_container(sim: RunningSimulator, provider: InProcessProvider) -> None:
    config = {"path": RULES, "body": json.dumps({"name": "rule"}), **OFF}
    state = provider.create("sps_object", config)
    assert held(sim, f"{RULES}/{state['key']}") == {"name": "rule"}
    with pytest.raises(ProviderError, match=r"does not list 'rulez' in GET /api/configuration/newer_family "):
        provider.plan("sps_object", None, {**config, "path": f"{FAMILY}/rulez"})
    provider.delete("sps_object", state)


@pytest.mark.parametrize(
    ("resource", "path", "reason"),
    [
        ("sps_settings", COLLECTION, "is a collection .*: manage it with sps_object"),
        ("sps_object", SINGLETON, "is a singleton .*: manage it with sps_settings"),
        ("sps_object", FAMILY, "is a container .*which holds no configuration"),
        ("sps_object", f"{RULES}/x", "has no object at 'newer_family/rules/x'"),
    ],
)
def test_the_appliance_decides_the_kind_at_plan(
    provider: InProcessProvider, resource: str, path: str, reason: str
) -> None:
    with pytest.raises(ProviderError, match=reason):
        provider.plan(resource, None, {"path": path, "body": "{}", **OFF})


@pytest.mark.parametrize(
    ("resource", "path", "reason"),
    [
        ("sps_object", "passwords/newer", "lies inside passwords, which holds secrets"),
        ("sps_object", "private_keys/newer/x", "lies inside private_keys, which holds secrets"),
        ("sps_settings", "management/root_password/newer", "lies inside management/root_password, which holds"),
        ("sps_object", "policies/analytics/newer", "lies inside policies/analytics, a collection"),
        ("sps_settings", f"{OPAQUE_SINGLETON}/newer", f"lies inside {OPAQUE_SINGLETON}, a singleton"),
        ("sps_object", "policies/../passwords", r"'\.\.' is no endpoint name"),
        ("sps_object", "policies/new?x=1", "is no endpoint name"),
        ("sps_object", "policies//new", "is no endpoint name"),
        # a path the catalog knows is the catalog's to judge, whatever the flag
        ("sps_object", "ssh/channel_policies", "use sps_ssh_channel_policy"),
        ("sps_object", "passwords", "holds secrets"),
        ("sps_settings", "management/license", "read-only over REST"),
        ("sps_object", OPAQUE_SINGLETON, "manage it with sps_settings"),
    ],
)
def test_refused_whatever_the_flag(provider: InProcessProvider, resource: str, path: str, reason: str) -> None:
    assert re.search(reason, "\n".join(validate(provider, resource, {"path": path, "body": "{}", **OFF})))
    with pytest.raises(ProviderError, match=reason):
        provider.plan(resource, None, {"path": path, "body": "{}", **OFF})
    with pytest.raises(ProviderError, match=reason):
        provider.import_(resource, f"{path}/k" if resource == "sps_object" else path)


def test_a_known_path_plans_the_same_with_the_flag_off(provider: InProcessProvider) -> None:
    config = {"path": "policies/analytics", "body": json.dumps({"name": "known_off"})}
    on = provider.plan("sps_object", None, config)
    off = provider.plan("sps_object", None, {**config, **OFF})
    assert on == {**off, "catalog_validation": True}
