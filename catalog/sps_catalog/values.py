"""Checking and completing bodies against catalog definitions.

Shared by the simulator (request bodies) and the provider (Terraform values, which may hold
UNKNOWN during plan). Bodies are plain JSON values; references are plain keys.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sps_catalog.keys import key_problem
from sps_catalog.model import Field, Value


class _Unknown:
    """A value Terraform does not know yet (during plan)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __deepcopy__(self, memo: dict[int, Any]) -> _Unknown:
        return self


UNKNOWN = _Unknown()

Path = tuple[str | int, ...]


def dotted(path: Sequence[str | int]) -> str:
    """`("a", 0, "b")` -> `a[0].b`, the attribute-path form every error message uses."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


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


def _type_error(value: Value, v: Any) -> str | None:
    expected = {
        "string": (str,),
        "reference": (str,),
        "int": (int,),
        "bool": (bool,),
        "list": (list, tuple),
        "object": (dict,),
    }[value.type]
    if value.type == "int" and isinstance(v, bool):
        return "must be a number"
    if value.type == "int" and isinstance(v, float) and v.is_integer():
        return None
    if not isinstance(v, expected):
        names = {
            "string": "a string",
            "reference": "a key (string)",
            "int": "a whole number",
            "bool": "true or false",
            "list": "a list",
            "object": "an object",
        }
        return f"must be {names[value.type]}"
    return None


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
    problems: list[Problem] = []

    def walk(spec: Value, item: Any, at: Path) -> None:
        if item is UNKNOWN or item is None:
            return
        err = _type_error(spec, item)
        if err:
            problems.append(Problem(at, err, is_type_error=True))
            return
        if spec.type in ("string", "reference"):
            if spec.format:
                ferr = _check_format(spec.format, item)
                if ferr:
                    problems.append(Problem(at, ferr))
            kerr = key_problem(item) if spec.type == "reference" and spec.format is None else None
            if kerr:
                problems.append(Problem(at, kerr))
            elif spec.type == "reference" and reference_check is not None:
                rerr = reference_check(spec, item, at)
                if rerr:
                    problems.append(Problem(at, rerr))
        if spec.type == "int":
            if spec.format == "port" and not 1 <= item <= 65535:
                problems.append(Problem(at, f"{item} is not a port (1-65535)"))
            if spec.min is not None and item < spec.min:
                problems.append(Problem(at, f"must be at least {spec.min}"))
            if spec.max is not None and item > spec.max:
                problems.append(Problem(at, f"must be at most {spec.max}"))
            if spec.at_least is not None:
                floor = get_in(v, tuple(spec.at_least.split(".")))
                if isinstance(floor, int) and not isinstance(floor, bool) and item < floor:
                    problems.append(Problem(at, f"must be at least {spec.at_least} ({floor})"))
        if spec.enum is not None and item not in spec.enum:
            allowed = ", ".join(repr(e) for e in spec.enum)
            problems.append(Problem(at, f"{item!r} is not one of {allowed}"))
        if spec.type == "list" and spec.element is not None:
            for i, el in enumerate(item):
                if el is None:
                    problems.append(Problem((*at, i), "list elements cannot be null"))
                else:
                    walk(spec.element, el, (*at, i))
        if spec.type == "object":
            walk_object(spec, item, at)

    def walk_object(spec: Value, obj: Mapping[str, Any], at: Path) -> None:
        branch: str | None = None
        union = spec.union
        if union is not None:
            disc = obj.get(union.discriminator)
            if disc is None:
                problems.append(Problem((*at, union.discriminator), "is required"))
            elif disc is not UNKNOWN:
                branch = union.branch_name(disc)
                if branch is None:
                    err = _type_error(union.discriminator_field(), disc)
                    allowed = ", ".join(repr(b) for b in union.branches)
                    problems.append(Problem((*at, union.discriminator), err or f"{disc!r} is not one of {allowed}"))
        known = {f.name: f for f in spec.all_fields()}
        if not allow_unknown_fields:
            for k in obj:
                if k not in known:
                    problems.append(Problem((*at, k), "is not a known attribute"))
        union_unresolved = union is not None and branch is None
        active = {f.name for f in spec.active_fields(branch)}
        if union is not None:
            active.add(union.discriminator)
        owners = spec.branch_only_fields()
        for name, f in known.items():
            item = obj.get(name)
            if union is not None and name == union.discriminator:
                continue
            if name not in active:
                if union_unresolved:
                    walk(f, item, (*at, name))
                elif item is not None and item is not UNKNOWN:
                    where = " or ".join(repr(b) for b in sorted(owners.get(name, ())))
                    problems.append(
                        Problem(
                            (*at, name),
                            f"is only allowed when {union.discriminator} is {where}"
                            if union
                            else "is not allowed here",
                        )
                    )
                continue
            if item is None and f.required and not f.nullable:
                problems.append(Problem((*at, name), "is required" + (_branch_note(spec, branch))))
                continue
            if item is None and f.required_when is not None:
                when, value = f.required_when
                if get_in(v, tuple(when.split("."))) == value:
                    problems.append(Problem((*at, name), f"is required when {when} is {value!r}"))
                continue
            walk(f, item, (*at, name))

    walk(value, v, path)
    return problems


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


def apply_defaults(value: Value, v: Any, *, fill_nulls: bool = False) -> Any:
    """A copy of `v` where absent fields of the active branch take their documented defaults.

    With `fill_nulls`, every allowed field is present (null where unset): the shape the
    provider sends, since SPS wants empty fields included.
    """
    if v is None or v is UNKNOWN:
        return v
    if value.type == "list" and value.element is not None and isinstance(v, list):
        return [apply_defaults(value.element, el, fill_nulls=fill_nulls) for el in v]
    if value.type != "object" or not isinstance(v, dict):
        return v
    out = dict(v)
    branch: str | None = None
    if value.union is not None:
        disc = out.get(value.union.discriminator)
        if disc is UNKNOWN:  # the branch, and so its defaults, are known only at apply
            for name in _branch_defaulted(value):
                if out.get(name) is None:
                    out[name] = UNKNOWN
        branch = value.union.branch_name(disc)
    for f in value.active_fields(branch):
        item = out.get(f.name)
        if item is None and f.has_default and f.default is not None:
            item = f.default if isinstance(f.default, str | int | float) else copy.deepcopy(f.default)
        if item is None:
            if fill_nulls and f.nullable:
                out[f.name] = None
            continue
        out[f.name] = apply_defaults(f, item, fill_nulls=fill_nulls)
    return out


def _branch_defaulted(value: Value) -> set[str]:
    """Branch-only fields of a union object that some branch gives a (non-null) default."""
    assert value.union is not None
    common = {f.name for f in value.fields}
    return {
        f.name
        for fields in value.union.branches.values()
        for f in fields
        if f.name not in common and isinstance(f, Field) and f.has_default and f.default is not None
    }


def strip_inactive(value: Value, v: Any) -> Any:
    """Drop null fields and fields of branches that are not selected (a compact request body)."""
    if v is None or v is UNKNOWN:
        return v
    if value.type == "list" and value.element is not None and isinstance(v, list):
        return [strip_inactive(value.element, el) for el in v]
    if value.type != "object" or not isinstance(v, dict):
        return v
    branch = value.union.branch_name(v.get(value.union.discriminator)) if value.union else None
    allowed = {f.name: f for f in value.active_fields(branch)}
    out: dict[str, Any] = {}
    if value.union is not None:
        out[value.union.discriminator] = v.get(value.union.discriminator)
    for name, f in allowed.items():
        item = v.get(name)
        if item is None and not f.nullable:
            continue
        out[name] = strip_inactive(f, item)
    return out
