"""Terraform attribute trees derived from catalog definitions.

SPS objects become nested attributes that keep the SPS field names
(`encryption = { enabled = false }`), as current Terraform guidance recommends over blocks.
A union's discriminator is required; branch fields are optional in the schema and checked
per branch by the engine, so errors can name the branch.
"""

from __future__ import annotations

from typing import Literal

from sps_catalog.model import Field, TypeDef, Value
from sps_catalog.unknown_fields import EXTRA_JSON, EXTRA_JSON_DESCRIPTION
from sps_provider.protocol.cty import CtyType, list_of, object_of
from sps_provider.protocol.schema import Attr

Mode = Literal["resource", "data"]


def _leaf_type(v: Value) -> CtyType:
    if v.type in ("string", "reference"):
        return "string"
    if v.type == "int":
        return "number"
    if v.type == "bool":
        return "bool"
    if v.type == "list":
        assert v.element is not None
        return list_of(_leaf_type(v.element))
    raise ValueError(f"no leaf type for {v.type}")


def _describe(f: Field) -> str:
    text = f.description
    if f.type == "reference":
        text += f" (reference: key of an `sps_{f.target}`)"
    if f.enum:
        text += " One of: " + ", ".join(f"`{e}`" for e in f.enum) + "."
    if f.has_default and f.default is not None:
        text += f" Defaults to `{f.default}`." if not isinstance(f.default, dict) else ""
    return text


def field_attr(f: Field, mode: Mode, *, in_branch: bool = False) -> Attr:
    if mode == "data":
        flags = {"computed": True}
    elif f.required and not f.has_default and not in_branch:
        flags = {"required": True}
    else:
        flags = {"optional": True, "computed": f.has_default and f.default is not None}
    common = {
        "name": f.name,
        "description": _describe(f),
        "sensitive": f.sensitive,
        "requires_replace": f.requires_replace,
        **flags,
    }
    if f.type == "object":
        return Attr(nested=object_attrs(f, mode), nesting="single", **common)  # type: ignore[arg-type]
    if f.type == "list" and f.element is not None and f.element.type == "object":
        return Attr(nested=object_attrs(f.element, mode), nesting="list", **common)  # type: ignore[arg-type]
    return Attr(cty=_leaf_type(f), **common)  # type: ignore[arg-type]


def object_attrs(v: Value, mode: Mode) -> tuple[Attr, ...]:
    common = {f.name for f in v.fields}
    if v.union is not None:
        common.add(v.union.discriminator)
    out: list[Attr] = []
    for f in v.all_fields():
        if mode == "resource" and f.secret:
            out.extend(secret_attrs(f))
        else:
            out.append(field_attr(f, mode, in_branch=f.name not in common))
    return tuple(out)


KEY_DESCRIPTION = "The object's key on SPS: its identifier, used for references and import."


def secret_attrs(f: Field) -> tuple[Attr, ...]:
    """A write-once secret reference: its key (computed), the secret (write-only) and a version."""
    return (
        Attr(
            name=f.name,
            cty="string",
            computed=True,
            description=f"{f.description} Created by the provider from `{f.write_only_name}`.",
        ),
        Attr(
            name=f.write_only_name,
            cty="string",
            optional=True,
            sensitive=True,
            write_only=True,
            description=f"The secret for `{f.name}`. Write-only (Terraform >= 1.11): never stored in state or "
            f"plan. SPS keeps it as a write-once object, so change `{f.version_name}` to set a new one.",
        ),
        Attr(
            name=f.version_name,
            cty="number",
            optional=True,
            description=f"Change this to send `{f.write_only_name}` again (a new SPS secret object is created).",
        ),
    )


def resource_attrs(t: TypeDef) -> tuple[Attr, ...]:
    key = Attr(name="key", cty="string", computed=True, description=KEY_DESCRIPTION)
    extra = Attr(name=EXTRA_JSON, cty="string", optional=True, description=EXTRA_JSON_DESCRIPTION)
    return (key, *object_attrs(t.root, "resource"), extra)


def data_source_attrs(t: TypeDef) -> tuple[Attr, ...]:
    out = [
        Attr(
            name="key",
            cty="string",
            optional=True,
            computed=True,
            description="Key of the object to find. Give `key` or `name`.",
        )
    ]
    if t.name_field:
        out.append(
            Attr(
                name=t.name_field,
                cty="string",
                optional=True,
                computed=True,
                description="Name of the object to find (built-ins included). Give `key` or `name`.",
            )
        )
    if t.is_typed:
        out += [a for a in object_attrs(t.root, "data") if a.name != t.name_field]
        out.append(
            Attr(
                name=EXTRA_JSON,
                cty="string",
                computed=True,
                description="The fields SPS returned that the catalog does not model, as a JSON object.",
            )
        )
    else:
        out.append(
            Attr(
                name="body_json",
                cty="string",
                computed=True,
                description="The object's body as returned by SPS, as JSON (its schema is not documented).",
            )
        )
    return tuple(out)


def object_type(attrs: tuple[Attr, ...]) -> CtyType:
    return object_of({a.name: a.type for a in attrs})
