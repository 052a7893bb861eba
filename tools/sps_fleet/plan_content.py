"""Whether a saved plan holds anything to show, from Terraform's `plan -json` stream.

`terraform show` of the plan file starts Terraform and a provider process (for the schemas):
~0.35 s of CPU per stack, a quarter of a 100-object stack's no-op plan. For a plan with nothing in
it, sps-fleet writes that itself (runner.NO_CHANGES). Anything the stream reports beyond an
all-zero change summary (a planned change of any kind, data sources read at apply included,
drift outside Terraform, an output to change) means the plan is shown by Terraform.
"""

from __future__ import annotations

from typing import Any

COUNTED = ("add", "change", "remove", "import")


class PlanContent:
    """Fed every message of one `terraform plan -json`; `empty` once it has said nothing is in it."""

    def __init__(self) -> None:
        self.summarized = False
        self.something = False

    def see(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind in ("planned_change", "resource_drift"):
            self.something = True
        elif kind == "outputs":
            outputs: dict[str, dict[str, Any]] = msg.get("outputs", {})
            self.something |= any(o.get("action", "noop") != "noop" for o in outputs.values())
        elif kind == "change_summary":
            self.summarized = True
            changes: dict[str, Any] = msg.get("changes", {})
            self.something |= any(changes.get(k, 0) for k in COUNTED)

    @property
    def empty(self) -> bool:
        return self.summarized and not self.something
