"""SSH and RDP connection policies (shared/sps-api-ssh-rdp.md §1-§3): the documented list samples
and body opening against the simulator, fields the docs do not give kept on update, and a key of
the other protocol's policy refused at plan (in-process provider) and by the appliance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sps_catalog import load_catalog
from sps_catalog.examples import builtin_key
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.simulator_api import API, Client

CATALOG = load_catalog()


def builtin(ref: str) -> str:
    return builtin_key(CATALOG, ref)[2]


RDP_POLICIES = {
    "audit_policy": builtin("audit_policy/default"),
    "channel_policy": builtin("rdp_channel_policy/default"),
    "settings": builtin("rdp_settings_policy/default"),
}
NETWORK = {"clients": ["10.0.0.0/8"], "ports": [22], "targets": ["10.3.0.10/32"]}


def ssh_channel_policy(api: Client, name: str) -> str:
    rules = [{"channel": "session-shell", "actions": {"audit": True}}]
    key: str = api.ok("POST", f"{API}/ssh/channel_policies", {"name": name, "rules": rules}, status=201)["key"]
    return key


def ssh_policies(channel_key: str) -> dict[str, Any]:
    return {
        "audit_policy": builtin("audit_policy/default"),
        "authentication_policy": builtin("ssh_authentication_policy/default"),
        "channel_policy": channel_key,
        "settings": builtin("ssh_settings_policy/default"),
    }


@pytest.mark.parametrize(
    ("path", "links"),
    [
        # [SSH-CONN-7x] list sample
        (
            "ssh/connections",
            {
                "first": "ssh/authentication_policies",
                "last": "ssh/settings_policies",
                "next": "ssh/options",
                "parent": "ssh",
                "previous": "ssh/channel_policies",
            },
        ),
        # [RDP-CONN] [RDP-CONN-6.9.3] list sample
        (
            "rdp/connections",
            {
                "first": "rdp/channel_policies",
                "last": "rdp/settings_policies",
                "next": "rdp/domain_membership",
                "parent": "rdp",
                "previous": "rdp/channel_policies",
            },
        ),
    ],
)
def test_the_list_samples_links(api: Client, path: str, links: dict[str, str]) -> None:
    meta = api.ok("GET", f"{API}/{path}")["meta"]
    assert meta["href"] == f"{API}/{path}" and meta["transaction"] == "/api/transaction"
    assert {k: meta[k] for k in links} == {k: f"{API}/{v}" for k, v in links.items()}


def test_the_ssh_container_sample_lists_connections(api: Client) -> None:
    """[SSH-CONT]: the container's items, identical in 6.0 LTS, 6.0.2 and 7.0.5.1 LTS."""
    children = ("authentication_policies", "channel_policies", "connections", "options", "settings_policies")
    assert api.ok("GET", f"{API}/ssh")["items"] == [{"key": k, "meta": {"href": f"{API}/ssh/{k}"}} for k in children]


def test_the_rdp_body_opening_is_accepted_and_kept(api: Client) -> None:
    """[RDP-CONN-6.9.3]: the one policy body shown opens with an access-control rule for `reporting`."""
    access_control = [
        {
            "authorizer": "reporting",
            "permission": "audit_and_authorize",
            "require_different_ip": False,
            "require_different_username": False,
            "subject": {"selection": "everybody"},
        }
    ]
    body = {"name": "rdp_sample", "access_control": access_control, "network": NETWORK, "policies": RDP_POLICIES}
    key = api.ok("POST", f"{API}/rdp/connections", body, status=201)["key"]
    assert api.ok("GET", f"{API}/rdp/connections/{key}")["body"]["access_control"] == access_control


def test_the_appliance_refuses_the_other_protocols_channel_policy(api: Client) -> None:
    """Built-in keys are unique per collection: the RDP channel policy's key means nothing to SSH."""
    rdp_channel = RDP_POLICIES["channel_policy"]
    body = {"name": "wrong_protocol", "network": NETWORK, "policies": ssh_policies(rdp_channel)}
    r = api.call("POST", f"{API}/ssh/connections", body)
    assert r.status_code == 400, r.text
    assert "policies.channel_policy" in [e["path"] for e in r.json()["error"]["details"]["errors"]]


def test_plan_refuses_the_other_protocols_channel_policy(provider: InProcessProvider) -> None:
    config = {"name": "tf_wrong_protocol", "network": NETWORK, "policies": ssh_policies(RDP_POLICIES["channel_policy"])}
    with pytest.raises(ProviderError) as err:
        provider.plan("sps_ssh_connection_policy", None, config)
    assert (
        f"policies.channel_policy: no sps_ssh_channel_policy has the key {RDP_POLICIES['channel_policy']!r} on the "
        "appliance (/api/configuration/ssh/channel_policies); it is the key of an sps_rdp_channel_policy, another "
        "protocol's, and this attribute takes an sps_ssh_channel_policy"
    ) in str(err.value)
    rdp = {"name": "tf_wrong_protocol", "network": NETWORK, "policies": {**RDP_POLICIES, "settings": "-300"}}
    with pytest.raises(ProviderError) as err:
        provider.plan("sps_rdp_connection_policy", None, rdp)
    assert "policies.settings: no sps_rdp_settings_policy has the key '-300'" in str(err.value)


def test_an_update_keeps_the_fields_the_docs_do_not_give(sim: RunningSimulator, provider: InProcessProvider) -> None:
    """Issue 15's "done when": an SSH connection policy holding fields set on the web interface
    (unknown to the catalog; the names here stand in for SSH's undocumented host-key settings)
    keeps them when the provider changes it, at the top level and inside modelled objects."""
    api = Client(sim)
    channel = ssh_channel_policy(api, "keep_shell")
    api.commit()
    provider.new_run()  # a later terraform command, which sees the new channel policy
    config = {"name": "tf_keep_ssh", "network": NETWORK, "policies": ssh_policies(channel)}
    state = provider.create("sps_ssh_connection_policy", config)
    path = f"{API}/ssh/connections/{state['key']}"
    body = api.ok("GET", path)["body"]
    host_keys = {"server_side": {"selection": "accept_first_time"}, "client_side": {"ecdsa": None}}
    body["host_key_settings"] = host_keys
    body["web_gateway_authentication"]["require_client_side_key"] = True
    api.ok("PUT", path, {**body, "policies": ssh_policies(channel)})
    api.commit()
    provider.new_run()
    changed = {**config, "network": {**NETWORK, "targets": ["10.3.0.11/32"]}}
    provider.update("sps_ssh_connection_policy", provider.read("sps_ssh_connection_policy", state), changed)
    held = api.ok("GET", path)["body"]
    assert held["network"]["targets"] == ["10.3.0.11/32"]
    assert held["host_key_settings"] == host_keys
    assert held["web_gateway_authentication"]["require_client_side_key"] is True


def test_ssh_and_rdp_connection_policies_are_writable_on_the_oldest_seed_firmware(tmp_path: Path) -> None:
    """The 6.0 LTS caution already names SSH and RDP as the connection policies REST can modify."""
    old = start_simulator(tmp_path / "sim", "--firmware", "6.0.2")
    provider = InProcessProvider(old)
    try:
        config = {"name": "tf_rdp_on_6_0", "network": {**NETWORK, "ports": [3389]}, "policies": RDP_POLICIES}
        state = provider.create("sps_rdp_connection_policy", config)
        assert provider.plan("sps_rdp_connection_policy", state, config) == state
    finally:
        provider.close()
        old.stop()
