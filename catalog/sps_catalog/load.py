"""Turn raw catalog definitions (dicts from YAML or the compiled `_data` module) into the model."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

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
    field_nodes,
    nodes,
)
from sps_catalog.option_caps import caps, options_of
from sps_catalog.orders import order_types
from sps_catalog.paths import dotted
from sps_catalog.versions import Versions

CATALOG_DIR = Path(__file__).resolve().parent.parent
SCHEMA_FILE = CATALOG_DIR / "catalog.schema.json"
CATALOG_DIR_ENV = "SPS_CATALOG_DIR"


class _Builder:
    """Raw definitions -> model, resolving `shape: <name>` uses on the way: a field that uses a
    shape is the shape's definition with the field's own keys on top, and remembers the shape."""

    def __init__(self, shapes: Mapping[str, Mapping[str, Any]]) -> None:
        self.shapes = shapes
        self.resolving: tuple[str, ...] = ()

    def value_kwargs(self, raw: Mapping[str, Any]) -> dict[str, Any]:
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
            "element": Value(**self.value_kwargs(element)) if element is not None else None,
            "fields": tuple(self.field(f) for f in raw.get("fields", ())),
            "union": self.union(union) if union is not None else None,
        }

    def union(self, raw: Mapping[str, Any]) -> Union:
        return Union(
            discriminator=raw["discriminator"],
            description=raw["description"],
            branches={str(k): tuple(self.field(f) for f in v) for k, v in raw["branches"].items()},
        )

    def field(self, raw: Mapping[str, Any]) -> Field:
        shape = raw.get("shape")
        if shape is None:
            return self.plain_field(raw)
        if shape not in self.shapes:
            raise ValueError(f"field {raw['name']!r}: no shape {shape!r} in catalog/shapes")
        if shape in self.resolving:
            raise ValueError(f"shape {shape!r} contains itself ({' -> '.join((*self.resolving, shape))})")
        self.resolving += (shape,)
        try:
            return self.plain_field({**self.shapes[shape], **raw})
        finally:
            self.resolving = self.resolving[:-1]

    def plain_field(self, raw: Mapping[str, Any]) -> Field:
        return Field(
            **self.value_kwargs(raw),
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
            at_most_option=raw.get("at_most_option"),
            shape=raw.get("shape"),
        )


def type_from_dict(raw: Mapping[str, Any], shapes: Mapping[str, Mapping[str, Any]] | None = None) -> TypeDef:
    """One type definition (its family already applied, see `with_family`) in the model."""
    build = _Builder(shapes or {})
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
            Builtin(
                key=b["key"],
                body=b["body"],
                name_is_assumption=b.get("name_is_assumption", False),
                key_is_assumption=b.get("key_is_assumption", False),
            )
            for b in raw.get("builtins", ())
        ),
        samples=tuple(Builtin(key=b["key"], body=b["body"]) for b in raw.get("samples", ())),
        initial_body=raw.get("initial_body"),
        examples=raw.get("examples", {}),
        fields=tuple(build.field(f) for f in raw.get("fields", ())),
        versions=Versions(**raw.get("versions", {})),
        schema_version=raw.get("schema_version", 0),
        state_upgrades=_state_upgrades(raw),
        overlays=tuple(cast(Layer, layer) for layer in raw.get("overlays", ())),
        family=raw.get("family"),
        inferred=raw.get("inferred", "").strip(),
        value_body=_value_body(raw),
    )


def _value_body(raw: Mapping[str, Any]) -> str | None:
    """The field a bare-value singleton's body is: the type's one field, a string or a list of strings."""
    name = raw.get("value_body")
    if name is None:
        return None
    fields = raw.get("fields", ())
    where = f"{raw['terraform_name']}: value_body {name!r}"
    if raw.get("kind") != "singleton":
        raise ValueError(f"{where}: only a singleton's body can be a bare value")
    if [f.get("name") for f in fields] != [name]:
        raise ValueError(f"{where}: the type must have exactly that one field")
    f = fields[0]
    element = f.get("element") or {}
    if not (f.get("type") == "string" or (f.get("type") == "list" and element.get("type") == "string")):
        raise ValueError(f"{where}: the body is a string or a list of strings")
    if f.get("nullable"):
        raise ValueError(f"{where}: a bare-value body is never null")
    return str(name)


def _state_upgrades(raw: Mapping[str, Any]) -> tuple[StateUpgrade, ...]:
    """The declared upgrades; each version up to `schema_version` needs exactly one."""
    upgrades = tuple(StateUpgrade(u["version"], u["renamed"]) for u in raw.get("state_upgrades", ()))
    expected = list(range(1, raw.get("schema_version", 0) + 1))
    if [u.version for u in upgrades] != expected:
        raise ValueError(f"{raw['terraform_name']}: state_upgrades must lead to versions {expected} in order")
    return upgrades


@dataclass(frozen=True)
class Definitions:
    """The catalog's definitions as written: types, and the shapes and families they use by name."""

    types: list[dict[str, Any]]
    shapes: dict[str, dict[str, Any]] = field(default_factory=dict)
    families: dict[str, dict[str, Any]] = field(default_factory=dict)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    """The rows of endpoints.yaml (sps_catalog.endpoints)."""


def read_yaml_definitions(catalog_dir: Path = CATALOG_DIR) -> Definitions:
    """Read the YAML of a catalog directory (types/, shapes/, families/), each file checked against
    its part of the JSON schema and named after what it defines (used by the generator and tests)."""
    import jsonschema
    import yaml

    schema = json.loads(SCHEMA_FILE.read_text())
    parts = {"types": schema, **{d: {**schema, "$ref": f"#/$defs/{k}"} for d, k in _PARTS.items()}}
    for part in ("shapes", "families"):  # only the $ref applies: the type definition's keywords go
        parts[part] = {k: v for k, v in parts[part].items() if k in ("$schema", "$id", "$defs", "$ref")}
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for part, part_schema in parts.items():
        found[part] = {}
        for path in sorted((catalog_dir / part).glob("*.yaml")):
            raw = yaml.safe_load(path.read_text())
            try:
                jsonschema.validate(raw, part_schema)
            except jsonschema.ValidationError as exc:
                where = "/".join(str(p) for p in exc.absolute_path)
                raise ValueError(f"{part}/{path.name}: {where}: {exc.message}") from exc
            if part != "shapes" and raw[_NAME_KEYS[part]] != path.stem:
                raise ValueError(f"{part}/{path.name}: {_NAME_KEYS[part]} must equal the file name")
            found[part][path.stem] = raw
    endpoints = read_yaml_endpoints(catalog_dir / ENDPOINTS_FILE) if (catalog_dir / ENDPOINTS_FILE).exists() else []
    return Definitions(list(found["types"].values()), found["shapes"], found["families"], endpoints)


ENDPOINTS_FILE = "endpoints.yaml"


def read_yaml_endpoints(path: Path) -> list[dict[str, Any]]:
    """The rows of an endpoints.yaml, checked against `$defs/endpoints` of the JSON schema."""
    import jsonschema
    import yaml

    schema = json.loads(SCHEMA_FILE.read_text())
    part = {k: v for k, v in schema.items() if k in ("$schema", "$id", "$defs")} | {"$ref": "#/$defs/endpoints"}
    raw = yaml.safe_load(path.read_text())
    try:
        jsonschema.validate(raw, part)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise ValueError(f"{path.name}: {where}: {exc.message}") from exc
    return list(raw["endpoints"])


def endpoint_definitions() -> list[dict[str, Any]]:
    """The rows of endpoints.yaml: compiled into `_data`, or read from the `SPS_CATALOG_DIR`
    directory when it has its own endpoints.yaml."""
    directory = os.environ.get(CATALOG_DIR_ENV)
    if directory and (Path(directory) / ENDPOINTS_FILE).exists():
        return read_yaml_endpoints(Path(directory) / ENDPOINTS_FILE)
    from sps_catalog import _data

    return list(_data.ENDPOINTS)


_PARTS = {"shapes": "shape", "families": "family"}
_NAME_KEYS = {"types": "terraform_name", "families": "family"}


def with_family(raw: Mapping[str, Any], families: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A definition with its family's fields, kind and name field: the family's fields in order,
    those the type names itself replaced in place (a slot must be filled or left out with
    `without`), then the type's other fields."""
    name = raw.get("family")
    if name is None:
        return dict(raw)
    if name not in families:
        raise ValueError(f"{raw['terraform_name']}: no family {name!r} in catalog/families")
    family = families[name]
    own = {f["name"]: f for f in raw.get("fields", ())}
    without = set(raw.get("without", ()))
    entries = {e.get("name", e.get("slot")): e for e in family["fields"]}
    if unknown := sorted(without - set(entries)):
        raise ValueError(f"{raw['terraform_name']}: `without` names no field of family {name}: {unknown}")
    fields = []
    for entry_name, entry in entries.items():
        if entry_name in without:
            continue
        if entry_name not in own and "slot" in entry:
            need = f"family {name} needs its own `{entry_name}` ({entry['description']})"
            raise ValueError(f"{raw['terraform_name']}: {need}")
        fields.append(own.get(entry_name, entry))
    fields += [f for n, f in own.items() if n not in entries]
    inherited = {k: family[k] for k in ("kind", "name_field") if k in family}
    return {**inherited, **raw, "fields": fields}


def catalog_from_dicts(defs: Definitions) -> Catalog:
    raws = [with_family(r, defs.families) for r in defs.types]
    types = {r["terraform_name"]: type_from_dict(r, defs.shapes) for r in raws}
    clashes = sorted(set(types) & set(order_types(types)))
    if clashes:
        raise ValueError(f"{', '.join(clashes)}: the name of an ordered collection's order type (sps_catalog.orders)")
    cat = Catalog(types=types, orders=order_types(types))
    check_references(cat)
    check_option_caps(cat)
    return cat


def check_references(cat: Catalog) -> None:
    """Every reference must name a catalog type: a dangling target is a catalog bug."""

    for t in cat:
        for path, value in nodes(t.root):
            if value.type == "reference" and value.target not in cat.types:
                where = dotted((t.terraform_name, *path))
                raise ValueError(f"{where}: reference target {value.target!r} is not in the catalog")


def check_option_caps(cat: Catalog) -> None:
    """A capped field must name a field of its protocol's options (a protocol without an options
    singleton in the catalog has no cap to check)."""
    for t in cat:
        capped = caps(t)
        options = options_of(t, cat) if capped else None
        if options is None:
            continue
        option_paths = {path for path, _ in field_nodes(options.root)}
        for cap in capped:
            if cap.option_path not in option_paths:
                where = dotted((t.terraform_name, *cap.field_path))
                raise ValueError(f"{where}: {options.terraform_name} has no field {dotted(cap.option_path)}")


@cache
def load_catalog() -> Catalog:
    """The catalog as compiled into `sps_catalog._data` by `sps-generate`; or, when `SPS_CATALOG_DIR`
    names a catalog directory, read from its YAML, so that a type being written runs in the provider,
    the simulator and the constructs before it is compiled in (needs the `dev` extra)."""
    directory = os.environ.get(CATALOG_DIR_ENV)
    if directory:
        return catalog_from_dicts(read_yaml_definitions(Path(directory)))
    from sps_catalog import _data

    return catalog_from_dicts(Definitions(_data.DEFINITIONS, _data.SHAPES, _data.FAMILIES))
