"""The generic constructs: paths refused at construction with the provider's reasons, bodies
serialized deterministically, and their `.key` accepted by a typed construct's reference to the
type of their path (and refused for another path)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf import App, TerraformStack

from sps_catalog import load_catalog
from sps_constructs import (
    Appliance,
    AuditPolicy,
    AuditPolicyEncryptionDisabled,
    AuditPolicySigningDisabled,
    ChannelActions,
    DataSpsObject,
    Network,
    SpsConfigError,
    SpsObject,
    SpsSettings,
    SshAuthenticationPolicy,
    SshChannelPolicy,
    SshChannelPolicyRules,
    SshConnectionPolicy,
    SshConnectionPolicyPolicies,
    SshSettingsPolicy,
)
from sps_constructs.base import _Converter
from sps_constructs.shapes import IndexingEnabled


def appliance(name: str = "eu") -> Appliance:
    stack = TerraformStack(App(outdir="/tmp/sps-generic-synth"), "generic")
    return Appliance(stack, name, url="https://sps.example")


def test_body_is_serialized_with_sorted_keys() -> None:
    a = SpsObject(appliance(), "a", path="policies/analytics", body={"z": 1, "a": {"y": 2, "b": 3}})
    assert a._synthesize_attributes() == {"path": "policies/analytics", "body": '{"a":{"b":3,"y":2},"z":1}'}
    assert a.body == {"z": 1, "a": {"y": 2, "b": 3}}


@pytest.mark.parametrize(
    ("cls", "path", "body", "reason"),
    [
        (SpsObject, "ssh/channel_policies", {}, "use sps_ssh_channel_policy"),
        (SpsObject, "policies/analytic", {}, "nearest known paths"),
        (SpsObject, "passwords", {}, "holds secrets"),
        (SpsObject, "management/health_monitoring", {}, "manage it with sps_settings"),
        (SpsSettings, "policies/analytics", {}, "manage each object with sps_object"),
        (SpsSettings, "management/license", {}, "read-only over REST"),
        (SpsSettings, "datetime/timezone", {}, "use sps_timezone"),
        (SpsSettings, "network/ip_forwarding_rule_pairs", {}, "must be a JSON list"),
        (SpsObject, "policies/analytics", {"bad": object()}, "JSON values only"),
    ],
)
def test_refused_at_construction(cls: type[SpsObject], path: str, body: dict[str, Any], reason: str) -> None:
    with pytest.raises(SpsConfigError, match=reason):
        cls(appliance(), "x", path=path, body=body)


def test_an_unknown_path_with_catalog_validation_off() -> None:
    """Accepted at synth (the provider checks it against the appliance at plan) and sent with the flag;
    refused with the flag unset, and inside a secret endpoint whatever the flag."""
    sps = appliance()
    with pytest.raises(SpsConfigError, match="set catalog_validation = false"):
        SpsObject(sps, "on", path="policies/newer_things", body={})
    newer = SpsObject(sps, "off", path="policies/newer_things", body={"name": "n"}, catalog_validation=False)
    assert newer._synthesize_attributes() == {
        "path": "policies/newer_things",
        "body": '{"name":"n"}',
        "catalog_validation": False,
    }
    settings = SpsSettings(sps, "s", path="management/newer_settings", body={}, catalog_validation=False)
    assert settings._synthesize_attributes()["catalog_validation"] is False
    read = DataSpsObject(sps, "d", path="policies/newer_things", name="n", catalog_validation=False)
    assert read._synthesize_attributes()["catalog_validation"] is False
    for path in ("passwords/newer", "private_keys/newer"):
        with pytest.raises(SpsConfigError, match="holds secrets"):
            SpsObject(sps, path, path=path, body={}, catalog_validation=False)
        with pytest.raises(SpsConfigError, match="holds secrets"):
            DataSpsObject(sps, f"d_{path}", path=path, key="k", catalog_validation=False)


def indexing(sps: Appliance, policy: Any) -> Any:
    """A connection policy's `indexing` as the typed construct converts it."""
    field = next(f for f in load_catalog()["ssh_connection_policy"].root.all_fields() if f.name == "indexing")
    return _Converter("test", sps)(field, IndexingEnabled(policy=policy), ("indexing",))


def test_a_typed_reference_takes_a_generic_object_of_its_path() -> None:
    sps = appliance()
    made = SpsObject(sps, "ocr", path="policies/indexing", body={"name": "ocr"})
    found = DataSpsObject(sps, "default", path="policies/indexing", name="default")
    assert indexing(sps, made)["policy"] == made.key
    assert indexing(sps, found)["policy"] == found.key


def test_a_typed_reference_refuses_a_generic_object_of_another_path_or_appliance() -> None:
    sps = appliance()
    analytics = SpsObject(sps, "a", path="policies/analytics", body={"name": "a"})
    with pytest.raises(SpsConfigError, match=r"must reference sps_indexing_policy \(policies/indexing\)"):
        indexing(sps, analytics)
    other = SpsObject(appliance("us"), "ocr", path="policies/indexing", body={"name": "ocr"})
    with pytest.raises(SpsConfigError, match="references cannot cross appliances"):
        indexing(sps, other)


def test_the_synthesized_body_is_what_the_provider_reads() -> None:
    sps = appliance()
    rules = [{"interface_a": "nic1.interfaces.a", "interface_b": "nic1.interfaces.b"}]
    s = SpsSettings(sps, "rules", path="network/ip_forwarding_rule_pairs", body=rules)
    assert json.loads(s._synthesize_attributes()["body"]) == rules


def test_an_overridden_reference_to_a_generic_object_is_checked_by_the_synth_aspect() -> None:
    """`add_override` bypasses the constructor: the Aspect accepts an sps_object of the referenced
    type's path and refuses one of another path."""

    def stack(generic_path: str) -> App:
        app = App(outdir="/tmp/sps-generic-synth")
        sps = Appliance(TerraformStack(app, "s"), "eu", url="https://sps.example")
        rules = [SshChannelPolicyRules(channel="session-shell", actions=ChannelActions(audit=True))]
        policies = SshConnectionPolicyPolicies(
            audit_policy=AuditPolicy(
                sps, "a", name="a", encryption=AuditPolicyEncryptionDisabled(), signing=AuditPolicySigningDisabled()
            ),
            authentication_policy=SshAuthenticationPolicy.builtin(sps, "default"),
            channel_policy=SshChannelPolicy(sps, "shell", name="shell", rules=rules),
            settings=SshSettingsPolicy.builtin(sps, "default"),
        )
        network = Network(clients=["10.0.0.0/8"], targets=["10.0.0.2/32"], ports=[22])
        ssh = SshConnectionPolicy(sps, "ssh", name="ssh", policies=policies, network=network)
        generic = SpsObject(sps, "g", path=generic_path, body={"name": "g"})
        ssh.add_override("indexing", {"enabled": True, "policy": generic.key})
        return app

    stack("policies/indexing").synth()
    with pytest.raises(Exception, match=r"indexing.policy: must reference sps_indexing_policy \(policies/indexing\)"):
        stack("policies/analytics").synth()
