"""CDKTF example: two appliances with different credentials in one stack.

    python examples/cdktf/two_appliances.py
    cd cdktf.out/stacks/two-appliances && terraform init
    TF_VAR_eu_username=... TF_VAR_eu_password=... TF_VAR_us_username=... TF_VAR_us_password=... terraform apply

Each `Appliance` is one provider block (its id is the alias). The SPS_* environment variables can
serve one appliance only, so the credentials are variables; the passwords are ephemeral, so they
reach neither cdk.tf.json nor a plan or state file.
"""

from __future__ import annotations

from cdktf import App, TerraformStack, TerraformVariable

from sps_constructs import (
    Appliance,
    AuditPolicy,
    AuditPolicyEncryptionDisabled,
    AuditPolicySigningDisabled,
    ephemeral_variable,
)

app = App()
stack = TerraformStack(app, "two-appliances")
for site in ("eu", "us"):
    username = TerraformVariable(stack, f"{site}_username", type="string")
    password = ephemeral_variable(stack, f"{site}_password")
    sps = Appliance(
        stack,
        site,
        url=f"https://sps-{site}.example.net",
        username=username.string_value,
        password=password.string_value,
        ca_bundle=f"/etc/ssl/sps-{site}-ca.pem",
    )
    AuditPolicy(
        sps,
        "timestamped",
        name="timestamped",
        encryption=AuditPolicyEncryptionDisabled(),
        signing=AuditPolicySigningDisabled(),
        timestamping_enabled=True,
    )
app.synth()
