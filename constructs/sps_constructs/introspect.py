"""Which construct class and struct stand for a catalog type or value, read off the classes
`sps_constructs` exports (their type hints and the union branch each struct stands for), so code
that writes stacks (sps-export, the reference pages' examples) uses exactly the installed classes,
whatever the generator names them."""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import sps_constructs
from sps_constructs import arguments, families
from sps_constructs.base import SpsDataSource, SpsResource, SpsStruct


@cache
def construct_classes() -> dict[str, tuple[type[SpsResource] | None, type[SpsDataSource] | None]]:
    """terraform_name -> (resource class, data source class), from what `sps_constructs` exports."""
    out: dict[str, tuple[type[SpsResource] | None, type[SpsDataSource] | None]] = {}
    for name in dir(sps_constructs):
        cls = getattr(sps_constructs, name)
        if isinstance(cls, type) and issubclass(cls, SpsResource | SpsDataSource) and hasattr(cls, "TYPE"):
            res, data = out.get(cls.TYPE, (None, None))
            if issubclass(cls, SpsResource):
                res = cls
            else:
                data = cls
            out[cls.TYPE] = (res, data)
    return out


_HINTS: dict[tuple[type, bool], dict[str, Any]] = {}


def hints_of(cls: type, *, init: bool) -> dict[str, Any]:
    """The parameter types of a construct's `__init__` (`init`; its keyword arguments, which the
    constructor takes as `**args: Unpack[<Type>Args]`, one by one) or a struct's fields, made once."""
    found = _HINTS.get((cls, init))
    if found is None:
        modules = (sps_constructs, arguments, families, sys.modules[cls.__module__])
        namespace = {name: value for module in modules for name, value in vars(module).items()}
        found = typing.get_type_hints(cls.__dict__["__init__"] if init else cls, globalns=namespace)
        unpacked = found.pop("args", None) if init else None
        if unpacked is not None:
            (keywords,) = typing.get_args(unpacked)
            found.update(_keys_of(keywords, namespace))
        _HINTS[(cls, init)] = found
    return found


def _keys_of(typed_dict: type, namespace: dict[str, Any]) -> dict[str, Any]:
    """The value types of a TypedDict's keys (without `Required`), its own and its bases'. They are
    resolved in `namespace`: the references they name are imported for type checking only."""
    written = {
        key: hint.__forward_arg__ if isinstance(hint, typing.ForwardRef) else hint
        for key, hint in typed_dict.__annotations__.items()
    }
    return typing.get_type_hints(type("Keys", (), {"__annotations__": written}), globalns=namespace)


def _structs(hint: Any) -> list[type[SpsStruct]]:
    """The struct classes a parameter's hint allows (through `| None`, unions and `Sequence[...]`)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType) or origin is Sequence:
        return [c for arg in typing.get_args(hint) for c in _structs(arg)]
    return [hint] if isinstance(hint, type) and issubclass(hint, SpsStruct) else []


def struct_for(hint: Any, obj: Mapping[str, Any]) -> type[SpsStruct]:
    """The struct a parameter of type `hint` takes for the object `obj` (its union branch's)."""
    options = _structs(hint)
    for cls in options:
        branch = cls._SPS_BRANCH
        if branch is None or obj.get(branch[0]) == branch[1]:
            return cls
    raise LookupError(f"no struct among {options} fits {obj}")


def home(cls: type) -> str:
    """The module a stack imports `cls` from: `sps_constructs` when it exports it, else its own."""
    return "sps_constructs" if getattr(sps_constructs, cls.__name__, None) is cls else cls.__module__
