"""Documented behaviours the simulator once got wrong (issue 25, item 5), found by trying the
documented calls over HTTPS; each test names the page it follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.simulator_api import API, Client, error_of

TIME_POLICIES = f"{API}/policies/time_policies"


@pytest.fixture
def sps_6_0(tmp_path: Path) -> Iterator[Client]:
    s = start_simulator(tmp_path / "sim-6.0.1", "--firmware", "6.0.1")
    client = Client(s)
    yield client
    client.call("DELETE", "/api/transaction")
    s.stop()


def time_policy(name: str) -> dict[str, object]:
    return {"name": name, **{day: [["0:00", "23:59"]] for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}}


# -- meta --------------------------------------------------------------------------------------
def test_remaining_seconds_is_at_most_the_samples_600(api: Client) -> None:
    """Every sample meta shows `remaining_seconds` 600 (one 599) [S000]-[S003] [ANALYTICS-POL]."""
    for path in (f"{API}/mssql", TIME_POLICIES, f"{TIME_POLICIES}/-100", "/api/transaction"):
        doc = api.ok("GET", path)
        seconds = doc["meta"]["remaining_seconds"]
        assert isinstance(seconds, int) and 590 <= seconds <= 600, (path, doc["meta"])


def test_a_delete_answers_links_relative_to_the_deleted_object(api: Client) -> None:
    """[DELETE]: the sample deletes the last RDP channel policy and answers `first` the first one,
    `href` and `last` the deleted object, `previous` the one before it, `next` null."""
    keys = [api.ok("POST", TIME_POLICIES, time_policy(f"tf_delete_{i}"), status=201)["key"] for i in range(3)]
    listed = [i["key"] for i in api.ok("GET", TIME_POLICIES)["items"]]
    last = api.ok("DELETE", f"{TIME_POLICIES}/{keys[-1]}")["meta"]
    assert last == {
        "first": f"{TIME_POLICIES}/{listed[0]}",
        "href": f"{TIME_POLICIES}/{keys[-1]}",
        "last": f"{TIME_POLICIES}/{keys[-1]}",
        "next": None,
        "parent": TIME_POLICIES,
        "previous": f"{TIME_POLICIES}/{keys[-2]}",
        "transaction": "/api/transaction",
    }
    middle = api.ok("DELETE", f"{TIME_POLICIES}/{keys[0]}")["meta"]
    assert middle["href"] == f"{TIME_POLICIES}/{keys[0]}"
    assert middle["next"] == f"{TIME_POLICIES}/{keys[1]}" and middle["last"] == f"{TIME_POLICIES}/{keys[1]}"


# -- transactions by firmware ------------------------------------------------------------------
def test_sps_6_0_refuses_a_write_without_an_open_transaction(sps_6_0: Client) -> None:
    """[TX-OLD] (5.7.0, 6.0.x pages): "Before changing anything in the configuration of SPS, you
    must POST a request to open a transaction"; the first change opens one only from 6.9 on."""
    r = sps_6_0.call("POST", TIME_POLICIES, time_policy("tf_without_transaction"))
    assert r.status_code == 400 and error_of(r)["type"] == "SemanticError"
    assert error_of(r)["details"]["path"] == TIME_POLICIES
    assert "POST /api/transaction" in error_of(r)["message"]
    sps_6_0.ok("POST", "/api/transaction")
    sps_6_0.ok("POST", TIME_POLICIES, time_policy("tf_within_transaction"), status=201)
    sps_6_0.commit()


def test_sps_6_0_answers_the_old_transaction_shape(sps_6_0: Client) -> None:
    """[TX-OLD] [TX-6.9.3]: `{"key": "transaction", "meta": {...}, "transaction": {"status": ...}}`."""
    closed = sps_6_0.ok("GET", "/api/transaction")
    assert closed["key"] == "transaction" and closed["transaction"] == {"status": "closed"}
    assert "body" not in closed
    assert closed["meta"]["href"] == "/api/transaction" and closed["meta"]["parent"] == "/api"
    opened = sps_6_0.ok("POST", "/api/transaction")
    assert opened["transaction"] == {"status": "open"}


def test_7_5_answers_the_new_transaction_shape_and_opens_on_the_first_write(api: Client) -> None:
    """[TX-7.x] [TX-8.0]: `{"body": {"commit_message": ..., "status": ...}, "key": ..., "meta": ...}`."""
    doc = api.ok("GET", "/api/transaction")
    assert doc["body"] == {"commit_message": "optional", "status": "closed"} and "transaction" not in doc
    api.ok("POST", TIME_POLICIES, time_policy("tf_auto_open"), status=201)
    assert api.ok("GET", "/api/transaction")["body"]["status"] == "open"


# -- built-in and default objects ----------------------------------------------------------------
SSH_CHANNELS = f"{API}/ssh/channel_policies"
USERLISTS = f"{API}/policies/userlists"
USERS = f"{API}/aaa/local_database/users"


def test_the_default_ssh_channel_policy_allows_only_session_shell(api: Client) -> None:
    """[SSH-DEFAULT]: "The default SSH channel policy allows session shell access only" (its key
    and name are the simulator's choice, docs/simulator.md)."""
    listed = [item["key"] for item in api.ok("GET", SSH_CHANNELS)["items"]]
    assert listed[:1] == ["-10100"]
    body = api.ok("GET", f"{SSH_CHANNELS}/-10100")["body"]
    assert body["name"] == "default" and [rule["channel"] for rule in body["rules"]] == ["session-shell"]
    r = api.call("DELETE", f"{SSH_CHANNELS}/-10100")
    assert r.status_code == 400 and error_of(r)["type"] == "SemanticError"


def test_the_construct_finds_the_default_ssh_channel_policy_by_name(sim: RunningSimulator, tmp_path: Path) -> None:
    """`.builtin(sps, "default")` looks the policy up by name (its key is assumed), and the data
    source finds it on the simulator."""
    from cdktf import App, TerraformStack

    from sps_constructs import Appliance
    from sps_constructs.types.ssh_channel_policy import SshChannelPolicy

    sps = Appliance(TerraformStack(App(outdir=str(tmp_path / "synth")), "s"), "sps", url=sim.url)
    lookup = SshChannelPolicy.builtin(sps, "default")
    assert dict(lookup.sps_attributes) == {"name": "default"}
    provider = InProcessProvider(sim)
    try:
        found = provider.read_data_source("sps_ssh_channel_policy", dict(lookup.sps_attributes))
    finally:
        provider.close()
    assert found["key"] == "-10100" and found["rules"][0]["channel"] == "session-shell"


def test_sps_ships_default_user_lists_with_negative_keys(api: Client) -> None:
    """[USERLISTS]: "Keys with negative ID values are the default user lists of SPS"."""
    listed = api.ok("GET", USERLISTS)["items"]
    defaults = [item for item in listed if item["key"].startswith("-")]
    assert [item["key"] for item in defaults] == ["-1001", "-1002"]
    assert {item["body"]["name"] for item in defaults} == {"all_users", "no_users"}
    r = api.call("DELETE", f"{USERLISTS}/-1001")
    assert r.status_code == 400 and error_of(r)["type"] == "SemanticError"


def test_admin_exists_and_cannot_be_deleted(api: Client) -> None:
    """[LOCAL-USERS]: "`admin` exists by default with every privilege and cannot be deleted"."""
    users = {item["body"]["name"]: item["key"] for item in api.ok("GET", USERS)["items"]}
    assert "admin" in users
    r = api.call("DELETE", f"{USERS}/{users['admin']}")
    assert r.status_code == 400 and error_of(r)["type"] == "SemanticError"
    assert "built-in" in error_of(r)["message"]
    assert api.ok("GET", f"{USERS}/{users['admin']}")["body"]["name"] == "admin"


# -- aaa: the ACLs and the container -------------------------------------------------------------
def test_acls_are_a_read_only_list_valued_body(api: Client) -> None:
    """[ACLS]: `GET /api/configuration/aaa/acls` answers `body` as a list of `{group, objects,
    permission}` (the sample's entries); the privileges cannot be edited over REST."""
    doc = api.ok("GET", f"{API}/aaa/acls")
    assert doc["key"] == "acls" and isinstance(doc["body"], list) and doc["body"]
    for acl in doc["body"]:
        assert set(acl) == {"group", "objects", "permission"} and acl["permission"] in ("read", "write")
    assert doc["body"][0] == {"group": "basic-view", "objects": ["/special/basic"], "permission": "read"}
    assert doc["meta"]["parent"] == f"{API}/aaa"
    for method in ("PUT", "POST", "DELETE"):
        r = api.call(method, f"{API}/aaa/acls", [])
        assert r.status_code == 405 and error_of(r)["type"] == "MethodNotAllowed", method


def test_the_aaa_container_lists_its_documented_children(api: Client) -> None:
    """7.0.2 LTS guide: `aaa` lists acls, ldap_servers, local_database, login_methods, settings
    (8.0 adds saml2; the simulator plays 7.5.1)."""
    kids = [item["key"] for item in api.ok("GET", f"{API}/aaa")["items"]]
    assert kids == ["acls", "ldap_servers", "local_database", "login_methods", "settings"]
    assert api.ok("GET", f"{API}/aaa/acls")["meta"]["next"] == f"{API}/aaa/ldap_servers"


# -- accounting: require_commitlog -------------------------------------------------------------
ACCOUNTING = f"{API}/management/accounting"


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[RunningSimulator]:
    s = start_simulator(tmp_path / "sim-commitlog")
    yield s
    s.stop()


def require_commitlog(sim: RunningSimulator) -> None:
    """Set `require_commitlog` (the commit that sets it needs no message: the rule is the committed one)."""
    api = Client(sim)
    api.ok("PUT", ACCOUNTING, {"require_commitlog": True})
    api.commit()


def test_accounting_is_served_and_commits_need_no_message_by_default(api: Client) -> None:
    """[TX-7.x]: `commit_message` is `optional` while `require_commitlog` in
    /api/configuration/management/accounting is false."""
    doc = api.ok("GET", ACCOUNTING)
    assert doc["key"] == "accounting" and doc["body"] == {"require_commitlog": False}
    assert api.ok("GET", "/api/transaction")["body"]["commit_message"] == "optional"
    api.ok("POST", TIME_POLICIES, time_policy("tf_no_message"), status=201)
    api.commit()


def test_require_commitlog_makes_a_commit_message_required(fresh: RunningSimulator) -> None:
    """[TX-7.x]: with `require_commitlog` true the status says `required`, and a commit without a
    message is refused (the error is not documented: 400 SemanticError, the transaction stays open)."""
    require_commitlog(fresh)
    api = Client(fresh)
    assert api.ok("GET", "/api/transaction")["body"]["commit_message"] == "required"
    api.ok("POST", TIME_POLICIES, time_policy("tf_needs_a_message"), status=201)
    for body in ({"status": "commit"}, {"status": "commit", "commit_message": "  "}):
        r = api.call("PUT", "/api/transaction", body)
        assert r.status_code == 400 and error_of(r)["type"] == "SemanticError", r.text
        assert "commit message is required" in error_of(r)["message"]
    r = api.call("PUT", "/api/transaction", {"status": "commit", "commit_message": 42})
    assert r.status_code == 400 and error_of(r)["type"] == "SyntacticError"
    assert api.ok("GET", "/api/transaction")["body"]["status"] == "open"
    api.ok("PUT", "/api/transaction", {"status": "commit", "commit_message": "ticket 42"})
    assert api.ok("GET", "/api/transaction")["body"]["status"] == "closed"


def test_the_provider_commits_with_its_commit_message_where_one_is_required(fresh: RunningSimulator) -> None:
    require_commitlog(fresh)
    config = time_policy("tf_provider_message")
    without = InProcessProvider(fresh)
    try:
        with pytest.raises(ProviderError, match="commit message is required"):
            without.create("sps_time_policy", config)
    finally:
        without.close()
    provider = InProcessProvider(fresh, commit_message="managed by terraform")
    try:
        state = provider.create("sps_time_policy", config)
    finally:
        provider.close()
    assert Client(fresh).ok("GET", f"{TIME_POLICIES}/{state['key']}")["body"]["name"] == "tf_provider_message"
