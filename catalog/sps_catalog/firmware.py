"""Firmware: the versions the seeds cover, and definitions and values as one firmware version holds them.

The appliance reports its version as `body.firmware_version` of `GET /api/info` to a logged-in
session ("Retrieve basic firmware and host information", REST API Reference Guide; anonymous
callers get the host names only). Which versions a type or field exists on is `sps_catalog.versions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sps_catalog.model import Field, Value, field_nodes
from sps_catalog.paths import LIST_ELEMENT, Path
from sps_catalog.walk import OMIT, Rebuild

INFO_PATH = "/api/info"
SEED_VERSIONS = ("6.0.2", "6.9.4", "6.10.0", "7.3.1", "7.5.1")  # the editions of shared/seeds/
DEFAULT_FIRMWARE = SEED_VERSIONS[-1]  # the newest the seeds cover


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
