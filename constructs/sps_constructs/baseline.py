"""`SpsBaseline`: the SPS security baseline (`sps_catalog.baseline`) as a synth-time Aspect.

    baseline = SpsBaseline(fail_on="high")
    Aspects.of(stack).add(baseline)
    SpsBaseline.suppress(lab_policy, "SPS-AUDIT-1", reason="lab appliance: recordings hold no real data")

Each finding becomes an annotation on its construct: an error (the synth fails) at or above
`fail_on`, else a warning; `findings` keeps them for programs and tests. A suppression names one
rule on one construct (and everything inside it) and needs a reason, which is kept with it.

A rule on a singleton marked `absent` (SPS-NTP-1, SPS-ALERT-3) also judges each `Appliance` that has no construct
of the type: on the type's factory body, with the finding on the appliance (where a suppression goes).
"""

from __future__ import annotations

from dataclasses import dataclass

import constructs
import jsii

from sps_catalog import load_catalog
from sps_catalog.baseline import RULES, Finding, Severity, at_least, evaluate
from sps_catalog.values import apply_defaults
from sps_constructs.appliance import Appliance
from sps_constructs.base import SpsResource, to_unknown
from sps_constructs.cdk import cdk
from sps_constructs.errors import SpsConfigError

_RULE_IDS = {r.id for r in RULES}
MIN_REASON = 10


@dataclass(frozen=True)
class Suppression:
    rule_id: str
    reason: str
    path: str


@jsii.implements(cdk.IAspect)
class SpsBaseline:
    def __init__(self, *, fail_on: Severity | None = "high") -> None:
        self.fail_on = fail_on
        self.findings: list[Finding] = []
        self.suppressed: list[tuple[Finding, Suppression]] = []

    @staticmethod
    def suppress(scope: constructs.IConstruct, rule_id: str, *, reason: str) -> None:
        """Do not report `rule_id` on `scope` or below; `reason` says why (kept in the construct's metadata)."""
        if rule_id not in _RULE_IDS:
            known = ", ".join(sorted(_RULE_IDS))
            raise SpsConfigError(scope.node.path, "rule_id", f"{rule_id!r} is not a baseline rule ({known})")
        if len(reason.strip()) < MIN_REASON:
            raise SpsConfigError(scope.node.path, "reason", f"a suppression of {rule_id} needs a reason (a sentence)")
        scope.node.add_metadata("sps-baseline-suppression", {"rule": rule_id, "reason": reason})
        held: list[Suppression] = getattr(scope, "_sps_suppressions", [])
        scope._sps_suppressions = [*held, Suppression(rule_id, reason, scope.node.path)]  # type: ignore[attr-defined]

    def visit(self, node: constructs.IConstruct) -> None:
        if isinstance(node, Appliance):
            self._absent(node)
        if not isinstance(node, SpsResource):
            return
        t = node.sps_type
        values = apply_defaults(t.root, to_unknown(dict(node.sps_attributes)))
        for finding in evaluate(t, values, node.node.path):
            self._report(node, finding)

    def _absent(self, sps: Appliance) -> None:
        """The `absent` rules on `sps` for each of their singleton types it has no construct of."""
        held = {
            c.sps_type.terraform_name for c in sps.node.find_all() if isinstance(c, SpsResource) and c.appliance is sps
        }
        for rule in RULES:
            if not rule.absent:
                continue
            for t in load_catalog().managed:
                if t.is_singleton and rule.applies(t) and t.terraform_name not in held:
                    factory = apply_defaults(t.root, dict(t.initial_body or {}))
                    for finding in evaluate(t, factory, sps.node.path):
                        if finding.rule is rule:
                            self._report(sps, finding)

    def _report(self, node: constructs.IConstruct, finding: Finding) -> None:
        suppression = _suppression(node, finding.rule.id)
        if suppression is not None:
            self.suppressed.append((finding, suppression))
            return
        self.findings.append(finding)
        message = f"{finding.rule.id} {finding.rule.title}: {finding.attribute}: {finding.message}"
        if self.fail_on is not None and at_least(finding.rule.severity, self.fail_on):
            cdk.Annotations.of(node).add_error(message)
        else:
            cdk.Annotations.of(node).add_warning(message)


def _suppression(node: constructs.IConstruct, rule_id: str) -> Suppression | None:
    for scope in reversed(node.node.scopes):
        for s in getattr(scope, "_sps_suppressions", ()):
            if s.rule_id == rule_id:
                return s  # type: ignore[no-any-return]
    return None
