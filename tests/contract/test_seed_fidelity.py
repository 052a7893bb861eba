"""The simulator against seed rules it once missed: each test quotes the seed it follows."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_harness import start_simulator
from tests.support.seed_samples import AA_PLUGIN_INSTANCE, LDAP_POSIX, MSSQL_CONNECTION_BODY, request_form
from tests.support.simulator_api import API, Client, error_of

BACKUPS = f"{API}/policies/backup_policies"
LDAP = f"{API}/policies/ldap_servers"
RSA_BLOB = "AAAAB3NzaC1yc2EAAAADAQABAAAAYQCsU80IBrJbOlqCi03qZK+FtgS783VKE1TVZBtDQlsXJ9FXu6KNBvqvSAjcXiWY"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    sim = start_simulator(tmp_path_factory.mktemp("fidelity-sim"))
    yield Client(sim)
    sim.stop()


@pytest.fixture(autouse=True)
def revert(api: Client) -> Iterator[None]:
    yield
    api.call("DELETE", "/api/transaction")


def rsync(api: Client, host_key: Any, notification: dict[str, Any]) -> dict[str, Any]:
    """The S004 rsync sample (its private key made first, as it is write-once)."""
    key = api.ok("POST", f"{API}/private_keys", {"private_key": "-----BEGIN RSA PRIVATE KEY-----\nx\n"}, status=201)
    return {
        "name": "backup_rsync",
        "include_node_id_in_path": True,
        "notification_event": notification,
        "target": {"type": "rsync", "server": {"selection": "ip", "value": "192.168.122.1"}, "username": "user1",
                   "path": "/data/backup", "auth_key": key["key"], "host_key": host_key, "port": 1122},
        "start_times": ["8:00"],
    }  # fmt: skip


def test_the_s004_rsync_sample_keeps_its_notification_event(api: Client) -> None:
    """S004's rsync sample answers `notification_event` {type none, send_filelist, file_count_limit}."""
    event = {"type": "none", "send_filelist": True, "file_count_limit": 10240}
    key = api.ok("POST", BACKUPS, rsync(api, {"selection": "rsa", "value": RSA_BLOB}, event), status=201)["key"]
    assert api.ok("GET", f"{BACKUPS}/{key}")["body"]["notification_event"] == event


@pytest.mark.parametrize("given", [f"ssh-rsa {RSA_BLOB}", f"ssh-rsa {RSA_BLOB} root@backup", RSA_BLOB])
def test_a_host_key_may_be_a_plain_key_string(api: Client, given: str) -> None:
    """S004: "you can enter the public key of the host in the host_key element without using the
    selection and value elements ... When querying, [it] will always be displayed in the selection
    and value elements"."""
    key = api.ok("POST", BACKUPS, rsync(api, given, {"type": "none"}), status=201)["key"]
    assert api.ok("GET", f"{BACKUPS}/{key}")["body"]["target"]["host_key"] == {"selection": "rsa", "value": RSA_BLOB}


def test_a_host_key_string_of_no_offered_algorithm_is_refused(api: Client) -> None:
    r = api.call("POST", BACKUPS, rsync(api, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", {"type": "none"}))
    assert r.status_code == 400 and error_of(r)["details"]["errors"][0]["path"] == "target.host_key"


def ad_server(**membership: Any) -> dict[str, Any]:
    body = copy.deepcopy(LDAP_POSIX)
    body["schema"] = {"selection": "ad", "membership_check": {"enabled": True, **membership}}
    return body


def test_nested_groups_must_be_set_with_the_ad_schema(api: Client) -> None:
    """S004: nested_groups "Must be used if the selection element is set to ad"."""
    r = api.call("POST", LDAP, ad_server())
    assert r.status_code == 400
    assert error_of(r)["details"]["errors"] == [
        {"path": "schema.membership_check.nested_groups", "message": "is required when schema.selection is 'ad'"}
    ]
    api.ok("POST", LDAP, ad_server(nested_groups=False), status=201)


@pytest.mark.parametrize("field", ["user_base_dn", "group_base_dn"])
def test_base_dns_must_be_filled_in(api: Client, field: str) -> None:
    """S004: "You must fill in this field"."""
    r = api.call("POST", LDAP, {**LDAP_POSIX, "name": "empty_dn", field: " "})
    assert r.status_code == 400 and error_of(r)["details"]["errors"][0] == {
        "path": field,
        "message": "must be filled in",
    }


def test_connection_policies_reference_plugin_instances_and_an_instance_in_use_stays(api: Client) -> None:
    """S003: "Remove any references to the plugin instance from your Connection Policies. You
    cannot delete a plugin instance that other parts of the configuration actively use"."""
    instance = api.ok("POST", f"{API}/policies/aa_plugin_instances", request_form(AA_PLUGIN_INSTANCE), status=201)
    body = request_form(MSSQL_CONNECTION_BODY)
    body["policies"]["aa_plugin"] = "8876228625d67aa91e2253"  # the uploaded plugin, not an instance
    r = api.call("POST", f"{API}/mssql/connections", body)
    assert r.status_code == 400 and error_of(r)["details"]["errors"][0]["path"] == "policies.aa_plugin"
    body["policies"]["aa_plugin"] = instance["key"]
    api.ok("POST", f"{API}/mssql/connections", body, status=201)
    r = api.call("DELETE", f"{API}/policies/aa_plugin_instances/{instance['key']}")
    assert r.status_code == 400 and "/api/configuration/mssql/connections/" in error_of(r)["message"]


def test_a_password_answer_links_no_other_password(api: Client) -> None:
    """Passwords cannot be listed (sps-rest-api.md 5.2): an answer must not link to other keys."""
    first = api.ok("POST", f"{API}/passwords", {"plain": "a"}, status=201)["key"]
    second = api.ok("POST", f"{API}/passwords", {"plain": "b"}, status=201)["key"]
    meta = api.ok("GET", f"{API}/passwords/{second}")["meta"]
    assert first not in str(meta)
    assert meta["href"] == f"{API}/passwords/{second}" and meta["parent"] == f"{API}/passwords"


def test_login_methods_are_listed_without_a_session(api: Client) -> None:
    """AUTH-7.1.1: 7.x uses GET /api/authentication/login_methods; safeguard-ps calls it without a
    session and appends ?login_method=<name> to /api/authentication."""
    anonymous = api.sim.anonymous()
    doc = anonymous.get(f"{api.sim.url}/api/authentication/login_methods").json()
    assert [m["key"] for m in doc["items"]] == ["local"]
    ok = anonymous.get(f"{api.sim.url}/api/authentication?login_method=local", auth=("admin", "admin"))
    assert ok.status_code == 200 and "session_id" in ok.cookies
    bad = anonymous.get(f"{api.sim.url}/api/authentication?login_method=radius", auth=("admin", "admin"))
    assert bad.status_code == 401 and bad.json()["error"]["type"] == "AuthenticationFailure"


def test_network_targets_may_be_bare_ip_addresses(api: Client) -> None:
    """S000: targets "List of target IP addresses" (the samples add a prefix; neither is required)."""
    body = request_form(MSSQL_CONNECTION_BODY)
    body["name"] = "bare_ip"
    body["network"] = {**body["network"], "clients": ["10.0.0.7"], "targets": ["10.1.2.3", "10.1.0.0/16"]}
    key = api.ok("POST", f"{API}/mssql/connections", body, status=201)["key"]
    assert api.ok("GET", f"{API}/mssql/connections/{key}")["body"]["network"]["targets"] == ["10.1.2.3", "10.1.0.0/16"]


def test_the_field_tables_timestamping_is_the_examples_timestamping_enabled(api: Client) -> None:
    """S004: the table says "timestamping boolean", every example "timestamping_enabled"."""
    body = {"name": "ts_table_name", "encryption": {"enabled": False}, "signing": {"enabled": False},
            "timestamping": True}  # fmt: skip
    key = api.ok("POST", f"{API}/policies/audit_policies", body, status=201)["key"]
    stored = api.ok("GET", f"{API}/policies/audit_policies/{key}")["body"]
    assert stored["timestamping_enabled"] is True and "timestamping" not in stored


def test_a_connection_policys_cleanup_days_stay_within_the_protocols_global_retention(tmp_path: Path) -> None:
    """S000: channel_database_cleanup.days "Must not exceed ... the retention time configured in the
    global settings of the protocol" (mssql/options); S001: the global one "Must exceed ... the
    connection-specific database cleanup times". Checked at commit, either side changing."""
    sim = start_simulator(tmp_path)
    try:
        api = Client(sim)
        options = {
            "channel_database_cleanup": {"enabled": True, "days": 365},
            "service": {"enabled": True, "log_level": 4},
        }
        api.ok("PUT", f"{API}/mssql/options", options)
        api.commit()
        body = request_form(MSSQL_CONNECTION_BODY)
        body["channel_database_cleanup"] = {"enabled": True, "days": 400}
        key = api.ok("POST", f"{API}/mssql/connections", body, status=201)["key"]
        r = api.call("PUT", "/api/transaction", {"status": "commit"})
        problem = error_of(r)["details"]["errors"][0]
        assert r.status_code == 400 and problem["path"] == f"{API}/mssql/connections/{key}", r.text
        assert "channel_database_cleanup.days is 400" in problem["message"] and "(365)" in problem["message"]
        api.call("DELETE", "/api/transaction")
        body["channel_database_cleanup"]["days"] = 365
        key = api.ok("POST", f"{API}/mssql/connections", body, status=201)["key"]
        api.commit()
        api.ok("PUT", f"{API}/mssql/options", {**options, "channel_database_cleanup": {"enabled": True, "days": 200}})
        r = api.call("PUT", "/api/transaction", {"status": "commit"})
        assert r.status_code == 400 and error_of(r)["details"]["errors"][0]["path"] == f"{API}/mssql/connections/{key}"
        api.call("DELETE", "/api/transaction")
        api.ok("PUT", f"{API}/mssql/options", {**options, "channel_database_cleanup": {"enabled": False}})
        api.commit()  # no global retention: nothing caps the connection's
    finally:
        sim.stop()
