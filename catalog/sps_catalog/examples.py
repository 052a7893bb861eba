"""Catalog examples as Terraform configuration (HCL) and CDKTF Python, for docs and tests.

In examples, `{builtin: <type>/<name>}` stands for a reference to a built-in object (a data
source lookup by the built-in's documented key), and `{ref: <type>/<example>}` for a reference to
an object made from another type's example (a resource block of its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sps_catalog.model import Builtin, Catalog, TypeDef


@dataclass
class HclConfig:
    """Resource blocks plus the data blocks their built-in references need."""

    blocks: list[str] = field(default_factory=list)
    data: dict[str, str] = field(default_factory=dict)
    refs: set[str] = field(default_factory=set)

    def text(self) -> str:
        return "\n".join([*self.data.values(), *self.blocks])


def hcl_string(s: str) -> str:
    return json.dumps(s).replace("${", "$${").replace("%{", "%%{")


def hcl_label(name: str) -> str:
    """A valid Terraform block label for an object name (`7x24` -> `_7x24`)."""
    label = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return label if re.match(r"[A-Za-z_]", label) else f"_{label}"


def is_builtin_ref(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"builtin"}


def is_sample_ref(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"sample"}


def is_example_ref(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"ref"}


def builtin_key(cat: Catalog, ref: str) -> tuple[TypeDef, str, str]:
    """`audit_policy/default` -> (type, name, key)."""
    return _named_key(cat, ref, "built-in", TypeDef.builtin_by_name)


def sample_key(cat: Catalog, ref: str) -> tuple[TypeDef, str, str]:
    """`credential_store/demo` -> (type, name, key) of an uploaded sample object."""
    return _named_key(cat, ref, "sample", TypeDef.sample_by_name)


def _named_key(
    cat: Catalog, ref: str, what: str, find: Callable[[TypeDef, str], Builtin | None]
) -> tuple[TypeDef, str, str]:
    type_name, name = ref.split("/", 1)
    t = cat[type_name]
    found = find(t, name)
    if found is None:
        raise ValueError(f"example references unknown {what} {ref}")
    return t, name, found.key


def lookup_by_key(cfg: HclConfig, t: TypeDef, name: str, key: str) -> str:
    """A data block finding the object `name` by its key; returns the expression of its key."""
    label = hcl_label(name)
    cfg.data[f"{t.terraform_name}_{label}"] = f'data "{t.resource_type}" "{label}" {{\n  key = {hcl_string(key)}\n}}\n'
    return f"data.{t.resource_type}.{label}.key"


def hcl_value(cat: Catalog, v: Any, cfg: HclConfig, indent: int = 2) -> str:
    pad = " " * indent
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, str):
        return hcl_string(v)
    if is_builtin_ref(v):
        return lookup_by_key(cfg, *builtin_key(cat, v["builtin"]))
    if is_sample_ref(v):
        return lookup_by_key(cfg, *sample_key(cat, v["sample"]))
    if is_example_ref(v):
        type_name, example = v["ref"].split("/", 1)
        t = cat[type_name]
        label = f"ref_{example}"
        if f"{t.resource_type}.{label}" not in cfg.refs:
            cfg.refs.add(f"{t.resource_type}.{label}")
            hcl_resource(cat, t, label, dict(t.examples[example]), cfg)
        return f"{t.resource_type}.{label}.key"
    if isinstance(v, list):
        if not v:
            return "[]"
        inner = ",\n".join(pad + "  " + hcl_value(cat, x, cfg, indent + 2) for x in v)
        return "[\n" + inner + "\n" + pad + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = "\n".join(f"{pad}  {k} = {hcl_value(cat, x, cfg, indent + 2)}" for k, x in v.items())
        return "{\n" + inner + "\n" + pad + "}"
    raise TypeError(f"cannot render {v!r}")


def hcl_resource(
    cat: Catalog, t: TypeDef, label: str, body: dict[str, Any], cfg: HclConfig, provider: str | None = None
) -> None:
    lines = [f'resource "{t.resource_type}" "{label}" {{']
    if provider:
        lines.append(f"  provider = {provider}")
    lines += [f"  {k} = {hcl_value(cat, v, cfg)}" for k, v in body.items()]
    lines.append("}\n")
    cfg.blocks.append("\n".join(lines))
