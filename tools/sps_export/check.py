"""`sps-export --check`: the security baseline (`sps_catalog.baseline`) against a live appliance.

The objects are read as for an export and judged by the same rules a stack's `SpsBaseline`
Aspect runs, on the same values: attribute form with the documented defaults filled in.
Built-in objects are left out (they are not configured by anyone; a policy that references one is
judged on its own). Endpoint rules (e.g. SPS-NTP-1) judge the bodies of their singletons, which
no typed resource reads: `read_settings` GETs them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sps_catalog.baseline import Finding, endpoint_rules, evaluate, evaluate_endpoint
from sps_catalog.endpoints import load_endpoints
from sps_catalog.values import apply_defaults
from sps_export.reader import ApplianceRead, Client
from sps_export.selection import object_name
from sps_provider.client import errors
from sps_provider.engine.convert import to_terraform


@dataclass
class SettingsRead:
    """The endpoint rules' singletons: path -> body as answered, or path -> the error of its GET."""

    bodies: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_settings(client: Client) -> SettingsRead:
    out = SettingsRead()
    for path in sorted({r.endpoint for r in endpoint_rules() if r.endpoint is not None}):
        try:
            doc = client.get(load_endpoints()[path].api_path)
        except errors.SpsError as exc:
            out.errors[path] = str(exc)
            continue
        out.bodies[path] = doc.get("body") if isinstance(doc, dict) else None
    return out


def findings(read: ApplianceRead, settings: Mapping[str, Any] | None = None) -> list[Finding]:
    """The typed objects' findings, then those of the endpoint rules on `settings` (path -> body)."""
    out: list[Finding] = []
    for o in read.objects():
        if any(b.key == o.key for b in o.t.builtins):
            continue
        values = apply_defaults(o.t.root, to_terraform(o.t.root, o.body))
        out += evaluate(o.t, values, f"{object_name(o)!r} (key {o.key})")
    for path, body in (settings or {}).items():
        out += evaluate_endpoint(path, body, repr(path))
    return out


def as_text(found: list[Finding]) -> str:
    if not found:
        return "no findings"
    return "\n".join(str(f) for f in found) + f"\n{len(found)} findings"


def as_json(found: list[Finding]) -> str:
    return json.dumps([f.as_json() for f in found], indent=2)
