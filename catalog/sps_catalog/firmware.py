"""Firmware versions: which SPS versions a type or field exists on, and is writable on.

The appliance reports its version as `body.firmware_version` of `GET /api/info` to a logged-in
session ("Retrieve basic firmware and host information", REST API Reference Guide; anonymous
callers get the host names only). Ranges are half-open, `[since, until)`, so `until: "7.5"` means
"up to 7.4.x"; an unset bound is open. Versions compare number by number ("6.10" > "6.9").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sps_catalog.walk import LIST_ELEMENT, OMIT, Path, Rebuild, field_nodes

if TYPE_CHECKING:
    from sps_catalog.model import Field, Value

INFO_PATH = "/api/info"
SEED_VERSIONS = ("6.0.2", "6.9.4", "6.10.0", "7.3.1", "7.5.1")  # the editions of shared/seeds/
DEFAULT_FIRMWARE = SEED_VERSIONS[-1]  # the newest the seeds cover

VersionTuple = tuple[int, int, int]


def parse_version(text: str) -> VersionTuple:
    """`"7.5.1"` -> (7, 5, 1); `"7.5"` -> (7, 5, 0). Suffixes after the numbers (`8.0 LTS`) are ignored."""
    m = re.match(r"\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if m is None:
        raise ValueError(f"{text!r} is not a firmware version (X.Y.Z)")
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)


def _within(version: str, since: str | None, until: str | None) -> bool:
    v = parse_version(version)
    return (since is None or parse_version(since) <= v) and (until is None or v < parse_version(until))


@dataclass(frozen=True)
class Versions:
    """Where a type or field exists (`since`, `until`) and, for types, where SPS accepts writes to
    it over REST (`writable_since`, `writable_until`, within the range it exists in)."""

    since: str | None = None
    until: str | None = None
    writable_since: str | None = None
    writable_until: str | None = None
    note: str = ""

    @property
    def is_limited(self) -> bool:
        return any((self.since, self.until, self.writable_since, self.writable_until))

    def exists_on(self, version: str) -> bool:
        return _within(version, self.since, self.until)

    def writable_on(self, version: str) -> bool:
        return self.exists_on(version) and _within(version, self.writable_since, self.writable_until)

    def describe(self) -> str:
        """`exists from 6.0; writable from 7.0 until before 7.5`, for docs and diagnostics."""
        parts = [_range("exists", self.since, self.until)]
        if self.writable_since or self.writable_until:
            parts.append(_range("writable over REST", self.writable_since, self.writable_until))
        return "; ".join(p for p in parts if p)


def _range(what: str, since: str | None, until: str | None) -> str:
    if since and until:
        return f"{what} from {since} until before {until}"
    if since:
        return f"{what} from {since} on"
    if until:
        return f"{what} until before {until}"
    return ""


def fields_on(value: Value, version: str) -> Value:
    """`value` without the fields that do not exist on firmware `version`, at every level."""
    if value.element is not None:
        return dataclasses.replace(value, element=fields_on(value.element, version))
    if value.type != "object":
        return value
    union = value.union
    if union is not None:
        branches = {name: _kept(fields, version) for name, fields in union.branches.items()}
        union = dataclasses.replace(union, branches=branches)
    return dataclasses.replace(value, fields=_kept(value.fields, version), union=union)


def _kept(fields: tuple[Field, ...], version: str) -> tuple[Field, ...]:
    return tuple(fields_on(f, version) for f in fields if f.versions.exists_on(version))  # type: ignore[misc]


class _Absent(Rebuild):
    select = "present"

    def __init__(self, version: str) -> None:
        self.version = version
        self.found: list[tuple[Path, Field]] = []

    def field(self, parent: Value, f: Field, item: Any, path: Path) -> Any:
        if item is not None and not f.versions.exists_on(self.version):
            self.found.append(((*path, f.name), f))
            return OMIT
        return item


def absent_fields(value: Value, v: object, version: str) -> list[tuple[Path, Field]]:
    """(path, field) of every field set in `v` that does not exist on firmware `version`."""
    walk = _Absent(version)
    walk(value, v)
    return walk.found


class _HeldOn(Rebuild):
    select = "present"
    keep_unselected = True
    tracks_path = False

    def __init__(self, version: str) -> None:
        self.version = version

    def object(self, spec: Value, obj: Mapping[str, Any], path: Path) -> Any:
        known = spec.fields_by_name
        out = super().object(spec, obj, path)
        return {k: x for k, x in out.items() if k not in known or known[k].versions.exists_on(self.version)}


def held_on(value: Value, v: object, version: str) -> Any:
    """`v` as firmware `version` holds it: without the modelled fields that do not exist there (a
    singleton's initial body lists the fields of every version it documents); others are kept."""
    return _HeldOn(version)(value, v)


def limited_fields(value: Value) -> list[tuple[tuple[str, ...], Field]]:
    """(path, field) of every field inside `value` that exists on some firmware versions only
    (paths name fields only: a list's element is at the list's path)."""
    return [
        (tuple(str(step) for step in path if step != LIST_ELEMENT), f)
        for path, f in field_nodes(value)
        if f.versions.is_limited
    ]
