"""The simulator's firmware profiles: GET /api/info as documented, writes refused where that
version's docs make a type read-only, fields that version does not have refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_catalog import load_catalog
from sps_catalog.examples import builtin_key
from sps_harness import RunningSimulator, start_simulator
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.provider import Provider
from tests.support.simulator_api import Client

API = "/api/configuration"
CATALOG = load_catalog()


@pytest.fixture
def profile(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningSimulator]:
    sim = start_simulator(tmp_path / "sim", *(["--firmware", request.param] if request.param else []))
    yield sim
    sim.stop()


@pytest.mark.parametrize("profile", [None, "7.3.1"], indirect=True, ids=["default", "7.3.1"])
def test_api_info_shows_the_firmware_version_to_logged_in_sessions_only(profile: RunningSimulator) -> None:
    anonymous = Client(profile, login=False).ok("GET", "/api/info")
    assert anonymous["key"] == "about_info" and anonymous["meta"] == {"href": "/api/info", "parent": "/api"}
    assert "firmware_version" not in anonymous["body"] and "hostname" in anonymous["body"]
    body = Client(profile).ok("GET", "/api/info")["body"]
    assert body["firmware_version"] == ("7.3.1" if "7.3.1" in profile.args else "7.5.1")


def vnc_policy(api: Client) -> dict[str, object]:
    channel = api.ok(
        "POST", f"{API}/vnc/channel_policies", dict(CATALOG["vnc_channel_policy"].examples["minimal"]), 201
    )
    return {
        "name": "p",
        "network": {"clients": ["10.0.0.0/8"], "ports": [5900], "targets": ["10.2.0.10/32"]},
        "policies": {
            "audit_policy": builtin_key(CATALOG, "audit_policy/default")[2],
            "channel_policy": channel["key"],
            "settings": builtin_key(CATALOG, "vnc_settings_policy/default")[2],
        },
    }


@pytest.mark.parametrize("profile", [None], indirect=True, ids=["7.5.1"])
def test_vnc_connection_policies_are_read_only_on_7_5(profile: RunningSimulator) -> None:
    api = Client(profile)
    r = api.call("POST", f"{API}/vnc/connections", vnc_policy(api))
    assert r.status_code == 405 and r.json()["error"]["type"] == "MethodNotAllowed"
    assert "read-only over REST on SPS 7.5.1" in r.json()["error"]["message"]
    api.ok("GET", f"{API}/vnc/connections")


@pytest.mark.parametrize("profile", ["7.3.1"], indirect=True, ids=["7.3.1"])
def test_vnc_connection_policies_are_writable_on_7_3_1(profile: RunningSimulator) -> None:
    api = Client(profile)
    key = api.ok("POST", f"{API}/vnc/connections", vnc_policy(api), 201)["key"]
    api.commit()
    assert api.ok("GET", f"{API}/vnc/connections/{key}")["body"]["name"] == "p"


@pytest.mark.parametrize("profile", ["8.0.0"], indirect=True, ids=["8.0.0"])
def test_a_field_the_firmware_does_not_have_is_refused(profile: RunningSimulator) -> None:
    api = Client(profile)
    audit = {"name": "a", "encryption": {"enabled": False}, "signing": {"enabled": False}}
    r = api.call("POST", f"{API}/policies/audit_policies", {**audit, "timestamping_enabled": True})
    assert r.status_code == 400 and "timestamping_enabled" in r.json()["error"]["message"], r.text
    key = api.ok("POST", f"{API}/policies/audit_policies", audit, 201)["key"]
    assert "timestamping_enabled" not in api.ok("GET", f"{API}/policies/audit_policies/{key}")["body"]


@pytest.mark.parametrize("profile", [None, "7.3.1"], indirect=True, ids=["7.5.1", "7.3.1"])
def test_ica_connection_policies_are_read_only_on_every_firmware(profile: RunningSimulator) -> None:
    """[ICA-RO-6.0]: only the RDP and SSH connection policies can be modified; the provider serves
    ICA connection policies as a data source only, so Terraform refuses a resource at validate."""
    api = Client(profile)
    r = api.call("POST", f"{API}/ica/connections", {"name": "citrix"})
    assert r.status_code == 405 and r.json()["error"]["type"] == "MethodNotAllowed"
    assert api.ok("GET", f"{API}/ica/connections")["items"] == []
    served = Provider().GetProviderSchema(pb.GetProviderSchema.Request(), None)
    assert "sps_ica_connection_policy" in served.data_source_schemas
    assert "sps_ica_connection_policy" not in served.resource_schemas
