"""The cty msgpack codec Terraform speaks (with unknown values)."""

from __future__ import annotations

import json

import msgpack

from sps_catalog.values import UNKNOWN
from sps_provider.protocol import cty

OBJ = cty.object_of({"name": "string", "ports": cty.list_of("number"), "on": "bool",
                     "inner": cty.object_of({"a": "string"})})  # fmt: skip


def test_round_trip_with_nulls_and_nested_objects() -> None:
    value = {"name": "x", "ports": [1, 2], "on": True, "inner": {"a": "y"}}
    assert cty.decode(cty.encode(OBJ, value)) == value


def test_missing_attributes_are_encoded_as_null() -> None:
    raw = msgpack.unpackb(cty.encode(OBJ, {"name": "x"}))
    assert raw == {"name": "x", "ports": None, "on": None, "inner": None}


def test_unknown_is_extension_zero_and_any_extension_decodes_as_unknown() -> None:
    encoded = cty.encode(OBJ, {"name": UNKNOWN})
    assert cty.decode(encoded)["name"] is UNKNOWN
    refined = msgpack.packb(msgpack.ExtType(12, b"\x81\x01\xc3"))
    assert cty.decode(refined) is UNKNOWN


def test_type_json_matches_terraform_schema_form() -> None:
    assert json.loads(cty.type_bytes(OBJ)) == [
        "object",
        {"name": "string", "ports": ["list", "number"], "on": "bool", "inner": ["object", {"a": "string"}]},
    ]


def test_whole_numbers_stay_integers() -> None:
    assert msgpack.unpackb(cty.encode("number", 3.0)) == 3


def test_conform_fills_attributes_missing_from_json_state() -> None:
    assert cty.conform(OBJ, {"inner": {}}) == {"name": None, "ports": None, "on": None, "inner": {"a": None}}


def test_is_wholly_known() -> None:
    assert cty.is_wholly_known({"a": [1, {"b": 2}]})
    assert not cty.is_wholly_known({"a": [1, {"b": UNKNOWN}]})
