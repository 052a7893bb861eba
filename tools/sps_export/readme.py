"""The README written beside each export: the steps to adopt, the secrets to supply, and what
was not exported (by name and type, with the reason)."""

from __future__ import annotations

from typing import Literal

from sps_export.hcl import secret_description, secret_variable, source
from sps_export.selection import Export

Format = Literal["python", "hcl"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(export: Export, fmt: Format, appliance_name: str) -> str:
    n = len(export.resources) + len(export.generic)
    lines = [
        f"# SPS appliance `{appliance_name}`, adopted with sps-export",
        "",
        f"Exported from {source(export)}: {n} objects, each with an import block, so the first plan",
        f"only adopts them: `Plan: {n} to import, 0 to add, 0 to change, 0 to destroy.`",
        "",
        "## Steps",
        "",
    ]
    secrets = [(res, s) for res in export.resources for s in res.secrets]
    steps = [
        "Review the code; rename variables and construct ids as you like (the import blocks follow them).",
        "Credentials: `export SPS_USERNAME=... SPS_PASSWORD=...` (never written into the code).",
    ]
    if secrets:
        steps.append("Supply every secret below as `TF_VAR_<variable>`, at plan and at apply.")
    if fmt == "python":
        steps.append(
            f"`python main.py` (or `cdktf synth`), then in `cdktf.out/stacks/{appliance_name}`: "
            "`terraform init`, `terraform plan` (imports only), `terraform apply`."
        )
    else:
        steps.append("`terraform init`, `terraform plan` (imports only), `terraform apply`.")
    steps.append("Once applied, the import blocks may be deleted; later plans compare the code with the appliance.")
    lines += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    lines += [
        "",
        "## Secrets to supply",
        "",
    ]
    if secrets:
        lines += [
            "SPS keeps passwords and private keys as write-once objects that cannot be read back. Each is a",
            "write-only attribute fed by an ephemeral variable (never stored in plan or state). Adopting sends",
            "nothing: the appliance keeps its current secret until you set the attribute's `_wo_version`,",
            "which makes the provider send the variable's value as a new secret.",
            "",
            "| variable | resource | attribute | what it is |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{secret_variable(export, s)}` | `{res.t.resource_type}` `{_cell(res.name)}` | "
            f"`{'.'.join((*s.path[:-1], s.field.write_only_name))}` | {_cell(secret_description(res, s))} |"
            for res, s in secrets
        ]
    else:
        lines.append("None: no exported object references a password or private key.")
    lines += ["", "## Looked up, not managed", ""]
    if export.lookups:
        lines += [
            f"- `{lk.t.resource_type}` "
            + (f"built-in `{lk.builtin_name}`" if lk.builtin_name else f"key `{lk.key}`")
            + f" (`{lk.ident}`)"
            for lk in export.lookups.values()
        ]
    else:
        lines.append("Nothing.")
    lines += ["", "## Not exported", ""]
    if export.skipped or export.read_errors or export.unlisted:
        lines += [f"- `{_cell(s.label)}` `{_cell(s.name)}` (key `{s.key}`): {_cell(s.reason)}" for s in export.skipped]
        lines += [f"- `{_cell(where)}`: {_cell(why)}" for where, why in export.unlisted]
        lines += [f"- `{t}`: could not be read: {_cell(err)}" for t, err in export.read_errors.items()]
    else:
        lines.append("Nothing: every object of every managed type was exported.")
    return "\n".join(lines) + "\n"
