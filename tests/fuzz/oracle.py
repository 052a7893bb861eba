"""An oracle for the fuzz mutations that does not ask the product's `validate`.

It knows what each mutation did (`Mutation.kind`, the spec at its path) and decides from the
catalog's documented rules alone whether the result must be refused: a wrong JSON type, a value
outside an enum or a documented format, range or length, a required field without default
dropped, a field the type does not have (kept where the docs give part of the body only), a
reference to a key its target type does not hold. The format checks are written here again on
purpose, differently, so a bug in `sps_catalog.values` cannot make both sides agree.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sps_catalog import TypeDef, Value, load_catalog
from sps_catalog.model import Field
from tests.support.catalog_cases import Mutation

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "reference": (str,),
    "bool": (bool,),
    "list": (list,),
    "object": (dict,),
}


def _spec_at(t: TypeDef, body: Any, path: tuple[str | int, ...]) -> Value:
    """The catalog spec of the value at `path` in the (unmutated) body, following its branches."""
    spec: Value = t.root
    for step in path:
        if isinstance(step, int):
            assert spec.element is not None
            spec = spec.element
        else:
            branch = spec.union.branch_name(body.get(spec.union.discriminator)) if spec.union else None
            named = {f.name: f for f in spec.active_fields(branch)}
            if spec.union is not None:
                named[spec.union.discriminator] = spec.union.discriminator_field()
            spec = named[step]
        body = body[step]
    return spec


def _is_whole_number(v: Any) -> bool:
    return type(v) is int or (type(v) is float and v == int(v))


def _is_label(x: str) -> bool:
    inner = all(c.isascii() and (c.isalnum() or c == "-") for c in x)
    return 0 < len(x) <= 63 and inner and x[0] != "-" and x[-1] != "-"


def _breaks_format(fmt: str, s: str) -> bool:
    if fmt == "filled":
        return all(c.isspace() for c in s)
    if fmt == "no_whitespace":
        return s == "" or any(c.isspace() for c in s)
    if fmt == "identifier":
        return not (s[:1].isascii() and s[:1].isalpha() and all(c.isascii() and (c.isalnum() or c == "_") for c in s))
    if fmt == "ip_or_cidr":
        return _breaks_format("cidr" if "/" in s else "ip", s)
    if fmt in ("cidr", "ip"):
        address, slash, prefix = s.partition("/")
        if (fmt == "cidr") != bool(slash):
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return True
        return bool(slash) and not (prefix.isdigit() and int(prefix) <= ip.max_prefixlen)
    if fmt == "host":
        labels = s.split(".")
        return _breaks_format("ip", s) and not (len(s) <= 253 and all(_is_label(x) for x in labels))
    if fmt == "time_zone":
        parts = s.split("/")
        ok = len(parts) <= 3 and s[:1].isascii() and s[:1].isalpha()
        return not (
            ok and all(0 < len(p) <= 30 and all(c.isascii() and (c.isalnum() or c in "_+-") for c in p) for p in parts)
        )
    if fmt == "hhmm":
        hours, colon, minutes = s.partition(":")
        ok = colon and hours.isdigit() and len(hours) <= 2 and minutes.isdigit() and len(minutes) == 2
        return not (ok and int(hours) < 24 and int(minutes) < 60)
    return False


def breaks_spec(spec: Value, v: Any) -> bool:
    """Whether `v` cannot be a value of `spec` by type, enum, format or range."""
    if spec.type == "int":
        if not _is_whole_number(v):
            return True
        low = 1 if spec.format == "port" else spec.min
        high = 65535 if spec.format == "port" else spec.max
        return (low is not None and v < low) or (high is not None and v > high)
    if not isinstance(v, JSON_TYPES[spec.type]) or (spec.type != "bool" and isinstance(v, bool)):
        return True
    if spec.type == "list":
        return (spec.min is not None and len(v) < spec.min) or (spec.max is not None and len(v) > spec.max)
    if spec.enum is not None and v not in spec.enum:
        return True
    return isinstance(v, str) and spec.format is not None and _breaks_format(spec.format, v)


def _holds_key(target: str, key: Any) -> bool:
    t = load_catalog()[target]
    return any(b.key == key for b in (*t.builtins, *t.samples))


def must_refuse(t: TypeDef, m: Mutation, body: dict[str, Any]) -> bool:
    """Whether SPS, by its documented rules, refuses `body` mutated by `m`."""
    if m.kind == "extra_field":
        return not t.partly_documented  # SPS keeps the fields the docs do not give
    spec = _spec_at(t, body, m.path)
    if m.kind == "drop_required":
        assert isinstance(spec, Field)
        return not spec.nullable and (not spec.has_default or spec.default is None)
    if m.kind in ("missing_reference", "wrong_reference"):
        return spec.is_inner_reference or not _holds_key(spec.target or "", m.value)
    return breaks_spec(spec, m.value)
