"""Terraform attribute trees derived from catalog definitions.

SPS objects become nested attributes that keep the SPS field names
(`encryption = { enabled = false }`), as current Terraform guidance recommends over blocks.
A union's discriminator is required; branch fields are optional in the schema and checked
per branch by the engine, so errors can name the branch.
"""

from __future__ import annotations

import json
from typing import Literal

from sps_catalog.model import Field, TypeDef, Value
from sps_catalog.scalars import SCALARS
from sps_catalog.secrets import secret_key_description, version_description, write_only_description
from sps_catalog.unknown_fields import EXTRA_JSON, EXTRA_JSON_DESCRIPTION
from sps_provider.protocol.cty import CtyType, list_of, object_of
from sps_provider.protocol.schema import Attr

Mode = Literal["resource", "data"]


def _leaf_type(v: Value) -> CtyType:
    if v.type == "list":
        assert v.element is not None
        return list_of(_leaf_type(v.element))
    return SCALARS[v.type].terraform


def _describe(f: Field, branches: set[str] | None, discriminator: str | None) -> str:
    """The attribute's description: the catalog's words plus what the schema flags cannot say."""
    text = [f.description]
    if branches and discriminator:
        where = " or ".join(f"`{b}`" for b in sorted(branches))
        text.append(f"Only when `{discriminator}` is {where}" + ("; required there." if f.required else "."))
    if f.required_when is not None:
        text.append(f"Required when `{f.required_when[0]}` is `{json.dumps(f.required_when[1])}`.")
    if f.type == "reference":
        text.append(f"A key of an `sps_{f.target}`.")
    if f.enum:
        text.append("One of: " + ", ".join(f"`{json.dumps(e)}`" for e in f.enum) + ".")
    if f.format:
        text.append(f"Format: `{f.format}`.")
    if f.at_least:
        text.append(f"At least `{f.at_least}`.")
    if f.at_most_option:
        text.append(f"At most the protocol options' `{f.at_most_option}` when that is set (SPS checks it at commit).")
    if f.filled_by_default:
        text.append(f"Default: `{json.dumps(f.default)}`" + (" (assumed)." if f.default_is_assumption else "."))
    if f.assumption:
        text.append(f"Assumption: {f.assumption}")
    return " ".join(text)


def field_attr(f: Field, mode: Mode, *, branches: set[str] | None = None, discriminator: str | None = None) -> Attr:
    if mode == "data":
        flags = {"computed": True}
    elif f.must_be_given and not branches:
        flags = {"required": True}
    else:
        flags = {"optional": True, "computed": f.filled_by_default}
    common = {
        "name": f.name,
        "description": _describe(f, branches, discriminator),
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
    owners = v.branch_only_fields()
    disc = v.union.discriminator if v.union is not None else None
    out: list[Attr] = []
    for f in v.all_fields():
        if mode == "resource" and f.secret:
            out.extend(secret_attrs(f))
        else:
            out.append(field_attr(f, mode, branches=owners.get(f.name), discriminator=disc))
    return tuple(out)


KEY_DESCRIPTION = "The object's key on SPS: its identifier, used for references and import."


def secret_attrs(f: Field) -> tuple[Attr, ...]:
    """A write-once secret reference: its key (computed), the secret (write-only) and a version."""
    return (
        Attr(name=f.name, cty="string", computed=True, description=secret_key_description(f)),
        Attr(
            name=f.write_only_name,
            cty="string",
            optional=True,
            sensitive=True,
            write_only=True,
            description=write_only_description(f),
        ),
        Attr(name=f.version_name, cty="number", optional=True, description=version_description(f)),
    )


def resource_attrs(t: TypeDef) -> tuple[Attr, ...]:
    key = Attr(name="key", cty="string", computed=True, description=KEY_DESCRIPTION)
    extra_description = EXTRA_JSON_DESCRIPTION
    if t.value_body is not None:
        extra_description = f"Not used: the body is the bare value of `{t.value_body}`, with no other fields (refused)."
    extra = Attr(name=EXTRA_JSON, cty="string", optional=True, description=extra_description)
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
