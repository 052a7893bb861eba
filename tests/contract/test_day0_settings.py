"""Day-0 settings (issue 26): what the generic lifecycle tests do not show, through the provider's
servicer in process against a real simulator: the firmware range of the web gateway login banner,
the undocumented part of the e-mail settings kept and set through `extra_json`, a branch
requirement of the SNMP trap checked at plan, the syslog receivers' fields the guide shows checked
and the rest of each receiver kept, and the naming's undocumented fields kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError

SERVER = {"selection": "ip", "value": "10.20.30.40"}


@pytest.fixture(scope="module")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSimulator, InProcessProvider]]:
    sim = start_simulator(Path(tmp_path_factory.mktemp("day0")))
    provider = InProcessProvider(sim)
    yield sim, provider
    provider.close()
    sim.stop()


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
    href = f"{sim.url}/api/configuration/management/email"
    s = sim.session()
    held = s.get(href).json()["body"]
    held["smtp_auth"] = {"enabled": True, "username": "relay", "password": "relay-secret-key"}
    held["smtp_encryption"] = {"selection": "starttls", "verify_certificate": True}
    assert s.put(href, json=held).status_code == 200
    assert s.put(f"{sim.url}/api/transaction", json={"status": "commit"}).status_code == 200
    provider.new_run()

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
    assert sim.committed()["management/email"]["email"]["smtp_auth"]["username"] == "relay2"


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
