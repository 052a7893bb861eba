"""Turn raw catalog definitions (dicts from YAML or the compiled `_data` module) into the model."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

from sps_catalog.firmware import Versions
from sps_catalog.model import (
    NO_DEFAULT,
    Builtin,
    Catalog,
    Field,
    Kind,
    Layer,
    StateUpgrade,
    TypeDef,
    Union,
    Value,
    ValueType,
)
from sps_catalog.walk import dotted, nodes

CATALOG_DIR = Path(__file__).resolve().parent.parent
TYPES_DIR = CATALOG_DIR / "types"
SCHEMA_FILE = CATALOG_DIR / "catalog.schema.json"


def _value_kwargs(raw: Mapping[str, Any]) -> dict[str, Any]:
    enum = raw.get("enum")
    union = raw.get("union")
    element = raw.get("element")
    return {
        "type": cast(ValueType, raw["type"]),
        "format": raw.get("format"),
        "enum": tuple(enum) if enum is not None else None,
        "min": raw.get("min"),
        "max": raw.get("max"),
        "at_least": raw.get("at_least"),
        "target": raw.get("target"),
        "element": _value(element) if element is not None else None,
        "fields": tuple(_field(f) for f in raw.get("fields", ())),
        "union": _union(union) if union is not None else None,
    }


def _value(raw: Mapping[str, Any]) -> Value:
    return Value(**_value_kwargs(raw))


def _union(raw: Mapping[str, Any]) -> Union:
    return Union(
        discriminator=raw["discriminator"],
        description=raw["description"],
        branches={str(k): tuple(_field(f) for f in v) for k, v in raw["branches"].items()},
    )


def _field(raw: Mapping[str, Any]) -> Field:
    return Field(
        **_value_kwargs(raw),
        name=raw["name"],
        description=raw["description"],
        required=raw.get("required", False),
        nullable=raw.get("nullable", False),
        default=raw.get("default", NO_DEFAULT),
        default_is_assumption=raw.get("default_is_assumption", False),
        sensitive=raw.get("sensitive", False),
        requires_replace=raw.get("requires_replace", False),
        secret=raw.get("secret", False),
        assumption=raw.get("assumption", ""),
        versions=Versions(**raw.get("versions", {})),
        required_when=(when["path"], when["is"]) if (when := raw.get("required_when")) else None,
    )


def type_from_dict(raw: Mapping[str, Any]) -> TypeDef:
    return TypeDef(
        terraform_name=raw["terraform_name"],
        title=raw["title"],
        path=raw["path"],
        kind=cast(Kind, raw["kind"]),
        description=raw["description"].strip(),
        sources=tuple(raw["sources"]),
        name_field=raw.get("name_field"),
        partly_documented=raw.get("partly_documented", False),
        builtins=tuple(
            Builtin(key=b["key"], body=b["body"], name_is_assumption=b.get("name_is_assumption", False))
            for b in raw.get("builtins", ())
        ),
        samples=tuple(Builtin(key=b["key"], body=b["body"]) for b in raw.get("samples", ())),
        initial_body=raw.get("initial_body"),
        examples=raw.get("examples", {}),
        fields=tuple(_field(f) for f in raw.get("fields", ())),
        versions=Versions(**raw.get("versions", {})),
        schema_version=raw.get("schema_version", 0),
        state_upgrades=_state_upgrades(raw),
        overlays=tuple(cast(Layer, layer) for layer in raw.get("overlays", ())),
    )


def _state_upgrades(raw: Mapping[str, Any]) -> tuple[StateUpgrade, ...]:
    """The declared upgrades; each version up to `schema_version` needs exactly one."""
    upgrades = tuple(StateUpgrade(u["version"], u["renamed"]) for u in raw.get("state_upgrades", ()))
    expected = list(range(1, raw.get("schema_version", 0) + 1))
    if [u.version for u in upgrades] != expected:
        raise ValueError(f"{raw['terraform_name']}: state_upgrades must lead to versions {expected} in order")
    return upgrades


def read_yaml_definitions(types_dir: Path = TYPES_DIR) -> list[dict[str, Any]]:
    """Read every YAML definition, checked against the JSON schema (used by the generator and tests)."""
    import jsonschema
    import yaml

    schema = json.loads(SCHEMA_FILE.read_text())
    out: list[dict[str, Any]] = []
    for path in sorted(types_dir.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text())
        try:
            jsonschema.validate(raw, schema)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path)
            raise ValueError(f"{path.name}: {where}: {exc.message}") from exc
        if raw["terraform_name"] != path.stem:
            raise ValueError(f"{path.name}: terraform_name must equal the file name")
        out.append(raw)
    return out


def resolve_shared_fields(raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Definitions with `fields_from` get those fields of the other definition in front of their own."""
    by_name = {r["terraform_name"]: r for r in raws}
    out = []
    for raw in raws:
        shared = raw.get("fields_from")
        if shared:
            source = {f["name"]: f for f in by_name[shared["type"]].get("fields", ())}
            missing = [n for n in shared["names"] if n not in source]
            if missing:
                raise ValueError(f"{raw['terraform_name']}: fields_from {shared['type']} has no {missing}")
            raw = {**raw, "fields": [source[n] for n in shared["names"]] + list(raw.get("fields", ()))}
        out.append(raw)
    return out


def catalog_from_dicts(raws: list[dict[str, Any]]) -> Catalog:
    raws = resolve_shared_fields(raws)
    cat = Catalog(types={r["terraform_name"]: type_from_dict(r) for r in raws})
    check_references(cat)
    return cat


def check_references(cat: Catalog) -> None:
    """Every reference must name a catalog type: a dangling target is a catalog bug."""

    for t in cat:
        for path, value in nodes(t.root):
            if value.type == "reference" and value.target not in cat.types:
                where = dotted((t.terraform_name, *path))
                raise ValueError(f"{where}: reference target {value.target!r} is not in the catalog")


@cache
def load_catalog() -> Catalog:
    """The catalog as compiled into `sps_catalog._data` by `sps-generate`."""
    from sps_catalog import _data

    return catalog_from_dicts(_data.DEFINITIONS)
