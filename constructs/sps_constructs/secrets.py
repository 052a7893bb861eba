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
    scope: constructs.Construct, id: str, *, description: str | None = None, optional: bool = False
) -> cdk.TerraformVariable:
    """An ephemeral, sensitive string variable named `id`: pass `.string_value` to a `*_wo` attribute.

    Required unless `optional`: an optional one may stay unset (null), which leaves the secret the
    appliance holds as it is while no `*_wo_version` is set (an adoption: sps-export writes these).
    """
    variable = cdk.TerraformVariable(scope, id, type="string", description=description, sensitive=True,
                                       nullable=optional)  # fmt: skip
    variable.add_override("ephemeral", True)
    if optional:
        variable.add_override("default", cdk.Token.null_value())
    return variable
