"""Encode attribute trees as tfplugin6 Schema messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sps_provider.protocol.cty import CtyType, list_of, object_of, type_bytes
from sps_provider.protocol.gen import tfplugin6_pb2 as pb


@dataclass(frozen=True)
class Attr:
    """One schema attribute: a leaf with a cty type, or nested attributes (a single object or a list of them)."""

    name: str
    description: str
    cty: CtyType | None = None
    nested: tuple[Attr, ...] | None = None
    nesting: Literal["single", "list"] = "single"
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False
    write_only: bool = False
    requires_replace: bool = False

    @property
    def type(self) -> CtyType:
        if self.nested is None:
            assert self.cty is not None
            return self.cty
        obj = object_of({a.name: a.type for a in self.nested})
        return obj if self.nesting == "single" else list_of(obj)


def attribute(a: Attr) -> pb.Schema.Attribute:
    out = pb.Schema.Attribute(
        name=a.name,
        description=a.description,
        description_kind=pb.MARKDOWN,
        required=a.required,
        optional=a.optional,
        computed=a.computed,
        sensitive=a.sensitive,
        write_only=a.write_only,
    )
    if a.nested is None:
        out.type = type_bytes(a.type)
    else:
        nesting = pb.Schema.Object.SINGLE if a.nesting == "single" else pb.Schema.Object.LIST
        out.nested_type.CopyFrom(pb.Schema.Object(attributes=[attribute(n) for n in a.nested], nesting=nesting))
    return out


def schema(attrs: tuple[Attr, ...], description: str, version: int = 0) -> pb.Schema:
    block = pb.Schema.Block(
        version=version,
        attributes=[attribute(a) for a in attrs],
        description=description,
        description_kind=pb.MARKDOWN,
    )
    return pb.Schema(version=version, block=block)
