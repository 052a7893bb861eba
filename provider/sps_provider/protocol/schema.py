"""Encode attribute trees as tfplugin6 Schema messages."""

from __future__ import annotations

from sps_provider.engine.attrs import Attr
from sps_provider.protocol.cty import type_bytes
from sps_provider.protocol.gen import tfplugin6_pb2 as pb


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
