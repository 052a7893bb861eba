"""Terraform state written by an older schema version of a resource, made current.

Each type's catalog entry declares its `schema_version` and, for every version step, the
attributes that moved (`renamed`: old path -> new path). A renamed attribute keeps its value, so
raising a schema version never makes Terraform plan a change for what the user did not change.
"""

from __future__ import annotations

from typing import Any

from sps_catalog.model import TypeDef


def upgrade_state(t: TypeDef, state: Any, from_version: int) -> Any:
    """`state` (a decoded JSON object) as the current schema version of `t` expects it."""
    if not isinstance(state, dict):
        return state
    for upgrade in t.state_upgrades:
        if upgrade.version <= from_version:
            continue
        for old, new in upgrade.renamed.items():
            _move(state, old.split("."), new.split("."))
    return state


def _move(state: dict[str, Any], old: list[str], new: list[str]) -> None:
    parent = _parent(state, old)
    if parent is None or old[-1] not in parent:
        return
    value = parent.pop(old[-1])
    target = _parent(state, new)
    if target is not None:
        target[new[-1]] = value


def _parent(state: dict[str, Any], path: list[str]) -> dict[str, Any] | None:
    """The object holding `path`'s last step (None where an object on the way is null)."""
    here: Any = state
    for step in path[:-1]:
        here = here.get(step) if isinstance(here, dict) else None
    return here if isinstance(here, dict) else None
