"""Audit policies accept the 6.0.2 field table's name `timestamping` (a bool) for the field every
example calls `timestamping_enabled` (S004: "timestamping boolean Set to true to timestamp the
audit trail" vs `"timestamping_enabled": true` in the samples); answers use the examples' name.
From 8.0 `timestamping` is an object [AUDIT-8.0] and is left alone."""

from __future__ import annotations

from typing import Any

from sps_simulator.overlays import Hooks


def request_form(body: Any) -> Any:
    """The body with a boolean `timestamping` renamed `timestamping_enabled` (unless both are given)."""
    if not isinstance(body, dict) or not isinstance(body.get("timestamping"), bool) or "timestamping_enabled" in body:
        return body
    out = {k: v for k, v in body.items() if k != "timestamping"}
    out["timestamping_enabled"] = body["timestamping"]
    return out


HOOKS = Hooks(before_write=request_form)
