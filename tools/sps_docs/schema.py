"""The provider's schema as it is served: GetProviderSchema called in process, decoded back into
the protocol layer's `Attr` trees, and how the registry's pages label them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sps_provider.protocol.cty import CtyType
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.protocol.schema import Attr
from sps_provider.provider import Provider


@dataclass(frozen=True)
class Block:
    description: str
    attributes: tuple[Attr, ...]


@dataclass(frozen=True)
class ServedSchema:
    provider: Block
    resources: Mapping[str, Block]
    data_sources: Mapping[str, Block]


def _cty(t: Any) -> CtyType:
    return t if isinstance(t, str) else (t[0], _cty(t[1]) if t[0] != "object" else t[1])


def _attr(a: pb.Schema.Attribute) -> Attr:
    flags = {
        "name": a.name,
        "description": a.description,
        "required": a.required,
        "optional": a.optional,
        "computed": a.computed,
        "sensitive": a.sensitive,
        "write_only": a.write_only,
    }
    if not a.HasField("nested_type"):
        return Attr(cty=_cty(json.loads(a.type)), **flags)
    nesting: Literal["single", "list"] = "single" if a.nested_type.nesting == pb.Schema.Object.SINGLE else "list"
    return Attr(nested=tuple(_attr(n) for n in a.nested_type.attributes), nesting=nesting, **flags)


def _block(s: pb.Schema) -> Block:
    return Block(s.block.description, tuple(_attr(a) for a in s.block.attributes))


def served_schema() -> ServedSchema:
    """What Terraform gets from the provider (`terraform providers schema -json` without terraform)."""
    resp = Provider().GetProviderSchema(pb.GetProviderSchema.Request(), None)
    if resp.diagnostics:
        raise RuntimeError(f"GetProviderSchema failed: {list(resp.diagnostics)}")
    return ServedSchema(
        provider=_block(resp.provider),
        resources={name: _block(s) for name, s in resp.resource_schemas.items()},
        data_sources={name: _block(s) for name, s in resp.data_source_schemas.items()},
    )


def _type_label(t: CtyType) -> str:
    if isinstance(t, str):
        return {"string": "String", "number": "Number", "bool": "Boolean", "dynamic": "Dynamic"}[t]
    return "Object" if t[0] == "object" else f"{t[0].capitalize()} of {_type_label(t[1])}"


def type_label(a: Attr) -> str:
    """As the registry's pages write it: `String`, `List of Number`, `Attributes`, `Attributes List`."""
    if a.nested is not None:
        return "Attributes" if a.nesting == "single" else "Attributes List"
    assert a.cty is not None
    return _type_label(a.cty)


def flags(a: Attr) -> str:
    """`String, Sensitive, Write-only`: the type and what the schema says about the value."""
    return ", ".join(
        [type_label(a), *(["Sensitive"] if a.sensitive else []), *(["Write-only"] if a.write_only else [])]
    )


def group(a: Attr) -> str:
    """The registry's groups: what a configuration must set, may set, or only reads."""
    if a.required:
        return "Required"
    return "Optional" if a.optional else "Read-Only"
