"""Shapes and families in the loader (ADR 0012): a shape use is the shape plus the field's own
keys, a family's fields come in its order with the type's replacements in place, and every
mistake is refused with the type and the field named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sps_catalog import load_catalog
from sps_catalog.load import Definitions, catalog_from_dicts, read_yaml_definitions

SHAPES: dict[str, dict[str, Any]] = {
    "pair": {
        "type": "object", "description": "A pair.", "default": {"a": 1},
        "fields": [{"name": "a", "type": "int", "description": "A."}, {"name": "b", "shape": "flag"}],
    },
    "flag": {"type": "bool", "description": "A flag.", "default": False},
}  # fmt: skip
FAMILY = {
    "family": "thing", "description": "Things.", "kind": "ordered_collection", "name_field": "name",
    "fields": [
        {"name": "name", "type": "string", "required": True, "description": "The name."},
        {"name": "pair", "shape": "pair"},
        {"slot": "own", "description": "each thing's own"},
        {"name": "flag", "shape": "flag"},
    ],
}  # fmt: skip


def thing(**extra: Any) -> dict[str, Any]:
    own = {"name": "own", "type": "string", "description": "Own."}
    return {"terraform_name": "t", "title": "T", "path": "t", "family": "thing", "sources": ["x"],
            "description": "d", "fields": [own], **extra}  # fmt: skip


def load(raw: dict[str, Any], shapes: dict[str, dict[str, Any]] = SHAPES) -> Any:
    return catalog_from_dicts(Definitions([raw], shapes, {"thing": FAMILY}))["t"]


def test_a_type_takes_its_family_in_order_with_its_own_fields_in_place() -> None:
    replaced = {"name": "flag", "shape": "flag", "description": "Another flag.", "default": True}
    t = load(thing(fields=[{"name": "extra", "type": "int", "description": "E."}, replaced,
                           {"name": "own", "type": "string", "description": "Own."}]))  # fmt: skip
    assert [f.name for f in t.fields] == ["name", "pair", "own", "flag", "extra"]
    assert (t.kind, t.name_field) == ("ordered_collection", "name")
    flag = t.fields[3]
    assert (flag.shape, flag.type, flag.description, flag.default) == ("flag", "bool", "Another flag.", True)


def test_a_shape_use_is_the_shape_with_nested_shapes_resolved() -> None:
    pair = load(thing()).fields[1]
    assert (pair.shape, pair.description, pair.default) == ("pair", "A pair.", {"a": 1})
    assert [(f.name, f.shape, f.type) for f in pair.fields] == [("a", None, "int"), ("b", "flag", "bool")]


@pytest.mark.parametrize(
    ("raw", "shapes", "message"),
    [
        (thing(fields=[]), SHAPES, r"t: family thing needs its own `own`"),
        (thing(without=["nope"]), SHAPES, r"t: `without` names no field of family thing: \['nope'\]"),
        (thing(family="other"), SHAPES, r"t: no family 'other'"),
        (thing(), {"pair": SHAPES["pair"]}, r"field 'b': no shape 'flag'"),
        (thing(), {**SHAPES, "flag": {**SHAPES["pair"], "fields": [{"name": "c", "shape": "pair"}]}},
         r"shape 'pair' contains itself \(pair -> flag -> pair\)"),
    ],
    ids=["unfilled-slot", "unknown-without", "unknown-family", "unknown-shape", "shape-cycle"],
)  # fmt: skip
def test_mistakes_are_refused(raw: dict[str, Any], shapes: dict[str, dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load(raw, shapes)


def test_a_left_out_slot_is_no_field() -> None:
    assert [f.name for f in load(thing(fields=[], without=["own", "pair"])).fields] == ["name", "flag"]


def write_catalog(root: Path, raw: dict[str, Any]) -> None:
    for part, files in (("types", {"t": raw}), ("shapes", SHAPES), ("families", {"thing": FAMILY})):
        (root / part).mkdir()
        for name, content in files.items():
            (root / part / f"{name}.yaml").write_text(yaml.safe_dump(content))


def test_the_yaml_of_shapes_and_families_is_schema_checked(tmp_path: Path) -> None:
    write_catalog(tmp_path, thing())
    defs = read_yaml_definitions(tmp_path)
    assert (set(defs.shapes), set(defs.families)) == ({"pair", "flag"}, {"thing"})
    (tmp_path / "shapes" / "flag.yaml").write_text("type: bool\n")  # no description
    with pytest.raises(ValueError, match=r"shapes/flag\.yaml"):
        read_yaml_definitions(tmp_path)


def test_a_shape_use_may_not_change_the_structure(tmp_path: Path) -> None:
    write_catalog(tmp_path, thing(fields=[{"name": "own", "shape": "flag", "type": "int"}]))
    with pytest.raises(ValueError, match=r"types/t\.yaml: fields/0"):
        read_yaml_definitions(tmp_path)


def test_the_connection_policies_share_their_shapes() -> None:
    cat = load_catalog()
    mssql, vnc = ({f.name: f for f in cat[n].fields} for n in ("mssql_connection_policy", "vnc_connection_policy"))
    shared = {n for n, f in mssql.items() if f.shape is not None} & set(vnc)
    assert shared == {"access_control", "indexing", "network", "override_log_level", "rate_limit", "server_address",
                      "source_address", "web_gateway_authentication"}  # fmt: skip
    assert all(mssql[n] == vnc[n] for n in shared)
