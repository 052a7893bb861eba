"""`sps_catalog.orders.placed`: the whole order sent for an order resource (ADR 0014)."""

from __future__ import annotations

import pytest

from sps_catalog.orders import placed


def test_listed_keys_take_the_places_the_listed_ones_hold() -> None:
    assert placed(["c", "a"], ["a", "u1", "b", "c", "u2"]) == ["c", "u1", "b", "a", "u2"]


def test_an_appended_replacement_comes_back_among_the_listed_ones() -> None:
    # b was replaced by b2, which SPS appended after the unlisted u
    assert placed(["a", "b2", "c"], ["a", "c", "u", "b2"]) == ["a", "b2", "u", "c"]


def test_nothing_is_dropped_and_the_same_order_is_unchanged() -> None:
    current = ["u1", "a", "u2", "b"]
    assert placed(["a", "b"], current) == current
    assert placed([], current) == current


def test_a_key_sps_does_not_hold_is_named() -> None:
    with pytest.raises(KeyError, match="gone"):
        placed(["a", "gone"], ["a", "b"])
