"""Secrets in CDKTF stacks without leaving them in plan files.

cdktf 0.21's `TerraformVariable` has no `ephemeral` argument, and a merely `sensitive` variable is
still written into every saved plan (`terraform plan -out`). `ephemeral_variable` synthesizes what
HCL users write by hand, `variable "x" { ephemeral = true }` (Terraform >= 1.10): Terraform keeps
its value out of plan and state files. Use it only where Terraform accepts an ephemeral value, the
write-only attributes (`*_wo`, bumped with `*_wo_version`) and provider settings; give the value
with `TF_VAR_<id>` at both plan and apply.
"""

from __future__ import annotations

import constructs

from sps_constructs.cdk import cdk


def ephemeral_variable(
    scope: constructs.Construct, id: str, *, description: str | None = None
) -> cdk.TerraformVariable:
    """An ephemeral, sensitive, non-null string variable named `id`: pass `.string_value` to a `*_wo` attribute."""
    variable = cdk.TerraformVariable(scope, id, type="string", description=description, sensitive=True,
                                       nullable=False)  # fmt: skip
    variable.add_override("ephemeral", True)
    return variable
