"""When sps-fleet writes a plan's text itself instead of `terraform show` (sps_fleet.plan_content):
only when Terraform's `plan -json` stream says the plan holds nothing at all."""

from __future__ import annotations

from typing import Any

import pytest

from sps_fleet.plan_content import PlanContent

RESOURCE = {"addr": "sps_audit_policy.a", "resource_type": "sps_audit_policy", "resource_name": "a"}


def summary(**changes: int) -> dict[str, Any]:
    counts = {"add": 0, "change": 0, "import": 0, "remove": 0} | changes
    return {"@level": "info", "type": "change_summary", "changes": counts | {"operation": "plan"}}


def fed(*messages: dict[str, Any]) -> PlanContent:
    content = PlanContent()
    for msg in messages:
        content.see(msg)
    return content


def test_a_plan_with_only_a_zero_summary_and_chatter_is_empty() -> None:
    chatter: list[dict[str, Any]] = [
        {"@level": "info", "type": "version", "terraform": "1.11.4", "ui": "1.2"},
        {"@level": "info", "type": "refresh_start", "hook": {"resource": RESOURCE}},
        {"@level": "info", "type": "refresh_complete", "hook": {"resource": RESOURCE}},
        {"@level": "warn", "type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "w"}},
        {"@level": "info", "type": "outputs", "outputs": {"url": {"sensitive": False, "action": "noop"}}},
    ]
    assert fed(*chatter, summary()).empty


def test_nothing_is_empty_before_the_summary() -> None:
    assert not fed().empty, "a plan that stopped before its summary is not known to be empty"


@pytest.mark.parametrize(
    "message",
    [
        {"type": "planned_change", "change": {"resource": RESOURCE, "action": "create"}},
        {"type": "planned_change", "change": {"resource": RESOURCE, "action": "read"}},
        {"type": "planned_change", "change": {"resource": RESOURCE, "action": "move"}},
        {"type": "resource_drift", "change": {"resource": RESOURCE, "action": "update"}},
        {"type": "outputs", "outputs": {"url": {"sensitive": False, "action": "update"}}},
    ],
    ids=["create", "read at apply", "move", "drift", "output"],
)
def test_anything_planned_drifted_or_output_is_shown(message: dict[str, Any]) -> None:
    assert not fed(message, summary()).empty
    assert not fed(summary(), message).empty


@pytest.mark.parametrize("counted", ["add", "change", "remove", "import"])
def test_a_summary_that_counts_anything_is_shown(counted: str) -> None:
    assert not fed(summary(**{counted: 1})).empty
