"""JSON values compared as Terraform holds them (sps_catalog.equivalence): text up to Unicode NFC,
numbers to Terraform's precision, and nothing else (booleans are not numbers, other values differ)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sps_catalog.equivalence import equivalent
from sps_catalog.generic import body_state, covers
from sps_catalog.unknown_fields import extra_state, overlay, read_extra, same_json

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=6) | st.sampled_from(["Café", "Å", "ḱṷ", "한"])
numbers = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
leaves = st.none() | st.booleans() | numbers | texts
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=10)  # fmt: skip


def nfd(v: Any) -> Any:
    """`v` with every string and key decomposed (NFD), as an appliance may hold it."""
    if isinstance(v, str):
        return unicodedata.normalize("NFD", v)
    if isinstance(v, dict):
        return {nfd(k): nfd(x) for k, x in v.items()}
    if isinstance(v, list):
        return [nfd(x) for x in v]
    return v


def terraform_number(f: float) -> int:
    """The integer Terraform writes back for a huge integral float the configuration spells
    exactly: its 512-bit float printed to about 155 significant digits (what made plans diff)."""
    digits = str(int(f))
    return int(digits[:155] + "0" * (len(digits) - 155)) if len(digits) > 155 else int(f)


@given(values)
def test_a_value_is_equivalent_to_itself_and_to_its_decomposed_form(v: Any) -> None:
    assert equivalent(v, v)
    assert equivalent(nfd(v), v) and equivalent(v, nfd(v))


leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.sampled_from(["", "a", "Café", "1"])
keys = st.sampled_from(["a", "b", "Café", "Å"])
exact = st.recursive(leaf, lambda i: st.lists(i, max_size=3) | st.dictionaries(keys, i, max_size=3), max_leaves=6)


@given(exact, exact)
def test_without_normalization_or_precision_at_stake_equivalence_is_equality(a: Any, b: Any) -> None:
    same = json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)  # true and 1 differ here
    assert equivalent(a, b) is same
    assert equivalent(nfd(a), b) is same


def test_booleans_are_not_numbers_and_types_matter() -> None:
    assert not equivalent(True, 1) and not equivalent(0, False)
    assert not equivalent("1", 1) and not equivalent(None, 0) and not equivalent([], {})
    assert not equivalent({"a": 1}, {"a": 1, "b": 2}) and not equivalent([1], [1, 1])


def test_numbers_beyond_terraforms_precision_are_the_same_number() -> None:
    for f in (1e300, -1.7976931348623157e308, 2.0**600 + 2.0**548, 123456789.5e200):
        assert equivalent(f, terraform_number(f)), f
    assert not equivalent(1e300, terraform_number(1e299))
    assert equivalent(2**600 + 1, 2**600)  # beyond 512 significant bits: one number to Terraform
    assert not equivalent(2**500 + 1, 2**500)  # within them: two


def test_extra_json_holding_decomposed_text_or_a_huge_float_reads_back_as_configured() -> None:
    configured = {"label": "Café", "ceiling": terraform_number(1e300), "nested": {"Å": ["ḱ"]}}
    text = json.dumps(configured)
    held = {"label": "Cafe\u0301", "ceiling": 1e300, "nested": {"A\u030a": ["k\u0301"]}, "other": 1}
    assert read_extra(configured, held).keys() == configured.keys()
    assert extra_state(text, configured, held) == text
    assert same_json(text, held | {"other": 1}) is False  # a field more is a difference
    changed = {**held, "label": "Cafe"}
    assert json.loads(extra_state(text, configured, changed))["label"] == "Cafe"


def test_generic_bodies_compare_up_to_nfc_and_a_put_never_doubles_a_field() -> None:
    named = {"Café": {"n": terraform_number(1e300)}}
    held = {"Cafe\u0301": {"n": 1e300, "kept": True}, "other": 1}
    assert covers(held, named)
    assert body_state(json.dumps(named), held) == json.dumps(named)
    put = overlay(held, {"Café": {"n": 2}})
    assert put == {"other": 1, "Café": {"n": 2, "kept": True}}
