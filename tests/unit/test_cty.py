"""The cty msgpack codec Terraform speaks (with unknown values)."""

from __future__ import annotations

import json
from typing import Any

import msgpack
import pytest

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


# -- values only an appliance can send: refused with their attribute path, not inside the packer
SHAPE = cty.object_of({"n": "number", "names": cty.list_of("string"), "limits": ("map", "number")})


@pytest.mark.parametrize(
    ("value", "path", "reason"),
    [
        ({"n": 2**70}, ["n"], "outside the 64-bit integers"),
        ({"n": -(2**63) - 1}, ["n"], "outside the 64-bit integers"),
        ({"n": float("nan")}, ["n"], "not a finite number"),
        ({"n": float("inf")}, ["n"], "not a finite number"),
        ({"names": ["ok", "x\ud800"]}, ["names", 1], "lone surrogate U+D800 at character 1"),
        ({"limits": {"k\udc00": 1}}, ["limits"], "has the key 'k\\udc00'"),
        ({"limits": {"k": 2**64}}, ["limits", "k"], "outside the 64-bit integers"),
    ],
)
def test_values_terraform_cannot_be_sent_name_their_path(value: dict[str, Any], path: list[Any], reason: str) -> None:
    with pytest.raises(cty.Unencodable) as caught:
        cty.encode(SHAPE, value)
    assert caught.value.path == path and reason in caught.value.reason, caught.value


def test_the_edges_of_the_range_and_text_outside_the_basic_plane_are_sent() -> None:
    value = {"n": 2**64 - 1, "names": ["ops\U0001f600"], "limits": {"a": -(2**63)}}
    assert cty.decode(cty.encode(SHAPE, value)) == value
