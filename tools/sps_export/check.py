"""`sps-export --check`: the security baseline (`sps_catalog.baseline`) against a live appliance.

The objects are read as for an export and judged by the same rules a stack's `SpsBaseline`
Aspect runs, on the same values: attribute form with the documented defaults filled in.
Built-in objects are left out (they are not configured by anyone; a policy that references one is
judged on its own).
"""

from __future__ import annotations

import json

from sps_catalog.baseline import Finding, evaluate
from sps_catalog.values import apply_defaults
from sps_export.reader import ApplianceRead
from sps_export.selection import object_name
from sps_provider.engine.convert import to_terraform


def findings(read: ApplianceRead) -> list[Finding]:
    """The typed objects' findings."""
    out: list[Finding] = []
    for o in read.objects():
        if any(b.key == o.key for b in o.t.builtins):
            continue
        values = apply_defaults(o.t.root, to_terraform(o.t.root, o.body))
        out += evaluate(o.t, values, f"{object_name(o)!r} (key {o.key})")
    return out


def as_text(found: list[Finding]) -> str:
    if not found:
        return "no findings"
    return "\n".join(str(f) for f in found) + f"\n{len(found)} findings"


def as_json(found: list[Finding]) -> str:
    return json.dumps([f.as_json() for f in found], indent=2)
