"""Audit policies as the fault matrix and the signal tests write them, and the check that the
appliance's committed configuration equals Terraform's state."""

from __future__ import annotations

from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

AUDIT = "policies/audit_policies"


BUILTIN_AUDIT = "78101850949e47437dd91d"


def write_policies(tf: Terraform, sim: RunningSimulator, names: list[str], **provider: object) -> None:
    blocks = "".join(
        f'resource "sps_audit_policy" "{n}" {{\n  name = "{n}"\n  encryption = {{ enabled = false }}\n'
        f"  signing = {{ enabled = false }}\n}}\n"
        for n in names
    )
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim, **provider) + blocks)


def assert_consistent(sim: RunningSimulator, *tfs: Terraform) -> None:
    """Committed objects == objects in Terraform state (by key and name); no transaction open."""
    committed = {k: b["name"] for k, b in sim.committed()[AUDIT].items() if k != BUILTIN_AUDIT}
    in_state: dict[str, str] = {}
    for tf in tfs:
        in_state.update({v["key"]: v["name"] for v in tf.resources().values()})
    assert committed == in_state
    stats = sim.stats()
    assert stats["open_transactions"] == 0 and not stats["lock_held"], stats


def names(n: int, prefix: str = "p") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]
