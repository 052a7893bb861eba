"""Day-0 settings (issue 26): what the generic lifecycle tests do not show, through the provider's
servicer in process against a real simulator: the firmware range of the web gateway login banner,
the undocumented part of the e-mail settings kept and set through `extra_json`, the alerts the
guide's stored pages do not print kept and set the same way, a branch
requirement of the SNMP trap checked at plan, the syslog receivers' fields the guide shows checked
and the rest of each receiver kept, the naming's undocumented fields kept, and the singletons whose
body is a bare value (NTP servers, time zone): the value itself on the wire, its order kept, its
text checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_catalog import load_catalog
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.simulator_api import out_of_band

SERVER = {"selection": "ip", "value": "10.20.30.40"}


@pytest.fixture(scope="module")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSimulator, InProcessProvider]]:
    sim = start_simulator(Path(tmp_path_factory.mktemp("day0")))
    provider = InProcessProvider(sim)
    yield sim, provider
    provider.close()
    sim.stop()


def hold(sim: RunningSimulator, provider: InProcessProvider, path: str, fields: dict[str, Any]) -> None:
    """The appliance's body at `path` with `fields` set by another administrator, committed; the
    provider starts a new run (as the next `terraform apply` would)."""
    body = sim.session().get(f"{sim.url}/api/configuration/{path}").json()["body"]
    out_of_band(sim, "PUT", f"/api/configuration/{path}", {**body, **fields})
    provider.new_run()


def test_the_login_banner_is_refused_at_plan_before_7_0(tmp_path: Path) -> None:
    sim = start_simulator(tmp_path, "--firmware", "6.0.1")
    provider = InProcessProvider(sim)
    try:
        banner = f"{sim.url}/api/configuration/management/web_gateway_authentication"
        assert sim.session().get(banner).status_code == 404
        config = {"banner": {"enabled": True, "text": "audited"}}
        with pytest.raises(ProviderError, match=r"6\.0\.1") as refused:
            provider.plan("sps_web_gateway_authentication_settings", None, config)
        assert "sps_web_gateway_authentication_settings" in str(refused.value)
    finally:
        provider.close()
        sim.stop()


def test_undocumented_email_fields_are_kept_on_update_and_set_through_extra_json(
    appliance: tuple[RunningSimulator, InProcessProvider],
) -> None:
    sim, provider = appliance
    hold(sim, provider, "management/email", {
        "smtp_auth": {"enabled": True, "username": "relay", "password": "relay-secret-key"},
        "smtp_encryption": {"selection": "starttls", "verify_certificate": True},
    })  # fmt: skip

    config = {
        "alerting_address": "alerts@example.net",
        "smtp_auth": {"enabled": True},
        "smtp_encryption": {"selection": "starttls"},
        "smtp_server": {"selection": "ip", "value": "10.1.0.25"},
    }
    state = provider.create("sps_management_email", config)
    body = sim.committed()["management/email"]["email"]
    assert body["alerting_address"] == "alerts@example.net"
    assert body["smtp_auth"] == {"enabled": True, "username": "relay", "password": "relay-secret-key"}
    assert body["smtp_encryption"] == {"selection": "starttls", "verify_certificate": True}

    extra = json.dumps({"smtp_auth": {"username": "relay2"}})
    provider.update("sps_management_email", state, {**config, "extra_json": extra})
    kept = {"enabled": True, "username": "relay2", "password": "relay-secret-key"}
    assert sim.committed()["management/email"]["email"]["smtp_auth"] == kept, "extra_json sets one, keeps the rest"


def test_an_enabled_snmp_trap_needs_its_destination_at_plan(
    appliance: tuple[RunningSimulator, InProcessProvider],
) -> None:
    _, provider = appliance
    with pytest.raises(ProviderError, match="version"):
        provider.plan("sps_snmp_trap", None, {"enabled": True})
    planned = provider.plan(
        "sps_snmp_trap", None,
        {"enabled": True, "version": {"selection": "2c", "value": {"community": "c", "server": SERVER}}},
    )  # fmt: skip
    assert planned["version"]["value"]["server"] == SERVER


def test_syslog_receivers_are_checked_as_the_guide_shows_and_keep_what_it_does_not(
    appliance: tuple[RunningSimulator, InProcessProvider],
) -> None:
    sim, provider = appliance
    href = f"{sim.url}/api/configuration/management/syslog"
    s = sim.session()
    receiver = {"address": "10.1.0.14", "port": 6514, "protocol": "syslog-tls"}
    refused = s.put(href, json={"receivers": [{**receiver, "address": "logs.example.net"}]})
    assert refused.status_code == 400 and "receivers" in refused.text  # "Use an IPv4 address"
    assert s.put(href, json={"receivers": [{**receiver, "port": 70000}]}).status_code == 400
    held = {"receivers": [{**receiver, "client_authentication": {"enabled": True}}], "local_retention": 7}
    assert s.put(href, json=held).status_code == 200  # the undocumented rest is the appliance's
    assert s.put(f"{sim.url}/api/transaction", json={"status": "commit"}).status_code == 200
    provider.new_run()

    with pytest.raises(ProviderError, match="receivers"):
        provider.plan("sps_syslog", None, {"receivers": [{**receiver, "address": "not an address"}]})
    second = {"address": "10.2.0.14", "port": 514, "protocol": "legacy-udp"}
    provider.create("sps_syslog", {"receivers": [receiver, second]})
    body = sim.committed()["management/syslog"]["syslog"]
    assert body["receivers"] == [{**receiver, "client_authentication": {"enabled": True}}, second]
    assert body["local_retention"] == 7


def test_naming_keeps_what_the_pages_do_not_name(appliance: tuple[RunningSimulator, InProcessProvider]) -> None:
    sim, provider = appliance
    href = f"{sim.url}/api/configuration/network/naming"
    s = sim.session()
    assert s.put(href, json={"hostname": "sps", "domain": None, "nickname": None, "fqdn_in_prompt": True}).ok
    assert s.put(f"{sim.url}/api/transaction", json={"status": "commit"}).status_code == 200
    provider.new_run()
    with pytest.raises(ProviderError, match="hostname"):
        provider.plan("sps_network_naming", None, {"nickname": "Amsterdam"})
    provider.create("sps_network_naming", {"hostname": "sps-ams", "domain": "example.net", "nickname": "Amsterdam"})
    body = sim.committed()["network/naming"]["naming"]
    assert body == {"hostname": "sps-ams", "domain": "example.net", "nickname": "Amsterdam", "fqdn_in_prompt": True}


def test_alerts_the_pages_do_not_print_are_kept_and_set_through_extra_json(
    appliance: tuple[RunningSimulator, InProcessProvider],
) -> None:
    sim, provider = appliance
    newer = {"email": True, "snmp": True, "throttle": 5}  # an alert of newer firmware, with a field of its own
    login = {"email": True, "snmp": False, "throttle": 5}
    hold(sim, provider, "alerting/system_alerts", {"xcbTimeSyncLost": newer, "xcbLogin": login})

    with pytest.raises(ProviderError, match="xcbLoginFailure"):
        provider.plan("sps_system_alerts", None, {"xcbLoginFailure": {"email": "yes"}})
    config = {"xcbLoginFailure": {"email": True}, "xcbLogin": {"snmp": True}}
    state = provider.create("sps_system_alerts", config)
    body = sim.committed()["alerting/system_alerts"]["system_alerts"]
    assert body["xcbLoginFailure"] == {"email": True, "snmp": False}
    assert body["xcbLogin"] == {"email": False, "snmp": True, "throttle": 5}, "the alert's own field is kept"
    assert body["xcbTimeSyncLost"] == newer and body["xcbConfigChange"] == {"email": False, "snmp": False}

    extra = json.dumps({"xcbTimeSyncLost": {"email": False}})
    provider.update("sps_system_alerts", state, {**config, "extra_json": extra})
    assert sim.committed()["alerting/system_alerts"]["system_alerts"]["xcbTimeSyncLost"] == {**newer, "email": False}


NTP, ZONE = load_catalog()["ntp_servers"], load_catalog()["timezone"]
HOSTILE = ["Europe/Berlin\nrm -rf /", "../../etc/passwd", "America/New York", "Europe/Berlin;reboot", "${path.cwd}",
           "", "Europe//Berlin", "Zone/\u202eBerlin"]  # fmt: skip


def test_ntp_servers_are_the_bare_list_in_the_order_given(
    appliance: tuple[RunningSimulator, InProcessProvider],
) -> None:
    sim, provider = appliance
    servers = ["ntp2.example.net", "10.1.0.123", "fd00::123"]
    state = provider.create(NTP.resource_type, {"servers": servers})
    assert state["servers"] == servers and state["key"] == "ntp_servers"
    doc = sim.session().get(f"{sim.url}{NTP.api_path}").json()
    assert doc["body"] == servers and doc["key"] == "ntp_servers", "the body is the list itself"
    none = provider.update(NTP.resource_type, state, {"servers": []})
    assert none["servers"] == [] and sim.committed()[NTP.path]["ntp_servers"] == [], "empty: no NTP server"
    provider.delete(NTP.resource_type, none)
    assert sim.committed()[NTP.path]["ntp_servers"] == [], "destroy forgets: the appliance keeps its list"


def test_the_time_zone_is_the_bare_string(appliance: tuple[RunningSimulator, InProcessProvider]) -> None:
    sim, provider = appliance
    state = provider.create(ZONE.resource_type, {"timezone": "America/Argentina/Buenos_Aires"})
    assert sim.session().get(f"{sim.url}{ZONE.api_path}").json()["body"] == "America/Argentina/Buenos_Aires"
    assert provider.import_(ZONE.resource_type, "timezone") == state


@pytest.mark.parametrize("text", HOSTILE)
def test_a_zone_or_server_that_is_no_name_is_refused_at_plan_and_by_the_appliance(
    appliance: tuple[RunningSimulator, InProcessProvider], text: str
) -> None:
    sim, provider = appliance
    with pytest.raises(ProviderError, match=r"timezone: .*not a time zone name"):
        provider.plan(ZONE.resource_type, None, {"timezone": text})
    with pytest.raises(ProviderError, match=r"servers\[1\]: .*neither an IP address nor a DNS host name"):
        provider.plan(NTP.resource_type, None, {"servers": ["10.1.0.123", text]})
    s = sim.session()
    for t, body in ((ZONE, text), (NTP, [text])):
        refused = s.put(f"{sim.url}{t.api_path}", json=body)
        assert refused.status_code == 400 and refused.json()["error"]["type"] == "SemanticError", refused.text
    s.delete(f"{sim.url}/api/transaction")


def test_a_bare_value_body_takes_no_extra_json(appliance: tuple[RunningSimulator, InProcessProvider]) -> None:
    _, provider = appliance
    with pytest.raises(ProviderError, match="extra_json: the body is the bare value of `timezone`"):
        provider.plan(ZONE.resource_type, None, {"timezone": "UTC", "extra_json": json.dumps({"x": 1})})
