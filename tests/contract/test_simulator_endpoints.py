"""The simulator serves every catalog endpoint over HTTPS (issue 25 item 4): containers list their
children as the catalog does on each firmware, opaque endpoints keep the bodies they are given
(singletons, collections, list- and string-valued bodies), read-only ones refuse writes,
documented references must resolve, and transactions hold opaque writes until commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_catalog.endpoints import Endpoint, load_endpoints
from sps_harness import RunningSimulator, start_simulator
from tests.support.simulator_api import Client, error_of

ENDPOINTS = load_endpoints()
FIRMWARES = ("6.0.1", "7.0.5", "7.5.1", "8.0")


@pytest.fixture(scope="module", params=FIRMWARES)
def on_firmware(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    sim = start_simulator(Path(tmp_path_factory.mktemp("endpoints")), "--firmware", request.param)
    yield sim
    sim.stop()


def firmware_of(sim: RunningSimulator) -> str:
    return sim.args[sim.args.index("--firmware") + 1]


def test_every_container_lists_the_catalog_children_of_its_firmware(on_firmware: RunningSimulator) -> None:
    api = Client(on_firmware)
    version = firmware_of(on_firmware)
    containers = [e for e in ENDPOINTS.on(version) if e.is_container]
    assert len(containers) > 10
    for e in containers:
        listing = api.ok("GET", e.api_path)
        expected = [c.name for c in ENDPOINTS.children(e.path, version)]
        assert [item["key"] for item in listing["items"]] == expected, e.api_path
        hrefs = [item["meta"]["href"] for item in listing["items"]]
        assert hrefs == [f"{e.api_path}/{c}" for c in expected]


def test_every_endpoint_of_the_firmware_answers_and_the_others_are_not_found(on_firmware: RunningSimulator) -> None:
    api = Client(on_firmware)
    version = firmware_of(on_firmware)
    for e in ENDPOINTS:
        if e.is_write_once:  # passwords and private keys cannot be listed
            continue
        r = api.call("GET", e.api_path)
        if ENDPOINTS.exists_on(e.path, version):
            assert r.status_code == 200, f"{e.api_path} on {version}: {r.status_code} {r.text}"
        else:
            assert r.status_code == 404, f"{e.api_path} should not exist on {version}: {r.status_code}"


def test_firmware_ranges_decide_which_endpoints_exist(on_firmware: RunningSimulator) -> None:
    """Endpoints that came or went: soap went with 7.0, aaa/saml2 came with 8.0."""
    api = Client(on_firmware)
    version = firmware_of(on_firmware)
    soap = api.call("GET", "/api/configuration/management/soap").status_code
    saml2 = api.call("GET", "/api/configuration/aaa/saml2").status_code
    assert soap == (200 if version == "6.0.1" else 404)
    assert saml2 == (200 if version == "8.0" else 404)
    aaa = [i["key"] for i in api.ok("GET", "/api/configuration/aaa")["items"]]
    assert ("saml2" in aaa) == (version == "8.0")


def opaque(path: str) -> Endpoint:
    e = ENDPOINTS[path]
    assert e.is_opaque and e.type is None
    return e


def test_an_opaque_singleton_answers_its_default_then_keeps_what_it_is_given(api: Client) -> None:
    e = opaque("management/health_monitoring")
    got = api.ok("GET", e.api_path)
    assert got["key"] == "health_monitoring" and got["body"] == e.default
    assert got["meta"]["parent"] == "/api/configuration/management"
    body = {"maximum_disk_utilization_ratio": 75, "maximum_load1": 4, "not_in_any_doc": {"x": [1]}}
    api.ok("PUT", e.api_path, body)
    assert api.ok("GET", e.api_path)["body"] == body
    other = Client(api.sim)  # another session sees the committed body until the commit
    assert other.ok("GET", e.api_path)["body"] == e.default
    api.commit()
    assert other.ok("GET", e.api_path)["body"] == body


def test_singleton_bodies_of_other_json_types_are_kept_and_checked(api: Client) -> None:
    assert api.ok("GET", "/api/configuration/datetime/timezone")["body"] == "America/New_York"
    api.ok("PUT", "/api/configuration/datetime/timezone", "Europe/Budapest")
    rules = [{"interface_a": "nic1.interfaces.a", "interface_b": "nic1.interfaces.a"}]
    api.ok("PUT", "/api/configuration/network/ip_forwarding_rule_pairs", rules)
    api.commit()
    assert api.ok("GET", "/api/configuration/datetime/timezone")["body"] == "Europe/Budapest"
    assert api.ok("GET", "/api/configuration/network/ip_forwarding_rule_pairs")["body"] == rules
    wrong = api.call("PUT", "/api/configuration/datetime/timezone", {"zone": "UTC"})
    assert wrong.status_code == 400 and error_of(wrong)["type"] == "SyntacticError"
    not_object = api.call("PUT", opaque("management/health_monitoring").api_path, ["a"])
    assert not_object.status_code == 400 and "JSON object" in error_of(not_object)["message"]


def test_an_opaque_collection_creates_reads_replaces_lists_and_deletes(api: Client) -> None:
    href = opaque("reporting/reports").api_path
    created = api.ok("POST", href, {"name": "weekly", "chapters": [{"any": "shape"}]}, status=201)
    key = created["key"]
    assert created["meta"] == {"href": f"{href}/{key}", "parent": href, "transaction": "/api/transaction"}
    api.ok("PUT", f"{href}/{key}", {"name": "weekly", "chapters": []})
    api.commit()
    assert api.ok("GET", f"{href}/{key}")["body"] == {"name": "weekly", "chapters": []}
    listed = api.ok("GET", href)["items"]
    assert {"body": {"name": "weekly", "chapters": []}, "key": key, "meta": {"href": f"{href}/{key}"}} in listed
    gone = api.ok("DELETE", f"{href}/{key}")
    assert gone["meta"]["href"] == f"{href}/{key}" and gone["meta"]["parent"] == href
    api.commit()
    assert api.call("GET", f"{href}/{key}").status_code == 404
    assert api.call("POST", href, ["not", "an", "object"]).status_code == 400


def test_built_ins_of_a_collection_are_there_and_stay(api: Client) -> None:
    """No opaque collection has documented built-ins since the Telnet, HTTP and ICA policies are
    typed: Telnet settings policies' -302 is the example."""
    href = ENDPOINTS["telnet/settings_policies"].api_path
    builtin = api.ok("GET", f"{href}/-302")
    assert builtin["body"]["name"] == "default"
    refused = api.call("DELETE", f"{href}/-302")
    assert refused.status_code == 400 and error_of(refused)["type"] == "SemanticError"


def test_read_only_opaque_endpoints_refuse_writes(api: Client) -> None:
    acls = opaque("aaa/acls")
    assert not acls.writable
    assert api.ok("GET", acls.api_path)["body"] == acls.default  # [ACLS]: the sample's list
    assert api.call("PUT", acls.api_path, []).status_code == 405
    ticketing = opaque("plugins/ticketing")
    assert not ticketing.writable
    assert api.call("POST", ticketing.api_path, {"name": "mine"}).status_code == 405
    assert api.call("POST", opaque("management/health_monitoring").api_path, {}).status_code == 405


def test_documented_references_of_an_opaque_body_must_resolve(api: Client) -> None:
    certificates = opaque("management/certificates")
    assert certificates.references["server"] == "x509"
    dangling = api.call("PUT", certificates.api_path, {"ca": None, "server": "no-such-x509", "tsa": None})
    assert dangling.status_code == 400 and error_of(dangling)["type"] == "SemanticError"
    assert "no-such-x509" in error_of(dangling)["message"]
    x509 = api.ok("POST", "/api/configuration/x509", {"certificate": "PEM", "private_key": "PEM"}, status=201)["key"]
    body = {"ca": {"selection": "identity", "x509_identity": x509}, "server": x509, "tsa": None}
    api.ok("PUT", certificates.api_path, body)
    api.commit()
    assert api.ok("GET", certificates.api_path)["body"]["server"] == x509
    api.ok("DELETE", f"/api/configuration/x509/{x509}")
    refused = api.call("PUT", "/api/transaction", json={"status": "commit"})
    assert refused.status_code == 400 and "no-such" not in refused.text and x509 in refused.text


def test_a_reverted_transaction_drops_opaque_writes(api: Client) -> None:
    href = opaque("management/health_monitoring").api_path
    before = api.ok("GET", href)["body"]
    api.ok("PUT", href, {"maximum_load5": 99})
    changes = api.ok("GET", "/api/transaction/changes")["changes"]
    assert changes[-1]["path"] == href and changes[-1]["new_value"] == {"maximum_load5": 99}
    api.ok("DELETE", "/api/transaction")
    assert api.ok("GET", href)["body"] == before


def test_a_write_only_singleton_keeps_nothing_of_the_secret(api: Client) -> None:
    href = opaque("management/root_password").api_path
    api.ok("PUT", href, {"password": "s3cret"})
    api.commit()
    assert "s3cret" not in api.call("GET", href).text
