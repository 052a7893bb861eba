"""cty values on the wire: the msgpack encoding Terraform uses for DynamicValue.

Types are small Python values: "string", "number", "bool", ("list", T), ("set", T),
("map", T), ("object", {name: T}). Objects are always encoded with every attribute of their
type (null where unset), as Terraform decodes them by type. Unknown values are msgpack
extension 0 (Terraform may also send refined unknowns as another extension code: any
extension decodes as UNKNOWN).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import msgpack

from sps_catalog.values import UNKNOWN

CtyType = str | tuple[str, Any]


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
        if t == "number" and isinstance(v, float) and v.is_integer():
            return int(v)
        return v
    kind, inner = t
    if kind in ("list", "set"):
        return [_encode(inner, el) for el in v]
    if kind == "map":
        return {k: _encode(inner, el) for k, el in v.items()}
    return {name: _encode(at, v.get(name)) for name, at in inner.items()}


def encode(t: CtyType, v: Any) -> bytes:
    packed: bytes = msgpack.packb(_encode(t, v), use_bin_type=True)
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
