"""The objects SSH and RDP policies reference (shared/sps-api-ssh-rdp.md §2.2-2.4, §3.2-3.3, §4):
time policies, local groups, user lists, channel, settings and authentication policies, against
the simulator's documented samples and rules, and through the provider's servicer in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.simulator_api import API, Client

# [TIME]: the documented time policy body (named 7x24 there; the built-in -100 holds it).
TIME_7X24 = {day: [["0:00", "23:59"]] for day in ("Fri", "Mon", "Sat", "Sun", "Thu", "Tue", "Wed")}
# [LOCAL-GROUPS]: the documented group body.
LOCAL_GROUP = {"members": [], "name": "http-write"}
# [SSH-CH-8.0]: the documented special options of the x11 and local-forwards channels.
X11_NETWORKS = [{"selection": "address", "value": "192.168.1.1"}, {"selection": "address", "value": "192.168.1.2"}]
LOCAL_FORWARDS = [
    {
        "host_address": {"selection": "address", "value": "192.168.100.1"},
        "host_port": 5555,
        "originator_address": {"selection": "address", "value": "192.168.1.1"},
    }
]


def errors(r: Any) -> list[str]:
    return [e["path"] for e in r.json()["error"]["details"].get("errors", [])]


def test_the_time_policy_sample_is_the_builtin_and_is_accepted(api: Client) -> None:
    assert api.ok("GET", f"{API}/policies/time_policies/-100")["body"] == {**TIME_7X24, "name": "7x24"}
    key = api.ok("POST", f"{API}/policies/time_policies", {**TIME_7X24, "name": "always"}, status=201)["key"]
    assert api.ok("GET", f"{API}/policies/time_policies/{key}")["body"] == {**TIME_7X24, "name": "always"}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"Mon": [["8:00", "12:00", "13:00"]]}, "Mon[0]"),  # an interval is [start, end]
        ({"Tue": [["8:00"]]}, "Tue[0]"),
        ({"Wed": [["8:00", "24:00"]]}, "Wed[0][1]"),  # H:MM, hours 0-23
        ({"Thu": [["8h", "17:00"]]}, "Thu[0][0]"),
        ({"name": "office hours"}, "name"),  # [TIME]: no whitespace
        ({"mon": [["8:00", "17:00"]]}, "mon"),  # the days are SPS's capitalized names
    ],
)
def test_time_policy_rules(api: Client, change: dict[str, Any], path: str) -> None:
    r = api.call("POST", f"{API}/policies/time_policies", {**TIME_7X24, "name": "bad", **change})
    assert r.status_code == 400, r.text
    assert path in errors(r)


def test_a_time_policy_used_by_a_channel_rule_cannot_be_deleted(api: Client) -> None:
    time_key = api.ok("POST", f"{API}/policies/time_policies", {"name": "office", "Mon": [["8:00", "17:00"]]}, 201)[
        "key"
    ]
    rule = {"channel": "session-shell", "actions": {"audit": True}, "allowed_for": {"time_policy": time_key}}
    channel_key = api.ok("POST", f"{API}/ssh/channel_policies", {"name": "office_shell", "rules": [rule]}, 201)["key"]
    api.commit()
    r = api.call("DELETE", f"{API}/policies/time_policies/{time_key}")
    assert r.status_code == 400, r.text
    assert r.json()["error"]["details"]["referrers"] == [f"{API}/ssh/channel_policies/{channel_key}"]


def test_the_local_group_sample_is_accepted_and_members_change(api: Client) -> None:
    key = api.ok("POST", f"{API}/aaa/local_database/groups", LOCAL_GROUP, status=201)["key"]
    assert api.ok("GET", f"{API}/aaa/local_database/groups/{key}")["body"] == LOCAL_GROUP
    api.ok("PUT", f"{API}/aaa/local_database/groups/{key}", {**LOCAL_GROUP, "members": ["alice"]})
    assert api.ok("GET", f"{API}/aaa/local_database/groups/{key}")["body"]["members"] == ["alice"]


def test_ssh_channel_special_options_as_documented(api: Client) -> None:
    rules = [
        {"channel": "x11", "actions": {"audit": True}, "networks": X11_NETWORKS},
        {"channel": "local-forwards", "actions": {"audit": True}, "local_forwards": LOCAL_FORWARDS},
    ]
    key = api.ok("POST", f"{API}/ssh/channel_policies", {"name": "forwards", "rules": rules}, status=201)["key"]
    held = api.ok("GET", f"{API}/ssh/channel_policies/{key}")["body"]["rules"]
    assert [r["networks"] for r in held if "networks" in r] == [X11_NETWORKS]
    assert [r["local_forwards"] for r in held if "local_forwards" in r] == [LOCAL_FORWARDS]
    bad = [{"channel": "x11", "actions": {"audit": True}, "networks": [{"selection": "address", "value": "x"}]}]
    r = api.call("POST", f"{API}/ssh/channel_policies", {"name": "bad_x11", "rules": bad})
    assert r.status_code == 400 and "rules[0].networks[0].value" in errors(r)


def test_partly_documented_bodies_keep_unknown_fields_and_check_known_ones(api: Client) -> None:
    """§8.7: the docs give part of these bodies, so what they do not give is SPS's and kept."""
    rule = {"channel": "rdpdr", "actions": {"audit": True, "ids": False}, "redirections": ["rdpdr-serial"]}
    body = {"name": "redirects", "rules": [rule], "log_file_transfers": {"to_database": True}}
    key = api.ok("POST", f"{API}/rdp/channel_policies", body, status=201)["key"]
    held = api.ok("GET", f"{API}/rdp/channel_policies/{key}")["body"]
    assert held["log_file_transfers"] == {"to_database": True}
    assert held["rules"][0]["redirections"] == ["rdpdr-serial"]
    wrong = {"name": "bad", "rules": [{"channel": "x", "actions": {"audit": "yes"}}]}
    r = api.call("POST", f"{API}/rdp/channel_policies", wrong)
    assert r.status_code == 400 and "rules[0].actions.audit" in errors(r)
    userlist = {"name": "admins_only", "allow": "no_user", "except": ["root"]}
    key = api.ok("POST", f"{API}/policies/userlists", userlist, status=201)["key"]
    assert api.ok("GET", f"{API}/policies/userlists/{key}")["body"] == userlist


@pytest.mark.parametrize(
    ("path", "builtins"),
    [
        ("ssh/settings_policies", ["-300"]),  # [SSH-SET-7.1]
        ("ssh/authentication_policies", ["-200"]),  # [SSH-AUTH-6.0.2]
        ("rdp/settings_policies", ["-301", "-303"]),  # [RDP-SET]
        ("rdp/channel_policies", ["-20100"]),  # [DELETE]
        ("policies/time_policies", ["-100"]),  # [CHANGE-META]
    ],
)
def test_builtins_are_listed_in_their_own_collection_and_cannot_be_deleted(
    api: Client, path: str, builtins: list[str]
) -> None:
    listed = [item["key"] for item in api.ok("GET", f"{API}/{path}")["items"]]
    assert listed[: len(builtins)] == builtins
    r = api.call("DELETE", f"{API}/{path}/{builtins[0]}")
    assert r.status_code in (400, 405), r.text


def test_builtin_keys_are_scoped_by_collection(api: Client) -> None:
    """`-200` is SSH's built-in authentication policy, and means nothing in another collection."""
    assert api.call("GET", f"{API}/ssh/authentication_policies/-200").status_code == 200
    assert api.call("GET", f"{API}/ssh/settings_policies/-200").status_code == 404
    rule = {"channel": "session-shell", "actions": {"audit": True}, "allowed_for": {"time_policy": "-200"}}
    r = api.call("POST", f"{API}/ssh/channel_policies", {"name": "wrong_key", "rules": [rule]})
    assert r.status_code == 400 and "rules[0].allowed_for.time_policy" in errors(r)


@pytest.mark.parametrize("path", ["ssh/settings_policies", "ssh/authentication_policies", "rdp/settings_policies"])
def test_undocumented_writes_are_refused(api: Client, path: str) -> None:
    """No REST page says these can be written: the simulator answers as for read-only types."""
    assert api.call("POST", f"{API}/{path}", {"name": "mine"}).status_code == 405
    first = api.ok("GET", f"{API}/{path}")["items"][0]["key"]
    assert api.call("PUT", f"{API}/{path}/{first}", {"name": "renamed"}).status_code == 405


def test_data_sources_find_builtins_by_name_and_show_the_rest_as_json(provider: InProcessProvider) -> None:
    found = provider.read_data_source("sps_ssh_settings_policy", {"name": "default"})
    assert (found["key"], json.loads(found["extra_json"])) == ("-300", {})
    assert provider.read_data_source("sps_ssh_authentication_policy", {"name": "default"})["key"] == "-200"
    assert provider.read_data_source("sps_rdp_channel_policy", {"key": "-20100"})["rules"][0]["channel"] == "#drawing"
    time_policy = provider.read_data_source("sps_time_policy", {"name": "7x24"})
    assert (time_policy["key"], time_policy["Sun"]) == ("-100", [["0:00", "23:59"]])
    with pytest.raises(ProviderError, match="no object"):
        provider.read_data_source("sps_rdp_settings_policy", {"name": "no_such_policy"})


def test_an_update_keeps_what_the_docs_do_not_give(sim: RunningSimulator, provider: InProcessProvider) -> None:
    """A rule option set on the web interface (unknown to the catalog) survives a provider update."""
    config = {"name": "tf_keep", "rules": [{"channel": "rdpdr", "actions": {"audit": True}}]}
    state = provider.create("sps_rdp_channel_policy", config)
    api = Client(sim)
    path = f"{API}/rdp/channel_policies/{state['key']}"
    body = api.ok("GET", path)["body"]
    body["rules"][0]["redirections"] = ["rdpdr-serial"]
    api.ok("PUT", path, body)
    api.commit()
    provider.new_run()
    changed = {**config, "rules": [{"channel": "rdpdr", "actions": {"audit": False}}]}
    provider.update("sps_rdp_channel_policy", provider.read("sps_rdp_channel_policy", state), changed)
    held = api.ok("GET", path)["body"]["rules"][0]
    assert (held["actions"]["audit"], held["redirections"]) == (False, ["rdpdr-serial"])


def test_extra_json_sets_a_user_lists_undocumented_fields(sim: RunningSimulator, provider: InProcessProvider) -> None:
    extra = '{"allow": "no_user", "except": ["alice"]}'
    state = provider.create("sps_userlist", {"name": "tf_allow_alice", "extra_json": extra})
    held = Client(sim).ok("GET", f"{API}/policies/userlists/{state['key']}")["body"]
    assert held == {"name": "tf_allow_alice", "allow": "no_user", "except": ["alice"]}
    assert provider.plan("sps_userlist", state, {**state, "extra_json": extra}) == state
    provider.delete("sps_userlist", state)


def test_a_signing_ca_references_its_x509_identity(sim: RunningSimulator, provider: InProcessProvider) -> None:
    """[SIGNING-CA]: the body opens with `ca`, a reference object with the X.509 identity's UUID key."""
    api = Client(sim)
    x509 = api.ok("POST", f"{API}/x509", {"name": "rdp_ca_cert"}, status=201)["key"]
    key = api.ok("POST", f"{API}/policies/signing_cas", {"name": "rdp_ca", "ca": x509}, status=201)["key"]
    assert api.ok("GET", f"{API}/policies/signing_cas/{key}")["body"]["ca"] == {
        "key": x509,
        "meta": {"href": f"{API}/x509/{x509}"},
    }
    r = api.call("POST", f"{API}/policies/signing_cas", {"name": "no_ca"})
    assert r.status_code == 400 and "ca" in errors(r)
    api.commit()
    assert api.call("DELETE", f"{API}/x509/{x509}").status_code == 400, "an identity in use stays"
    found = provider.read_data_source("sps_signing_ca", {"name": "rdp_ca"})
    assert (found["key"], found["ca"]) == (key, x509)


# [RDP-DOM] and [RDP-OPT-7.1]: the documented bodies (the options sample with its missing comma mended).
DOMAIN_MEMBERSHIP = {"domain": "testdomain", "enabled": True, "realm": "testdomain.api.test"}
RDP_OPTIONS = {"channel_database_cleanup": {"enabled": False}, "service": {"enabled": False}}


def test_rdp_singletons_answer_and_take_their_documented_bodies(api: Client) -> None:
    assert api.ok("GET", f"{API}/rdp/options")["body"] == RDP_OPTIONS
    assert api.ok("GET", f"{API}/rdp/domain_membership")["body"] == {"enabled": False}
    api.ok("PUT", f"{API}/rdp/domain_membership", DOMAIN_MEMBERSHIP)
    assert api.ok("GET", f"{API}/rdp/domain_membership")["body"] == DOMAIN_MEMBERSHIP
    r = api.call("PUT", f"{API}/rdp/domain_membership", {"enabled": True, "realm": "testdomain.api.test"})
    assert r.status_code == 400 and "domain" in errors(r), "domain is required when enabled"
    api.ok("PUT", f"{API}/rdp/options", {**RDP_OPTIONS, "channel_database_cleanup": {"enabled": True, "days": 30}})
    r = api.call("PUT", f"{API}/rdp/options", {**RDP_OPTIONS, "channel_database_cleanup": {"enabled": True}})
    assert r.status_code == 400 and "channel_database_cleanup.days" in errors(r)


def test_rdp_options_are_read_only_before_their_documented_shape(tmp_path: Path) -> None:
    """The 6.x rdp/options body was not found: writes are refused there, reads still answer."""
    old = start_simulator(tmp_path / "sim", "--firmware", "6.9.4")
    try:
        api = Client(old)
        assert api.ok("GET", f"{API}/rdp/options")["body"] == RDP_OPTIONS
        assert api.call("PUT", f"{API}/rdp/options", RDP_OPTIONS).status_code == 405
    finally:
        old.stop()


# [SSH-OPT-6.0]: the only documented SSH options body (6.0 LTS, 6.0.1).
SSH_OPTIONS_6_0 = {
    "audit": {
        "cleanup": {"channel_database_cleanup_days": 600, "enabled": True},
        "timestamping": {"selection": "local", "signing_interval": 30},
    },
    "gssapi": {"enabled": False},
    "service": {"enabled": True, "log_level": 4},
}


def test_ssh_options_have_the_documented_shape_on_6_0(tmp_path: Path) -> None:
    old = start_simulator(tmp_path / "sim", "--firmware", "6.0.2")
    provider = InProcessProvider(old)
    try:
        api = Client(old)
        assert api.ok("GET", f"{API}/ssh/options")["body"] == SSH_OPTIONS_6_0
        no_days = {**SSH_OPTIONS_6_0, "audit": {**SSH_OPTIONS_6_0["audit"], "cleanup": {"enabled": True}}}
        api.ok("POST", "/api/transaction")  # [TX-OLD]: on 6.0 a write needs an open transaction
        r = api.call("PUT", f"{API}/ssh/options", no_days)
        assert r.status_code == 400 and "audit.cleanup.channel_database_cleanup_days" in errors(r)
        api.call("DELETE", "/api/transaction")  # the lock goes back before the provider writes
        config = {**SSH_OPTIONS_6_0, "gssapi": {"enabled": True}}
        state = provider.create("sps_ssh_options", config)
        assert api.ok("GET", f"{API}/ssh/options")["body"] == config
        assert provider.plan("sps_ssh_options", state, config) == state
    finally:
        provider.close()
        old.stop()


def test_ssh_options_of_6_0_are_refused_on_later_firmware(api: Client, provider: InProcessProvider) -> None:
    """Later firmware holds another shape (not documented): only `service` is assumed to stay."""
    assert api.ok("GET", f"{API}/ssh/options")["body"] == {"service": {"enabled": True, "log_level": 4}}
    with pytest.raises(ProviderError, match="audit does not exist on this appliance"):
        provider.plan("sps_ssh_options", None, SSH_OPTIONS_6_0)


@pytest.mark.parametrize(
    ("path", "links"),
    [
        # [SSH-SET-7.1] list sample (siblings computed from what is served; connections come later)
        (
            "ssh/settings_policies",
            {"first": "ssh/authentication_policies", "last": "ssh/settings_policies", "next": None},
        ),
        # [SSH-AUTH-6.0.2] list sample
        ("ssh/authentication_policies", {"first": "ssh/authentication_policies", "previous": None}),
        # [RDP-SET] list sample
        ("rdp/settings_policies", {"first": "rdp/channel_policies", "previous": "rdp/options", "next": None}),
        # [USERMAP] list sample: user lists come right before usermapping policies, which are last
        ("policies/usermapping_policies", {"previous": "policies/userlists", "next": None}),
        ("policies/userlists", {"next": "policies/usermapping_policies"}),
    ],
)
def test_list_samples_links(api: Client, path: str, links: dict[str, str | None]) -> None:
    meta = api.ok("GET", f"{API}/{path}")["meta"]
    assert meta["href"] == f"{API}/{path}" and meta["parent"] == f"{API}/{path.rsplit('/', 1)[0]}"
    assert {k: meta[k] for k in links} == {k: v and f"{API}/{v}" for k, v in links.items()}


def test_local_users_are_found_by_the_data_source(sim: RunningSimulator, provider: InProcessProvider) -> None:
    """[LOCAL-USERS]: the body is not documented; the data source shows it as JSON."""
    api = Client(sim)
    key = api.ok("POST", f"{API}/aaa/local_database/users", {"name": "auditor", "groups": ["audit"]}, 201)["key"]
    api.commit()
    found = provider.read_data_source("sps_local_user", {"name": "auditor"})
    assert (found["key"], json.loads(found["body_json"])) == (key, {"name": "auditor", "groups": ["audit"]})
