"""Keeping fields the catalog does not model, and the `extra_json` rules (pure logic)."""

from __future__ import annotations

from typing import Any

from sps_catalog.model import Field, Union, Value
from sps_catalog.unknown_fields import (
    canonical,
    extra_problems,
    extra_state,
    keep_unknown,
    overlay,
    parse_extra,
    read_extra,
)

EVENT = Field(
    name="event",
    type="object",
    union=Union("selection", "", {"command": (Field(name="match", type="string"),), "window_title": ()}),
)
RULE = Value(type="object", fields=(Field(name="name", type="string"), EVENT, Field(name="ca", type="reference")))
ROOT = Value(type="object", fields=(Field(name="rules", type="list", element=RULE),))


def test_list_elements_keep_their_unknown_fields_when_reordered_or_changed() -> None:
    current = {
        "rules": [
            {"name": "a", "ca": {"key": "k1", "meta": {"href": "/x/k1"}}, "new": 1},
            {"name": "b", "new": 2},
        ],
        "top": "kept",
    }
    sent = {"rules": [{"name": "b"}, {"name": "a", "ca": "k1"}, {"name": "c"}]}
    assert keep_unknown(ROOT, sent, current) == {
        "rules": [{"name": "b", "new": 2}, {"name": "a", "ca": "k1", "new": 1}, {"name": "c"}],
        "top": "kept",
    }
    changed = {"rules": [{"name": "z"}]}
    assert keep_unknown(ROOT, changed, current)["rules"] == [{"name": "z", "new": 1}], "matched by position"


def test_a_list_element_still_sent_keeps_its_unknown_fields_when_a_new_element_takes_its_place() -> None:
    current = {"rules": [{"name": "a", "new": 1}]}
    sent = {"rules": [{"name": "z"}, {"name": "a"}]}
    assert keep_unknown(ROOT, sent, current)["rules"] == [{"name": "z"}, {"name": "a", "new": 1}]


def test_a_union_object_keeps_its_unknown_fields_only_while_its_branch_stays() -> None:
    current = {"rules": [{"name": "a", "event": {"selection": "command", "match": "x", "new": 1}}]}
    same = {"rules": [{"name": "a", "event": {"selection": "command", "match": "y"}}]}
    other = {"rules": [{"name": "a", "event": {"selection": "window_title"}}]}
    assert keep_unknown(ROOT, same, current)["rules"][0]["event"] == {"selection": "command", "match": "y", "new": 1}
    assert keep_unknown(ROOT, other, current)["rules"][0]["event"] == {"selection": "window_title"}


def test_fields_sent_win_over_the_fields_held() -> None:
    assert keep_unknown(ROOT, {"rules": [], "top": "mine"}, {"rules": [], "top": "theirs"}) == {
        "rules": [],
        "top": "mine",
    }


def test_an_unmodelled_object_sent_in_part_keeps_the_fields_it_leaves_out() -> None:
    current = {"rules": [], "alert": {"email": True, "snmp": True, "nested": {"a": 1, "b": 2}}, "flag": True}
    sent = {"rules": [], "alert": {"email": False, "nested": {"b": 3}}, "flag": False}
    assert keep_unknown(ROOT, sent, current) == {
        "rules": [],
        "alert": {"email": False, "snmp": True, "nested": {"a": 1, "b": 3}},
        "flag": False,
    }


def test_an_unmodelled_object_named_by_the_empty_string_sent_in_part_keeps_the_fields_it_leaves_out() -> None:
    current = {"rules": [], "": {"a": 1, "b": 2}}
    assert keep_unknown(ROOT, {"rules": [], "": {"a": 3}}, current) == {"rules": [], "": {"a": 3, "b": 2}}


CAFE, CAFE_NFD = "Caf\u00e9", "Cafe\u0301"  # two names Terraform holds as one (NFC)


def test_a_name_held_twice_up_to_nfc_is_named_by_its_exact_spelling_and_the_twin_is_kept() -> None:
    current = {"rules": [], CAFE: {"a": 1, "b": 2}, CAFE_NFD: {"c": 3}}
    kept = {"rules": [], CAFE: {"a": 9, "b": 2}, CAFE_NFD: {"c": 3}}
    assert keep_unknown(ROOT, {"rules": [], CAFE: {"a": 9}}, current) == kept
    assert overlay(current, {CAFE: {"a": 9}}) == {**kept, "rules": []}
    extra = {CAFE: {"a": 9}}
    assert read_extra(extra, kept) == extra
    assert extra_state(canonical(extra), extra, kept) == canonical(extra), "no perpetual diff"


def test_a_name_held_once_in_another_normalization_is_respelled_as_configured() -> None:
    current = {"rules": [], CAFE_NFD: {"a": 1, "b": 2}}
    assert keep_unknown(ROOT, {"rules": [], CAFE: {"a": 9}}, current) == {"rules": [], CAFE: {"a": 9, "b": 2}}
    assert overlay(current, {CAFE: {"a": 9}}) == {"rules": [], CAFE: {"a": 9, "b": 2}}
    assert read_extra({CAFE: {"a": 9}}, {CAFE_NFD: {"a": 9, "b": 2}}) == {CAFE: {"a": 9}}


def test_an_unmodelled_name_equal_to_a_modelled_one_up_to_nfc_is_another_field() -> None:
    kelvin = "\u212a"  # KELVIN SIGN: "K" in NFC
    root = Value(type="object", fields=(Field(name="HostKey", type="object", fields=(Field(name="x", type="int"),)),))
    held = {f"Host{kelvin}ey": {"a": 1}}
    assert keep_unknown(root, {"HostKey": {"x": 1}}, held) == {"HostKey": {"x": 1}, f"Host{kelvin}ey": {"a": 1}}


def test_extra_json_must_be_an_object_naming_only_unmodelled_fields() -> None:
    assert parse_extra("[1]")[1] is not None and parse_extra("{")[1] is not None
    extra, problem = parse_extra('{"rules": [], "new": {"a": 1}}')
    assert problem is None and extra is not None
    assert [(p.path, p.message) for p in extra_problems(ROOT, extra)] == [
        (("extra_json", "rules"), "'rules' is modelled: set the attribute rules instead")
    ]


def test_extra_json_cannot_set_fields_inside_a_modelled_object_the_configuration_leaves_null() -> None:
    from sps_catalog import load_catalog
    from sps_provider.engine.resource import ResourceEngine
    from sps_provider.protocol.diagnostics import Diagnostics

    engine = ResourceEngine(load_catalog()["management_email"])
    config = {"alerting_address": "a@example.net", "smtp_server": None, "extra_json": '{"smtp_server": {"new": 1}}'}
    diags = Diagnostics()
    engine.validate(config, diags)
    assert [d.detail for d in diags.items] == [
        "extra_json.smtp_server: sets fields inside smtp_server, which the configuration leaves null: set the "
        "attribute smtp_server, or leave it out of extra_json"
    ]
    diags = Diagnostics()
    engine.validate({**config, "smtp_server": {"selection": "ip", "value": "10.1.0.25"}}, diags)
    assert not diags.items, "set, the object takes unmodelled fields"


def test_extra_json_merges_objects_and_reads_back_only_what_it_sets() -> None:
    assert overlay({"a": {"x": 1}, "b": 1}, {"a": {"y": 2}, "c": 3}) == {"a": {"x": 1, "y": 2}, "b": 1, "c": 3}
    body = {"a": {"x": 1, "y": 2}, "c": 3, "d": 4}
    spelled = '{ "c": 3, "a": {"y": 2} }'
    extra, _ = parse_extra(spelled)
    assert extra_state(spelled, extra, body) == spelled, "the user's spelling stays while the values agree"
    assert extra_state(spelled, extra, {**body, "c": 4}) == canonical({"a": {"y": 2}, "c": 4})
    assert extra_state(None, None, body) is None


def test_constructs_take_extra_json_as_a_mapping_and_refuse_modelled_fields() -> None:
    from cdktf import App, TerraformStack

    from sps_constructs import Appliance, MssqlOptions, SpsConfigError

    stack = TerraformStack(App(), "s")
    sps = Appliance(stack, "sps", url="https://sps.example")
    made = MssqlOptions(sps, "opts", extra_json={"new": {"b": 1, "a": [True]}})
    assert made.sps_attributes["extra_json"] == '{"new":{"a":[true],"b":1}}'
    try:
        MssqlOptions(sps, "bad", extra_json={"service": {"enabled": True}})
    except SpsConfigError as exc:
        assert "extra_json.service.enabled" in str(exc) and "set the attribute service.enabled" in str(exc)
    else:
        raise AssertionError("a modelled field in extra_json must be refused")


def test_a_data_source_shows_the_fields_the_catalog_does_not_model() -> None:
    from sps_catalog import load_catalog
    from sps_provider.engine.datasource import DataSourceEngine

    engine = DataSourceEngine(load_catalog()["mssql_options"])
    body = {"service": {"enabled": True, "log_level": 4, "new": 1}, "newer": {"a": True}}
    state = engine.state("options", body)
    assert state["extra_json"] == '{"newer":{"a":true},"service":{"new":1}}'
    assert state["service"] == {"enabled": True, "log_level": 4}


class _Options:
    """One singleton and a transaction that merges a PUT with it (`Step.merge`) and commits it."""

    def __init__(self, held: dict[str, Any]) -> None:
        self.held = held

    def submit(self, steps: list[Any]) -> list[Any]:
        for step in steps:
            self.held = step.merge(step.body_for([]), self.held)
        return [None]

    def get(self, path: str) -> Any:
        return {"key": "options", "body": self.held}


def test_a_field_the_appliances_firmware_does_not_have_is_kept_by_an_update_and_never_planned_away() -> None:
    from sps_catalog import load_catalog
    from sps_provider.engine.firmware_gate import Target
    from sps_provider.engine.refresh import RefreshReader
    from sps_provider.engine.resource import ResourceEngine
    from sps_provider.protocol.diagnostics import Diagnostics

    engine = ResourceEngine(load_catalog()["ssh_options"])
    target = Target("https://sps.example", "7.4")  # the catalog has gssapi until 6.1: here SPS's own field
    appliance = _Options({"service": {"enabled": True, "log_level": 7}, "gssapi": {"enabled": True}})
    refresh = RefreshReader(appliance)  # type: ignore[arg-type]
    prior = engine.read(refresh, {"key": "options"}, Diagnostics(), target)
    assert prior["gssapi"] is None, "not managed on this firmware"
    config = {"service": {"enabled": True, "log_level": 5}}
    planned = engine.plan(prior, config, Diagnostics(), target).state
    state = engine.apply(appliance, refresh, prior, planned, config, Diagnostics(), target)  # type: ignore[arg-type]
    assert appliance.held == {"service": {"enabled": True, "log_level": 5}, "gssapi": {"enabled": True}}
    assert state == planned, "the applied state is the planned one"
    assert engine.plan(state, config, Diagnostics(), target).state == state, "no perpetual diff"
