"""Terraform's meta-arguments reach the synthesized resource, not the SPS body: a generated
constructor takes them among its keyword arguments (`MetaArgs`, sps_constructs/arguments.py)."""

from __future__ import annotations

import json

from cdktf import App, TerraformResourceLifecycle, TerraformStack
from cdktf import Testing as CdkTesting

from sps_constructs import (
    Appliance,
    AuditPolicy,
    AuditPolicyEncryptionDisabled,
    AuditPolicySigningDisabled,
    MssqlConnectionPolicyOrder,
)


def test_depends_on_and_lifecycle_are_meta_arguments_of_the_resource() -> None:
    stack = TerraformStack(App(outdir="/tmp/unused-cdktf-out"), "s")
    eu = Appliance(stack, "eu", url="https://eu.example")
    off = {"encryption": AuditPolicyEncryptionDisabled(), "signing": AuditPolicySigningDisabled()}
    first = AuditPolicy(eu, "first", name="first", **off)
    second = AuditPolicy(
        eu,
        "second",
        name="second",
        **off,
        depends_on=[first],
        lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
    )
    order = MssqlConnectionPolicyOrder(eu, "order", keys=[], depends_on=[second])
    assert set(second.sps_attributes) == {"name", "encryption", "signing"}
    resources = json.loads(CdkTesting.synth(stack))["resource"]
    audit = resources["sps_audit_policy"][second.friendly_unique_id]
    assert audit["lifecycle"] == {"create_before_destroy": True}
    assert audit["depends_on"] == [f"sps_audit_policy.{first.friendly_unique_id}"]
    assert resources["sps_mssql_connection_policy_order"][order.friendly_unique_id]["depends_on"] == [
        f"sps_audit_policy.{second.friendly_unique_id}"
    ]
