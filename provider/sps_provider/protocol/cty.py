"""cty values on the wire: the msgpack encoding Terraform uses for DynamicValue.

Types are small Python values: "string", "number", "bool", ("list", T), ("set", T),
("map", T), ("object", {name: T}). Objects are always encoded with every attribute of their
type (null where unset), as Terraform decodes them by type. Unknown values are msgpack
extension 0 (Terraform may also send refined unknowns as another extension code: any
extension decodes as UNKNOWN).

What this encoding carries to Terraform: integers of 64 bits (msgpack int64 and uint64, both of
which Terraform's decoder reads), finite floats (Terraform's numbers cannot be NaN, and its state
is JSON, which has no infinities) and UTF-8 text. A value outside that, which only the appliance
can send, raises `Unencodable` with its attribute path instead of failing inside the packer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import msgpack

from sps_catalog.values import UNKNOWN

CtyType = str | tuple[str, Any]

INT_MIN = -(2**63)
INT_MAX = 2**64 - 1
_SHOWN = 60


class Unencodable(ValueError):
    """A value this encoding cannot carry to Terraform; `path` is its attribute path in the
    encoded value, `reason` says why (a sentence without the path)."""

    def __init__(self, path: list[str | int], reason: str) -> None:
        super().__init__(f"{dotted(path)}: {reason}")
        self.path = path
        self.reason = reason


class _Refused(Exception):
    """A non-finite float met by `_encode` (the packer would send it); `encode` then looks for the path."""


def dotted(path: list[str | int]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".") or "(value)"


def _shown(v: Any) -> str:
    text = ascii(v)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN // 2]}...{text[-_SHOWN // 2 :]} ({len(text)} characters)"


def leaf_problem(v: Any) -> str | None:
    """Why a scalar cannot be sent to Terraform, or None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        if INT_MIN <= v <= INT_MAX:
            return None
        return f"is {_shown(v)}, outside the 64-bit integers (-2**63 to 2**64-1) this provider sends Terraform"
    if isinstance(v, float):
        return None if math.isfinite(v) else f"is {v}, not a finite number"
    if isinstance(v, str) and not v.isascii():
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as exc:
            return (
                f"holds a lone surrogate U+{ord(v[exc.start]):04X} at character {exc.start}, "
                "which is not Unicode text (UTF-8 cannot encode it)"
            )
    return None


def list_of(t: CtyType) -> CtyType:
    return ("list", t)


def object_of(attrs: Mapping[str, CtyType]) -> CtyType:
    return ("object", dict(attrs))


def type_json(t: CtyType) -> Any:
    """The JSON form Terraform expects in schema attribute `type` bytes."""
    if isinstance(t, str):
        return t
    kind, inner = t
    if kind == "object":
        return ["object", {k: type_json(v) for k, v in inner.items()}]
    return [kind, type_json(inner)]


def type_bytes(t: CtyType) -> bytes:
    return json.dumps(type_json(t), separators=(",", ":")).encode()


def _encode(t: CtyType, v: Any) -> Any:
    if v is None:
        return None
    if v is UNKNOWN:
        return msgpack.ExtType(0, b"")
    if isinstance(t, str):
        if t == "number" and isinstance(v, float):
            if not math.isfinite(v):
                raise _Refused  # the packer would send it
            if v.is_integer():
                return int(v)
        return v
    kind, inner = t
    if kind in ("list", "set"):
        return [_encode(inner, el) for el in v]
    if kind == "map":
        return {k: _encode(inner, el) for k, el in v.items()}
    return {name: _encode(at, v.get(name)) for name, at in inner.items()}


def _refused(t: CtyType, v: Any, path: list[str | int]) -> Unencodable | None:
    """The first value `_encode` refuses, with its path (walked only after it refused one)."""
    if v is None or v is UNKNOWN:
        return None
    if isinstance(t, str):
        problem = leaf_problem(v)
        return Unencodable(path, problem) if problem else None
    kind, inner = t
    if kind in ("list", "set"):
        children: list[tuple[str | int, CtyType, Any]] = [(i, inner, el) for i, el in enumerate(v)]
    elif kind == "map":
        for k in v:
            if problem := leaf_problem(k):
                return Unencodable(path, f"has the key {k!a}, which {problem}")
        children = [(k, inner, el) for k, el in v.items()]
    else:
        children = [(name, at, v.get(name)) for name, at in inner.items()]
    for step, ct, el in children:
        found = _refused(ct, el, [*path, step])
        if found is not None:
            return found
    return None


def encode(t: CtyType, v: Any) -> bytes:
    """`v` as msgpack of type `t`; raises Unencodable for a value Terraform cannot be sent. The
    packer itself refuses integers beyond 64 bits and text UTF-8 cannot encode, so the walk that
    names the path runs only after a refusal."""
    try:
        packed: bytes = msgpack.packb(_encode(t, v), use_bin_type=True)
    except (_Refused, OverflowError, UnicodeEncodeError):
        found = _refused(t, v, [])
        if found is None:
            raise
        raise found from None
    return packed


def _ext_hook(code: int, data: bytes) -> Any:
    return UNKNOWN


def decode(data: bytes) -> Any:
    if not data:
        return None
    return msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False)


def conform(t: CtyType, v: Any) -> Any:
    """`v` (e.g. from JSON state) shaped as `t`: missing object attributes become null."""
    if v is None or v is UNKNOWN or isinstance(t, str):
        return v
    kind, inner = t
    if kind in ("list", "set"):
        return [conform(inner, el) for el in v]
    if kind == "map":
        return {k: conform(inner, el) for k, el in v.items()}
    return {name: conform(at, v.get(name)) for name, at in inner.items()}


def is_wholly_known(v: Any) -> bool:
    if v is UNKNOWN:
        return False
    if isinstance(v, dict):
        return all(is_wholly_known(x) for x in v.values())
    if isinstance(v, list):
        return all(is_wholly_known(x) for x in v)
    return True
