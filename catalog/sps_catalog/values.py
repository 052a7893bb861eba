"""Checking and completing bodies against catalog definitions.

Shared by the simulator (request bodies) and the provider (Terraform values, which may hold
UNKNOWN during plan). Bodies are plain JSON values; references are plain keys.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sps_catalog.keys import key_problem
from sps_catalog.model import Field, Value
from sps_catalog.paths import Path, dotted
from sps_catalog.scalars import SCALARS
from sps_catalog.walk import OMIT, UNKNOWN, Rebuild

__all__ = ["UNKNOWN", "Path", "Problem", "agrees", "apply_defaults", "dotted", "get_in", "strip_inactive", "validate"]


@dataclass(frozen=True)
class Problem:
    """A validation failure at an attribute path (field names and list indexes)."""

    path: Path
    message: str
    is_type_error: bool = False

    def dotted(self) -> str:
        return dotted(self.path) or "(body)"

    def __str__(self) -> str:
        return f"{self.dotted()}: {self.message}"


_HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
"""A DNS label (RFC 1123): letters, digits and inner hyphens, at most 63 characters."""
_TIME_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,29}(/[A-Za-z0-9_+-]{1,30}){0,2}")
"""The shape of an IANA time zone name: `UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`,
`Etc/GMT+5` (whether the zone exists is the appliance's to say)."""


def _check_format(fmt: str, value: str) -> str | None:
    if fmt == "no_whitespace":
        return "must not contain whitespace" if re.search(r"\s", value) or not value else None
    if fmt == "filled":
        return "must be filled in" if not value.strip() else None
    if fmt == "identifier":
        ok = re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value)
        return None if ok else "must start with a letter and hold only letters, digits and _"
    if fmt == "cidr":
        try:
            if "/" not in value:
                raise ValueError
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"{value!r} is not an address in IP/prefix form"
        return None
    if fmt == "ip_or_cidr":
        wrong = _check_format("cidr" if "/" in value else "ip", value)
        return f"{value!r} is not an IP address (bare or IP/prefix)" if wrong else None
    if fmt == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return f"{value!r} is not an IP address"
        return None
    if fmt == "host":
        named = len(value) <= 253 and all(map(_HOST_LABEL.fullmatch, value.split(".")))
        if named or _check_format("ip", value) is None:
            return None
        return f"{value!r} is neither an IP address nor a DNS host name"
    if fmt == "time_zone":
        ok = _TIME_ZONE.fullmatch(value)
        return None if ok else f"{value!r} is not a time zone name (Area/Location, e.g. Europe/Berlin)"
    if fmt == "nic_address":
        if not re.fullmatch(r"nic[1-3]\.interfaces\.[^.\s]+\.addresses\.[^.\s]+", value):
            return f"{value!r} is not a NIC address key (nic<N>.interfaces.<id>.addresses.<n>)"
        return None
    if fmt == "hhmm":
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            return f"{value!r} is not a time in H:MM form"
        return None
    return None


CONTAINERS: Mapping[str, tuple[tuple[type, ...], str]] = {
    "list": ((list, tuple), "a list"),
    "object": ((dict,), "an object"),
}


def _type_error(value: Value, v: Any) -> str | None:
    scalar = SCALARS.get(value.type)
    expected, noun = (scalar.accepts, scalar.noun) if scalar is not None else CONTAINERS[value.type]
    if value.type == "int" and isinstance(v, bool):
        return "must be a number"
    if value.type == "int" and isinstance(v, float) and v.is_integer():
        return None
    if not isinstance(v, expected):
        return f"must be {noun}"
    return None


class _Validate(Rebuild):
    """Collects the problems of a value; its rebuilt result is not used."""

    def __init__(
        self,
        root: Any,
        allow_unknown_fields: bool,
        reference_check: Callable[[Value, str, Path], str | None] | None,
    ) -> None:
        self.root = root
        self.allow_unknown_fields = allow_unknown_fields
        self.reference_check = reference_check
        self.problems: list[Problem] = []

    def report(self, path: Path, message: str, is_type_error: bool = False) -> None:
        self.problems.append(Problem(path, message, is_type_error))

    def sequence(self, spec: Value, element: Value, items: list[Any], path: Path) -> Any:
        if spec.min is not None and len(items) < spec.min:
            self.report(path, f"must hold at least {spec.min} element(s)")
        if spec.max is not None and len(items) > spec.max:
            self.report(path, f"must hold at most {spec.max} element(s)")
        for i, el in enumerate(items):
            if el is None:
                self.report((*path, i), "list elements cannot be null")
            else:
                self(element, el, (*path, i))
        return items

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        err = _type_error(spec, v)
        if err:
            self.report(path, err, is_type_error=True)
            return v
        if spec.type in ("string", "reference"):
            if spec.format:
                ferr = _check_format(spec.format, v)
                if ferr:
                    self.report(path, ferr)
            kerr = key_problem(v) if spec.type == "reference" and not spec.is_inner_reference else None
            if kerr:
                self.report(path, kerr)
            elif spec.type == "reference" and self.reference_check is not None:
                rerr = self.reference_check(spec, v, path)
                if rerr:
                    self.report(path, rerr)
        if spec.type == "int":
            if spec.format == "port" and not 1 <= v <= 65535:
                self.report(path, f"{v} is not a port (1-65535)")
            if spec.min is not None and v < spec.min:
                self.report(path, f"must be at least {spec.min}")
            if spec.max is not None and v > spec.max:
                self.report(path, f"must be at most {spec.max}")
            if spec.at_least is not None:
                floor = get_in(self.root, tuple(spec.at_least.split(".")))
                if isinstance(floor, int) and not isinstance(floor, bool) and v < floor:
                    self.report(path, f"must be at least {spec.at_least} ({floor})")
        if spec.enum is not None and v not in spec.enum:
            allowed = ", ".join(repr(e) for e in spec.enum)
            self.report(path, f"{v!r} is not one of {allowed}")
        return v

    def object(self, spec: Value, obj: Mapping[str, Any], path: Path) -> Any:
        branch: str | None = None
        union = spec.union
        if union is not None:
            disc = obj.get(union.discriminator)
            if disc is None:
                self.report((*path, union.discriminator), "is required")
            elif disc is not UNKNOWN:
                branch = union.branch_name(disc)
                if branch is None:
                    err = _type_error(union.discriminator_field(), disc)
                    allowed = ", ".join(repr(b) for b in union.branches)
                    self.report((*path, union.discriminator), err or f"{disc!r} is not one of {allowed}")
        known = spec.fields_by_name
        if not self.allow_unknown_fields:
            for k in obj:
                if k not in known:
                    self.report((*path, k), "is not a known attribute")
        union_unresolved = union is not None and branch is None
        active = spec.selected_names(branch)
        for name, f in known.items():
            item = obj.get(name)
            if union is not None and name == union.discriminator:
                continue
            if name not in active:
                if union_unresolved:
                    self(f, item, (*path, name))
                elif item is not None and item is not UNKNOWN:
                    where = " or ".join(repr(b) for b in sorted(spec.branch_only_fields().get(name, ())))
                    self.report(
                        (*path, name),
                        f"is only allowed when {union.discriminator} is {where}" if union else "is not allowed here",
                    )
                continue
            if item is None and f.required and not f.nullable:
                self.report((*path, name), "is required" + (_branch_note(spec, branch)))
                continue
            if item is None and f.required_when is not None:
                when, value = f.required_when
                if get_in(self.root, tuple(when.split("."))) == value:
                    self.report((*path, name), f"is required when {when} is {value!r}")
                continue
            self(f, item, (*path, name))
        return obj


def validate(
    value: Value,
    v: Any,
    path: Path = (),
    *,
    allow_unknown_fields: bool = False,
    reference_check: Callable[[Value, str, Path], str | None] | None = None,
) -> list[Problem]:
    """All problems of `v` against `value`; UNKNOWN parts are skipped.

    `reference_check(value, key, path)` may report a reference to a missing or wrong object.
    """
    check = _Validate(v, allow_unknown_fields, reference_check)
    check(value, v, path)
    return check.problems


def get_in(v: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` (field names) inside nested objects, or None where one is missing."""
    for step in path:
        if not isinstance(v, dict):
            return None
        v = v.get(step)
    return v


def _branch_note(spec: Value, branch: str | None) -> str:
    if spec.union is None or branch is None:
        return ""
    disc = spec.union.discriminator
    return f" when {disc} is {branch!r}" if not spec.union.is_bool else f" when {disc} is {branch}"


class _Defaults(Rebuild):
    tracks_path = False
    select = "active"
    keep_unselected = True

    def __init__(self, fill_nulls: bool) -> None:
        self.fill_nulls = fill_nulls

    def object(self, spec: Value, obj: Mapping[str, Any], path: Path) -> Any:
        if spec.union is not None and obj.get(spec.union.discriminator) is UNKNOWN:
            # the branch, and so its defaults, are known only at apply
            unknown = {name: UNKNOWN for name in _branch_defaulted(spec) if obj.get(name) is None}
            obj = {**obj, **unknown}
        return super().object(spec, obj, path)

    def field(self, parent: Value, f: Field, item: Any, path: Path) -> Any:
        if item is None and f.filled_by_default:
            return _fresh(f.default)
        if item is None:
            return None if self.fill_nulls and f.nullable else OMIT
        return item


def _fresh(v: Any) -> Any:
    """A copy of a catalog default (JSON data: dicts, lists, scalars, None) that the caller may
    change; what `copy.deepcopy` gives, without its memo and dispatch per node (a few times faster,
    and defaults are filled at every validation and plan)."""
    if isinstance(v, dict):
        return {k: _fresh(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_fresh(x) for x in v]
    return v


_DEFAULTS = {fill: _Defaults(fill) for fill in (False, True)}


def apply_defaults(value: Value, v: Any, *, fill_nulls: bool = False) -> Any:
    """A copy of `v` where absent fields of the active branch take their documented defaults.

    With `fill_nulls`, every allowed field is present (null where unset): the shape the
    provider sends, since SPS wants empty fields included.
    """
    return _DEFAULTS[fill_nulls](value, v)


def _branch_defaulted(value: Value) -> set[str]:
    """Branch-only fields of a union object that some branch gives a (non-null) default."""
    assert value.union is not None
    common = {f.name for f in value.fields}
    return {
        f.name
        for fields in value.union.branches.values()
        for f in fields
        if f.name not in common and isinstance(f, Field) and f.filled_by_default
    }


class _StripInactive(Rebuild):
    tracks_path = False
    select = "active"

    def field(self, parent: Value, f: Field, item: Any, path: Path) -> Any:
        is_discriminator = parent.union is not None and f.name == parent.union.discriminator
        return OMIT if item is None and not f.nullable and not is_discriminator else item


strip_inactive = _StripInactive()
"""Drop null fields and fields of branches that are not selected (a compact request body)."""


def agrees(planned: Any, actual: Any) -> bool:
    """Whether `actual` can be `planned` once the planned UNKNOWN parts are known (plan-time
    comparisons with what the appliance holds; with nothing unknown, plain equality)."""
    if planned is UNKNOWN:
        return True
    if isinstance(planned, dict):
        return (
            isinstance(actual, dict)
            and planned.keys() == actual.keys()
            and all(agrees(v, actual[k]) for k, v in planned.items())
        )
    if isinstance(planned, list):
        return isinstance(actual, list) and len(planned) == len(actual) and all(map(agrees, planned, actual))
    return bool(planned == actual)
