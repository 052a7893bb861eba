"""The generic resources' body comparison (sps_catalog.generic): by JSON value, fields the
appliance adds are no change unless the body names them, references read as keys, and what a PUT
sends keeps every field the body does not name."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sps_catalog.endpoints import load_endpoints
from sps_catalog.generic import body_state, covers, normalized, path_problem, planned_body, projected
from sps_catalog.unknown_fields import overlay

scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8)
names = st.text("abcdefgh_", min_size=1, max_size=6)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=4),
                      max_leaves=12)  # fmt: skip
objects = st.dictionaries(names, values, max_size=5)
shared = settings(suppress_health_check=[HealthCheck.too_slow])  # the machine is shared: generation may be slow


def respelled(value: Any, rng: random.Random) -> str:
    """`value` as JSON with its keys shuffled at every level and arbitrary indentation."""

    def shuffled(v: Any) -> Any:
        if isinstance(v, dict):
            items = list(v.items())
            rng.shuffle(items)
            return {k: shuffled(x) for k, x in items}
        if isinstance(v, list):
            return [shuffled(x) for x in v]
        return v

    return json.dumps(shuffled(value), indent=rng.choice([None, 1, 4]), separators=rng.choice([None, (",", ": ")]))


@shared
@given(objects, st.randoms(use_true_random=False))
def test_reordered_keys_and_whitespace_never_diff(body: dict[str, Any], rng: random.Random) -> None:
    prior = json.dumps(body)
    config = respelled(body, rng)
    assert planned_body(prior, config) == prior
    assert body_state(config, json.loads(prior)) == config


def with_additions(body: Any, added: dict[str, Any]) -> Any:
    """`body` with the fields of `added` it lacks added to every object, at every level (lists too)."""
    if isinstance(body, dict):
        return {
            **{k: v for k, v in added.items() if k not in body},
            **{k: with_additions(v, added) for k, v in body.items()},
        }
    if isinstance(body, list):
        return [with_additions(v, added) for v in body]
    return body


@shared
@given(objects, objects)
def test_fields_the_appliance_adds_never_diff(body: dict[str, Any], added: dict[str, Any]) -> None:
    text = json.dumps(body)
    held = with_additions(body, added)
    assert body_state(text, held) == text
    assert planned_body(body_state(text, held), text) == text


@shared
@given(objects, objects)
def test_a_named_field_that_changed_diffs(body: dict[str, Any], other: dict[str, Any]) -> None:
    text = json.dumps(body)
    held = {**body, **other}
    state = body_state(text, held)
    assert (state == text) == all(body[k] == other[k] for k in body.keys() & other.keys())
    assert planned_body(state, text) == (state if covers(json.loads(state), body) else text)


@shared
@given(objects, objects)
def test_a_put_keeps_what_the_body_does_not_name(current: dict[str, Any], sent: dict[str, Any]) -> None:
    out = overlay(current, sent)
    assert covers(out, sent)
    assert all(k in out for k in current)


def test_nested_objects_and_lists_are_projected() -> None:
    held = {"a": {"b": 1, "new": 2}, "l": [{"x": 1, "y": 2}], "top": 3}
    assert projected(held, {"a": {"b": 1}, "l": [{"x": 1}]}) == {"a": {"b": 1}, "l": [{"x": 1}]}
    assert projected(held, {"l": [{"x": 1}, {"x": 2}]}) == {"l": [{"x": 1, "y": 2}]}  # lengths differ: as held
    assert body_state('{"missing": 1}', held) == "{}"


def test_a_name_held_twice_up_to_nfc_is_read_and_laid_over_by_its_exact_spelling() -> None:
    cafe, cafe_nfd = "Caf\u00e9", "Cafe\u0301"  # two keys Terraform holds as one (NFC)
    held = {cafe: {"a": 1, "b": 2}, cafe_nfd: 3}
    text = json.dumps({cafe: {"a": 1}})
    assert body_state(text, held) == text, "no perpetual diff"
    assert overlay(held, {cafe: {"a": 9}}) == {cafe: {"a": 9, "b": 2}, cafe_nfd: 3}


def test_only_references_read_as_keys_and_a_body_is_never_one() -> None:
    not_a_reference = {"key": "k1", "meta": None}
    assert normalized({"x": not_a_reference}) == {"x": not_a_reference}, "a reference's meta holds its href"
    body = {"key": [], "meta": {"href": "/api/configuration/x/k1"}}
    assert normalized(body) == body, "an appliance's body is an object, whatever fields it holds"
    assert overlay(normalized(body), {"new": 1}) == {**body, "new": 1}


def test_references_read_as_keys() -> None:
    ref = {"key": "k1", "meta": {"href": "/api/configuration/x509/k1"}}
    assert normalized({"server": ref, "list": [ref], "other": {"key": "k2", "size": 1}}) == {
        "server": "k1",
        "list": ["k1"],
        "other": {"key": "k2", "size": 1},
    }
    documented = {"users": [{"passwords": {"key": "p1", "extra": True}}]}
    assert normalized(documented, {"users.passwords": "passwords"}) == {"users": [{"passwords": "p1"}]}
    assert body_state('{"server":"k1"}', {"server": ref, "ca": ref}) == '{"server":"k1"}'


def test_every_refusal_names_its_way_out() -> None:
    e = load_endpoints()
    assert "use sps_ssh_channel_policy" in (path_problem(e, "ssh/channel_policies", "object") or "")
    assert "policies/analytics" in (path_problem(e, "policies/analytic", "object") or "")
    assert path_problem(e, "policies/analytics", "object") is None
    assert path_problem(e, "management/health_monitoring", "settings") is None
