"""The simulator against the documented API: samples of seeds 000 and 004, statuses, transactions."""

from __future__ import annotations

import contextlib
import copy
import http.client
import json
import ssl
import threading
import time
from typing import Any

import pytest
import requests

from sps_harness import RunningSimulator, start_simulator
from tests.support.seed_samples import (
    AA_PLUGIN_INSTANCE,
    AUDIT_EXAMPLES,
    BACKUP_POLICY,
    CREDENTIAL_STORE,
    EXPORT_ENCRYPTION,
    LDAP_POSIX,
    MSSQL_CONNECTION_BODY,
    MSSQL_CONTAINER_ITEMS,
    VNC_SETTINGS_DEFAULT,
    request_form,
)
from tests.support.simulator_api import API, Client, error_of


@pytest.fixture
def api(simulator: RunningSimulator) -> Client:
    return Client(simulator)


def post_without_body(api: Client, path: str) -> http.client.HTTPResponse:
    """A POST with neither Content-Length nor a body (requests always adds Content-Length: 0)."""
    host, port = api.sim.url.removeprefix("https://").rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=ssl.create_default_context(cafile=api.sim.ca))
    conn.putrequest("POST", path)
    conn.putheader("Cookie", f"session_id={api.s.cookies['session_id']}")
    conn.endheaders()
    return conn.getresponse()


# -- authentication (AUTH pages, seeds' status tables) ---------------------------------------
def test_login_sets_session_cookie_and_meta(simulator: RunningSimulator) -> None:
    s = simulator.anonymous()
    r = s.get(f"{simulator.url}/api/authentication", auth=("admin", "admin"))
    assert r.status_code == 200
    assert "meta" in r.json()
    assert len(s.cookies["session_id"]) == 40
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie


def test_wrong_credentials_answer_401_authentication_failure(simulator: RunningSimulator) -> None:
    r = requests.get(f"{simulator.url}/api/authentication", auth=("admin", "nope"), verify=simulator.ca)
    assert r.status_code == 401 and error_of(r)["type"] == "AuthenticationFailure"


def test_no_session_answers_401_unauthenticated_with_path(simulator: RunningSimulator) -> None:
    r = Client(simulator, login=False).call("GET", f"{API}/mssql")
    assert r.status_code == 401
    assert error_of(r)["type"] == "Unauthenticated"
    assert error_of(r)["details"]["path"] == f"{API}/mssql"


def test_sessions_expire_after_idle_time(tmp_path: Any) -> None:
    sim = start_simulator(tmp_path / "sim", "--session-timeout", "1")
    try:
        c = Client(sim)
        assert c.call("GET", f"{API}/mssql").status_code == 200
        time.sleep(1.5)
        r = c.call("GET", f"{API}/mssql")
        assert r.status_code == 401 and error_of(r)["type"] == "Unauthenticated"
    finally:
        sim.stop()


# -- message format (seed 000) ---------------------------------------------------------------
def test_mssql_container_lists_the_documented_endpoints(api: Client) -> None:
    doc = api.ok("GET", f"{API}/mssql")
    assert doc["items"] == MSSQL_CONTAINER_ITEMS
    meta = doc["meta"]
    assert meta["href"] == f"{API}/mssql" and meta["parent"] == API and meta["transaction"] == "/api/transaction"
    assert isinstance(meta["remaining_seconds"], int)


def test_seed_000_connection_sample_round_trips(api: Client) -> None:
    created = api.ok("POST", f"{API}/mssql/connections", request_form(MSSQL_CONNECTION_BODY), status=201)
    key = created["key"]
    assert created["meta"] == {
        "href": f"{API}/mssql/connections/{key}",
        "parent": f"{API}/mssql/connections",
        "transaction": "/api/transaction",
    }
    api.commit()
    doc = api.ok("GET", f"{API}/mssql/connections/{key}")
    assert doc["body"] == MSSQL_CONNECTION_BODY
    assert doc["key"] == key
    meta = doc["meta"]
    assert meta["parent"] == f"{API}/mssql/connections" and meta["href"] == f"{API}/mssql/connections/{key}"
    assert meta["first"] == meta["last"] == meta["href"] and meta["next"] is None and meta["previous"] is None
    listing = api.ok("GET", f"{API}/mssql/connections")
    assert [i["key"] for i in listing["items"]] == [key]
    assert listing["meta"]["order"] == f"{API}/mssql/connections/@order"
    assert listing["meta"]["previous"] == f"{API}/mssql/channel_policies"
    assert listing["meta"]["next"] == f"{API}/mssql/options"


def test_seed_004_audit_examples(api: Client) -> None:
    x509 = {ex["name"]: api.ok("POST", f"{API}/x509", {"name": f"cert_{ex['name']}"}, status=201)["key"]
            for ex in AUDIT_EXAMPLES[2:]}  # fmt: skip
    default, *others = copy.deepcopy(AUDIT_EXAMPLES)
    api.ok("PUT", f"{API}/policies/audit_policies/78101850949e47437dd91d", default)
    keys = []
    for ex in others:
        if ex["signing"]["enabled"]:
            ex["signing"]["x509_identity"] = x509[ex["name"]]
        keys.append(api.ok("POST", f"{API}/policies/audit_policies", ex, status=201)["key"])
    api.commit()
    for key, ex in zip(keys, others, strict=True):
        body = api.ok("GET", f"{API}/policies/audit_policies/{key}")["body"]
        assert request_form(body) == ex
        if ex["signing"]["enabled"]:
            ref = body["signing"]["x509_identity"]
            assert ref == {"key": ex["signing"]["x509_identity"], "meta": {"href": f"{API}/x509/{ref['key']}"}}
    listing = api.ok("GET", f"{API}/policies/audit_policies")
    assert [i["key"] for i in listing["items"]] == ["78101850949e47437dd91d", *keys]


def test_unknown_object_answers_404(api: Client) -> None:
    r = api.call("GET", f"{API}/policies/audit_policies/nope")
    assert r.status_code == 404 and error_of(r)["type"] == "NotFound"


def test_read_only_types_refuse_writes(api: Client) -> None:
    r = api.call("POST", f"{API}/mssql/authentication_policies", {"name": "x"})
    assert r.status_code == 405 and error_of(r)["type"] == "MethodNotAllowed"


# -- validation --------------------------------------------------------------------------------
def test_validation_errors_name_every_field(api: Client) -> None:
    body = request_form(MSSQL_CONNECTION_BODY)
    body["server_address"] = {"selection": "fix", "custom_dns": {"enabled": False}}
    body["policies"]["audit_policy"] = None
    body["access_control"] = [{"authorizer": "g", "permission": "watch", "subject": {"selection": "everybody"}}]
    r = api.call("POST", f"{API}/mssql/connections", body)
    assert r.status_code == 400
    err = error_of(r)
    assert err["type"] == "SemanticError"
    paths = {e["path"] for e in err["details"]["errors"]}
    assert paths == {"server_address.address", "server_address.port", "policies.audit_policy",
                     "access_control[0].permission"}  # fmt: skip


def test_references_must_exist_and_have_the_right_type(api: Client) -> None:
    body = request_form(MSSQL_CONNECTION_BODY)
    body["policies"]["channel_policy"] = "78101850949e47437dd91d"  # an audit policy key
    r = api.call("POST", f"{API}/mssql/connections", body)
    assert r.status_code == 400
    assert error_of(r)["details"]["errors"][0]["path"] == "policies.channel_policy"


def test_malformed_json_is_a_syntactic_error(api: Client) -> None:
    r = api.call(
        "POST", f"{API}/policies/audit_policies", data=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and error_of(r)["type"] == "SyntacticError"


def test_names_are_unique_per_collection(api: Client) -> None:
    r = api.call("POST", f"{API}/policies/audit_policies", AUDIT_EXAMPLES[0])
    assert r.status_code == 400 and "already exists" in error_of(r)["message"]


# -- referential integrity ---------------------------------------------------------------------
def test_built_ins_and_referenced_objects_cannot_be_deleted(api: Client) -> None:
    r = api.call("DELETE", f"{API}/policies/audit_policies/78101850949e47437dd91d")
    assert r.status_code == 400 and "built-in" in error_of(r)["message"]
    audit = api.ok("POST", f"{API}/policies/audit_policies", {**AUDIT_EXAMPLES[0], "name": "used"}, status=201)["key"]
    body = request_form(MSSQL_CONNECTION_BODY)
    body["policies"]["audit_policy"] = audit
    conn = api.ok("POST", f"{API}/mssql/connections", body, status=201)["key"]
    api.commit()
    r = api.call("DELETE", f"{API}/policies/audit_policies/{audit}")
    assert r.status_code == 400 and conn in error_of(r)["message"]
    api.ok("DELETE", f"{API}/mssql/connections/{conn}")
    api.ok("DELETE", f"{API}/policies/audit_policies/{audit}")
    api.commit()


# -- transactions and the lock -----------------------------------------------------------------
def test_transaction_lifecycle_and_changelog(api: Client) -> None:
    assert api.ok("GET", "/api/transaction")["body"]["status"] == "closed"
    assert post_without_body(api, "/api/transaction").status == 411
    assert api.s.post(api.sim.url + "/api/transaction", data=b"").status_code == 200
    assert api.ok("GET", "/api/transaction")["body"]["status"] == "open"
    api.ok("POST", f"{API}/policies/audit_policies", {**AUDIT_EXAMPLES[0], "name": "tx"}, status=201)
    changes = api.ok("GET", "/api/transaction/changes")["changes"]
    assert [c["type"] for c in changes] == ["create"]
    assert api.ok("DELETE", "/api/transaction") == {"meta": {"href": "/api/transaction", "parent": "/api"}}
    names = [i["body"]["name"] for i in api.ok("GET", f"{API}/policies/audit_policies")["items"]]
    assert "tx" not in names


def test_writes_auto_open_and_other_sessions_see_only_committed(simulator: RunningSimulator) -> None:
    a, b = Client(simulator), Client(simulator)
    key = a.ok("POST", f"{API}/policies/audit_policies", {**AUDIT_EXAMPLES[0], "name": "pending"}, status=201)["key"]
    assert a.ok("GET", "/api/transaction")["body"]["status"] == "open"
    assert a.call("GET", f"{API}/policies/audit_policies/{key}").status_code == 200
    assert b.call("GET", f"{API}/policies/audit_policies/{key}").status_code == 404
    r = b.call("POST", f"{API}/policies/audit_policies", {**AUDIT_EXAMPLES[0], "name": "other"})
    assert r.status_code == 409
    assert error_of(r)["type"] == "ConfigurationLocked" and error_of(r)["details"]["locked_by"] == "admin"
    a.commit()
    assert b.call("GET", f"{API}/policies/audit_policies/{key}").status_code == 200
    b.ok("POST", f"{API}/policies/audit_policies", {**AUDIT_EXAMPLES[0], "name": "other"}, status=201)
    b.commit()


def test_reorder_connections(api: Client) -> None:
    keys = []
    for i in range(3):
        body = request_form(MSSQL_CONNECTION_BODY)
        body["name"] = f"c{i}"
        keys.append(api.ok("POST", f"{API}/mssql/connections", body, status=201)["key"])
    api.commit()
    order = f"{API}/mssql/connections/@order"
    assert api.ok("GET", order)["body"]["@order"] == keys
    api.ok("PUT", order, {"@order": keys[::-1]})
    assert api.ok("GET", "/api/transaction/changes")["changes"][0]["type"] == "reorder"
    api.commit()
    assert [i["key"] for i in api.ok("GET", f"{API}/mssql/connections")["items"]] == keys[::-1]
    assert api.call("PUT", order, {"@order": keys[:2]}).status_code == 400


def test_singleton_put_and_get(api: Client) -> None:
    doc = api.ok("GET", f"{API}/mssql/options")
    assert doc["key"] == "options" and doc["body"] == {"channel_database_cleanup": {"enabled": False},
                                                        "service": {"enabled": False}}  # fmt: skip
    api.ok("PUT", f"{API}/mssql/options", {"service": {"enabled": True, "log_level": 4}})
    api.commit()
    assert api.ok("GET", f"{API}/mssql/options")["body"]["service"] == {"enabled": True, "log_level": 4}
    assert api.call("DELETE", f"{API}/mssql/options").status_code == 405


# -- persistence ---------------------------------------------------------------------------------
def test_committed_configuration_survives_a_restart(simulator: RunningSimulator) -> None:
    c = Client(simulator)
    key = c.ok("POST", f"{API}/policies/audit_policies", {**AUDIT_EXAMPLES[0], "name": "kept"}, status=201)["key"]
    c.commit()
    c.ok("POST", f"{API}/policies/audit_policies", {**AUDIT_EXAMPLES[0], "name": "uncommitted"}, status=201)
    restarted = simulator.restart()
    try:
        names = [i["body"]["name"] for i in Client(restarted).ok("GET", f"{API}/policies/audit_policies")["items"]]
        assert names == ["default", "kept"]
        assert Client(restarted).call("GET", f"{API}/policies/audit_policies/{key}").status_code == 200
    finally:
        restarted.stop()


def test_a_crash_during_commit_leaves_old_or_new_never_a_mix(tmp_path: Any) -> None:
    """SIGKILL the simulator while it commits batches of 40 objects: after restart each batch is whole or absent."""
    sim = start_simulator(tmp_path / "sim")
    outcomes = []
    try:
        for round_ in range(6):
            c = Client(sim)
            for i in range(40):
                c.ok(
                    "POST",
                    f"{API}/policies/audit_policies",
                    {**AUDIT_EXAMPLES[0], "name": f"r{round_}_{i}"},
                    status=201,
                )
            killer = threading.Timer(0.001 * round_, sim.kill)
            killer.start()
            with contextlib.suppress(requests.RequestException):
                c.call("PUT", "/api/transaction", {"status": "commit"}, timeout=5)
            killer.join()
            sim = sim.restart()
            names = {i["body"]["name"] for i in Client(sim).ok("GET", f"{API}/policies/audit_policies")["items"]}
            batch = {n for n in names if n.startswith(f"r{round_}_")}
            assert len(batch) in (0, 40), f"round {round_}: {len(batch)} of 40 objects committed"
            outcomes.append(len(batch))
    finally:
        sim.stop()
    print("objects per round after SIGKILL:", json.dumps(outcomes))


# -- write-once secrets ([PASSWORDS]) -----------------------------------------------------------
def test_passwords_are_write_once_and_referenced_once(api: Client) -> None:
    created = api.ok("POST", f"{API}/passwords", {"plain": "pw-1"}, status=201)
    key = created["key"]
    assert api.call("GET", f"{API}/passwords").status_code == 405
    assert api.ok("GET", f"{API}/passwords/{key}")["body"] == {}
    assert api.call("PUT", f"{API}/passwords/{key}", {"plain": "pw-2"}).status_code == 405
    assert api.call("DELETE", f"{API}/passwords/{key}").status_code == 405
    ldap = {
        "name": "a", "user_base_dn": "dc=x", "group_base_dn": "dc=x", "bind_dn": "cn=a,dc=x", "bind_password": key,
        "servers": [{"host": {"selection": "ip", "value": "10.0.0.1"}, "port": 389}],
        "schema": {"selection": "posix", "username_attribute": "uid", "membership_check": {"enabled": False}},
    }  # fmt: skip
    first = api.ok("POST", f"{API}/policies/ldap_servers", ldap, status=201)["key"]
    r = api.call("POST", f"{API}/policies/ldap_servers", {**ldap, "name": "b"})
    assert r.status_code == 400 and "can be referenced once" in error_of(r)["message"]
    api.ok("PUT", f"{API}/policies/ldap_servers/{first}", {**ldap, "bind_dn": "cn=b,dc=x"})
    api.commit()
    body = api.ok("GET", f"{API}/policies/ldap_servers/{first}")["body"]
    assert body["bind_password"] == {"key": key, "meta": {"href": f"{API}/passwords/{key}"}}
    assert "pw-1" not in json.dumps(api.sim.committed())


# -- the other seed pages' samples ---------------------------------------------------------------
def test_seed_001_vnc_settings_default_is_as_documented(api: Client) -> None:
    doc = api.ok("GET", f"{API}/vnc/settings_policies/-30211")
    assert doc["body"] == VNC_SETTINGS_DEFAULT
    assert doc["meta"]["parent"] == f"{API}/vnc/settings_policies"
    options = api.ok("GET", f"{API}/vnc/options")
    assert options["key"] == "options"
    assert options["body"] == {"channel_database_cleanup": {"enabled": False}, "service": {"enabled": False}}
    custom = {
        **VNC_SETTINGS_DEFAULT,
        "name": "custom",
        "timeout": 300,
        "inactivity_timeout": {"enabled": True, "value": 900},
    }
    r = api.call("POST", f"{API}/vnc/settings_policies", custom)
    assert r.status_code == 201, r.text


def test_seed_002_singletons_round_trip(api: Client) -> None:
    api.ok("PUT", f"{API}/management/exported_configuration_encryption", EXPORT_ENCRYPTION)
    backup = api.ok("POST", f"{API}/policies/backup_policies", BACKUP_POLICY, status=201)["key"]
    api.ok("PUT", f"{API}/management/system_backup", {"backup_policy": backup})
    api.commit()
    doc = api.ok("GET", f"{API}/management/exported_configuration_encryption")
    assert doc["key"] == "exported_configuration_encryption" and doc["body"] == EXPORT_ENCRYPTION
    assert api.ok("GET", f"{API}/management/system_backup")["body"]["backup_policy"] == {
        "key": backup,
        "meta": {"href": f"{API}/policies/backup_policies/{backup}"},
    }


def test_seed_003_samples(api: Client) -> None:
    created = api.ok("POST", f"{API}/policies/aa_plugin_instances", request_form(AA_PLUGIN_INSTANCE), status=201)
    api.commit()
    assert api.ok("GET", f"{API}/policies/aa_plugin_instances/{created['key']}")["body"] == AA_PLUGIN_INSTANCE
    r = api.call("POST", f"{API}/policies/aa_plugin_instances", {**request_form(AA_PLUGIN_INSTANCE), "name": "1bad"})
    assert r.status_code == 400 and error_of(r)["type"] == "SemanticError"
    assert api.ok("GET", f"{API}/policies/credentialstores/935272738572bc2ec1dbdd")["body"] == CREDENTIAL_STORE
    plugin = api.ok("GET", f"{API}/plugins/credentialstore/2534221015734bb18aaf32")["body"]
    assert plugin["name"] == "DemoCredentialStorePlugin" and plugin["entry_point"] is None
    assert api.call("POST", f"{API}/policies/credentialstores", {"name": "x"}).status_code == 405


def test_seed_004_backup_and_ldap_samples_round_trip(api: Client) -> None:
    keys = {
        path: api.ok("POST", f"{API}/{path}", body, status=201)["key"]
        for path, body in (("policies/backup_policies", BACKUP_POLICY), ("policies/ldap_servers", LDAP_POSIX))
    }
    api.commit()
    assert api.ok("GET", f"{API}/policies/backup_policies/{keys['policies/backup_policies']}")["body"] == BACKUP_POLICY
    assert api.ok("GET", f"{API}/policies/ldap_servers/{keys['policies/ldap_servers']}")["body"] == LDAP_POSIX


def test_seed_002_nic_address_references(api: Client) -> None:
    """References into a NIC: dotted keys in, key + fragment href out (seed 002)."""
    user_web = {
        "access_restriction": {"allowed_from": ["10.40.0.0/16"], "enabled": True},
        "listen": [{"address": "nic1.interfaces.ff7574025754b3df1647001.addresses.1", "http_port": 80,
                    "https_port": 443}],
    }  # fmt: skip
    api.ok("PUT", f"{API}/local_services/user_web", user_web)
    cluster_key = "nic1.interfaces.ff7574025754b3df1647001.addresses.2553887595ce3ca7f1eae4"
    api.ok("PUT", f"{API}/local_services/cluster", {"enabled": True, "listen_address": cluster_key})
    api.commit()
    listen = api.ok("GET", f"{API}/local_services/user_web")["body"]["listen"][0]["address"]
    assert listen == {
        "key": "nic1.interfaces.ff7574025754b3df1647001.addresses.1",
        "meta": {"href": "/api/configuration/network/nics/nic1#interfaces/ff7574025754b3df1647001/addresses/1"},
    }
    cluster = api.ok("GET", f"{API}/local_services/cluster")
    assert cluster["key"] == "cluster"
    assert cluster["body"]["listen_address"]["meta"]["href"].endswith("#interfaces/ff7574025754b3df1647001/addresses/"
                                                                      "2553887595ce3ca7f1eae4")  # fmt: skip
    r = api.call(
        "PUT", f"{API}/local_services/cluster", {"enabled": True, "listen_address": "nic2.interfaces.x.addresses.1"}
    )
    assert r.status_code == 400 and "nic2 has no interface 'x'" in error_of(r)["message"]
