"""Mistakes only the appliance can see, caught at plan by read-only lookups: a reference to a key
the target collection does not hold (a wrong type's key, a deleted object), one whose key points
inside an object at a place it does not have (resolved by the target's overlay) and a name another
object of the type already has. Values unknown at plan (objects created in the same apply) are
left to the apply. Reads go through the refresh snapshot: one GET per type per plan.

The provider cannot see the rest of the plan, so a name held by another object is refused only
when nothing in this plan can explain it: an object this configuration manages (its key was read
or planned as some resource's state in this plan: a `-replace`, a destroy or a rename may free the
name first) and one the apply would adopt (exactly the planned values: a commit whose outcome was
unknown) are left to the apply, which refuses inside its transaction whatever is still taken.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sps_catalog import load_catalog
from sps_catalog.keys import item_path
from sps_catalog.model import TypeDef, Value
from sps_catalog.option_caps import caps, excesses, options_of
from sps_catalog.values import Path, dotted, validate
from sps_provider.client import errors
from sps_provider.engine.refresh import RefreshReader
from sps_provider.overlays import hooks
from sps_provider.protocol.diagnostics import Diagnostics


def missing_references(t: TypeDef, values: Any, refresh: RefreshReader) -> list[tuple[Path, str]]:
    """(path, problem) for each known reference whose key its target collection does not hold."""
    catalog = load_catalog()
    found: list[tuple[Path, str]] = []

    def check(spec: Value, key: str, at: Path) -> str | None:
        target = catalog[spec.target or ""] if spec.target else None
        if target is None or target.is_write_once:
            return None
        resolve = hooks(target).reference_problem
        if spec.is_inner_reference and resolve is not None:
            if problem := resolve(key, partial(_body, refresh, target)):
                found.append((at, f"{problem} on the appliance ({target.api_path})"))
            return None
        try:
            refresh.get(target, item_path(target.api_path, key), key)
        except errors.NotFound:
            problem = f"no {target.resource_type} has the key {key!r} on the appliance ({target.api_path})"
            found.append((at, problem + _held_by_another_protocol(target, key, refresh)))
        return None

    validate(t.root, values, reference_check=check)
    return found


def _held_by_another_protocol(target: TypeDef, key: str, refresh: RefreshReader) -> str:
    """Why a missing key may have been given: it is the key of the same kind of object of another
    protocol (`rdp/channel_policies` for `ssh/channel_policies`; keys are unique per collection only)."""
    kind = target.path.split("/", 1)[-1]
    for other in load_catalog():
        if other is target or other.path.split("/", 1)[-1] != kind or "/" not in other.path or other.is_write_once:
            continue
        try:
            refresh.get(other, item_path(other.api_path, key), key)
        except errors.SpsError:  # not there, or not readable: no hint
            continue
        return (
            f"; it is the key of an {other.resource_type}, another protocol's, and this attribute "
            f"takes an {target.resource_type}"
        )
    return ""


def _body(refresh: RefreshReader, t: TypeDef, key: str) -> Any:
    """The body of `t`'s object `key` (from the snapshot), or None when there is none."""
    try:
        return refresh.get(t, item_path(t.api_path, key), key).get("body")
    except errors.NotFound:
        return None


Explained = Callable[[str, dict[str, Any]], bool]
"""Whether the plan may free or adopt the object (key, body) that holds the configured name."""


def name_taken(t: TypeDef, values: Any, own_key: Any, refresh: RefreshReader, explained: Explained) -> str | None:
    """The key of another object of `t` that already has the configured name, unless `explained`."""
    name = values.get(t.name_field) if t.name_field and not t.is_singleton else None
    if not isinstance(name, str):
        return None
    for key, body in refresh.named(t, name) or ():
        if key != own_key:
            return None if explained(key, body) else key
    return None


def option_excesses(t: TypeDef, values: Any, refresh: RefreshReader) -> list[tuple[str, Path]]:
    """(problem, path) for each value above the cap its protocol's options hold on the appliance
    now. A warning, not an error: the same apply may raise the option first."""
    options = options_of(t, load_catalog()) if caps(t) else None
    if options is None:
        return []
    try:
        current = refresh.get(options, options.api_path, options.singleton_key).get("body")
    except errors.SpsError:
        return []
    return [
        (
            f"{dotted(e.cap.field_path)} is {e.value}, more than the {dotted(e.cap.option_path)} of "
            f"{options.resource_type} on the appliance ({e.limit}): SPS refuses the commit unless this "
            f"apply raises {options.resource_type}.{dotted(e.cap.option_path)} to at least {e.value}.",
            e.cap.field_path,
        )
        for e in excesses(t, values, current)
    ]


def check_on_appliance(t: TypeDef, values: Any, own_key: Any, refresh: RefreshReader, diags: Diagnostics,
                       explained: Explained) -> None:  # fmt: skip
    summary = f"Invalid {t.resource_type} configuration for this appliance"
    try:
        for at, problem in missing_references(t, values, refresh):
            diags.error(summary, f"{dotted(at)}: {problem}", list(at))
        other = name_taken(t, values, own_key, refresh, explained)
    except errors.SpsError:
        return  # the lookups only move errors earlier; the apply still checks everything
    for problem, at in option_excesses(t, values, refresh):
        diags.warning(f"{t.resource_type} exceeds a global option of this appliance", problem, list(at))
    if other is not None:
        name_field = t.name_field or "name"
        diags.error(
            summary,
            f"{name_field}: another {t.resource_type} is already named {values[name_field]!r} "
            f"({item_path(t.api_path, other)}); names are unique per type. Import it "
            f"(terraform import {t.resource_type}.<name> {other}) or choose another name.",
            [name_field],
        )
