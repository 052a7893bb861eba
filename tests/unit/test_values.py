"""Validation, defaults and request bodies for union-heavy SPS objects."""

from __future__ import annotations

from typing import Any

from sps_catalog import load_catalog
from sps_catalog.values import UNKNOWN, agrees, apply_defaults, strip_inactive, validate

MSSQL = load_catalog()["mssql_connection_policy"]
AUDIT = load_catalog()["audit_policy"]


def minimal(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "db",
        "network": {"clients": ["10.0.0.0/8"], "ports": [1433], "targets": ["10.1.2.3/32"]},
        "policies": {"audit_policy": "a", "authentication_policy": "b", "channel_policy": "c", "settings": "d"},
    }
    body.update(over)
    return body


def messages(body: Any) -> dict[str, str]:
    return {p.dotted(): p.message for p in validate(MSSQL.root, apply_defaults(MSSQL.root, body))}


def test_minimal_body_is_valid_and_gets_documented_defaults() -> None:
    body = apply_defaults(MSSQL.root, minimal())
    assert validate(MSSQL.root, body) == []
    assert body["server_address"] == {"selection": "original", "custom_dns": {"enabled": False}}
    assert body["source_address"] == {"selection": "box_address"}
    assert body["indexing"] == {"enabled": False}


def test_union_branch_requires_its_fields_and_names_the_branch() -> None:
    got = messages(minimal(server_address={"selection": "fix"}))
    assert got == {
        "server_address.address": "is required when selection is 'fix'",
        "server_address.port": "is required when selection is 'fix'",
    }


def test_fields_of_another_branch_are_rejected() -> None:
    got = messages(minimal(server_address={"selection": "original", "network": "10.0.0.0/24"}))
    assert got == {"server_address.network": "is only allowed when selection is 'nat'"}


def test_enum_format_and_range_errors() -> None:
    got = messages(
        minimal(
            access_control=[{"authorizer": "x", "permission": "admin", "subject": {"selection": "everybody"}}],
            network={"clients": ["not-a-cidr"], "ports": [70000], "targets": ["10.0.0.0/8"]},
            indexing={"enabled": True, "policy": "-50000", "priority": 9},
        )
    )
    assert got["access_control[0].permission"].startswith("'admin' is not one of")
    assert got["network.clients[0]"] == "'not-a-cidr' is not an IP address (bare or IP/prefix)"
    assert got["network.ports[0]"] == "70000 is not a port (1-65535)"
    assert got["indexing.priority"].startswith("9 is not one of")


def test_names_without_whitespace() -> None:
    body = {"name": "has space", "encryption": {"enabled": False}, "signing": {"enabled": False}}
    assert [p.dotted() for p in validate(AUDIT.root, body)] == ["name"]


def test_unknown_values_are_not_judged() -> None:
    body = minimal(server_address=UNKNOWN, policies=UNKNOWN)
    assert validate(MSSQL.root, apply_defaults(MSSQL.root, body)) == []


def test_wrong_types_are_type_errors() -> None:
    problems = validate(MSSQL.root, minimal(active="yes"))
    assert [(p.dotted(), p.is_type_error) for p in problems] == [("active", True)]


def test_request_body_keeps_only_the_selected_branch() -> None:
    tf_value = {"selection": "fix", "address": "10.0.0.1", "port": 1433, "network": None, "domains": None,
                "custom_dns": {"enabled": False, "server": None}, "exception_domains": None,
                "dns_server": None, "dns_suffixes": None}  # fmt: skip
    spec = next(f for f in MSSQL.fields if f.name == "server_address")
    assert strip_inactive(spec, tf_value) == {
        "selection": "fix",
        "address": "10.0.0.1",
        "port": 1433,
        "custom_dns": {"enabled": False},
    }


def test_cross_field_minimum() -> None:
    vnc = load_catalog()["vnc_settings_policy"]
    body = {"name": "x", "timeout": 600, "inactivity_timeout": {"enabled": True, "value": 300}}
    problems = validate(vnc.root, apply_defaults(vnc.root, body))
    got = [(p.dotted(), p.message) for p in problems]
    assert got == [("inactivity_timeout.value", "must be at least timeout (600)")]
    body["inactivity_timeout"]["value"] = 600
    assert validate(vnc.root, apply_defaults(vnc.root, body)) == []


def test_a_plan_agrees_with_an_object_only_where_its_unknown_parts_allow() -> None:
    planned = {"name": "p", "network": {"ports": [UNKNOWN, 22]}, "ref": UNKNOWN}
    assert agrees(planned, {"name": "p", "network": {"ports": [1433, 22]}, "ref": "k1"})
    assert not agrees(planned, {"name": "p", "network": {"ports": [1433, 23]}, "ref": "k1"})
    assert not agrees(planned, {"name": "p", "network": {"ports": [22]}, "ref": "k1"})
    assert not agrees(planned, {"name": "p", "network": {"ports": [1, 22]}})
    assert not agrees({"a": None}, {"a": False})
