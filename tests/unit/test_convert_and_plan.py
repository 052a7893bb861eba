"""Key normalization, Terraform <-> SPS body conversion and the generic plan."""

from __future__ import annotations

from typing import Any

from sps_catalog import load_catalog
from sps_catalog.load import type_from_dict
from sps_catalog.values import UNKNOWN, apply_defaults
from sps_provider.engine.convert import complete, to_body, to_terraform
from sps_provider.engine.report import parse_dotted
from sps_provider.engine.resource import ResourceEngine
from sps_provider.protocol.diagnostics import Diagnostics

MSSQL = load_catalog()["mssql_connection_policy"]


def test_references_in_responses_become_keys() -> None:
    body = {
        "indexing": {"enabled": True, "policy": {"key": "-50000", "meta": {"href": "/api/..."}}, "priority": 3},
        "policies": {"audit_policy": {"key": "7810"}, "settings": "-30700301", "backup_policy": None},
    }
    tf = to_terraform(MSSQL.root, body)
    assert tf["indexing"]["policy"] == "-50000"
    assert tf["policies"]["audit_policy"] == "7810"
    assert tf["policies"]["settings"] == "-30700301"
    assert tf["policies"]["backup_policy"] is None
    assert tf["rate_limit"] is None
    assert set(tf["server_address"] or {}) == set()


def test_every_attribute_is_present_after_conversion() -> None:
    tf = to_terraform(MSSQL.root, {"server_address": {"selection": "original"}})
    assert set(tf) == {f.name for f in MSSQL.fields}
    assert tf["server_address"]["address"] is None


def test_request_body_sends_nullable_references_as_null() -> None:
    planned = complete(MSSQL.root, apply_defaults(MSSQL.root, {"name": "x", "policies": {"audit_policy": "a"}}))
    body = to_body(MSSQL.root, planned)
    assert body["policies"]["backup_policy"] is None
    assert body["policies"]["audit_policy"] == "a"
    assert body["server_address"] == {"selection": "original", "custom_dns": {"enabled": False}}


def test_parse_dotted_error_paths() -> None:
    assert parse_dotted("server_address.domains[2].port") == ["server_address", "domains", 2, "port"]


SYNTHETIC = type_from_dict({
    "terraform_name": "thing", "title": "Thing", "path": "things", "kind": "collection", "sources": ["test"],
    "description": "d",
    "fields": [
        {"name": "name", "type": "string", "required": True, "description": "d"},
        {"name": "zone", "type": "string", "required": True, "requires_replace": True, "description": "d"},
        {"name": "size", "type": "int", "default": 3, "description": "d"},
    ],
})  # fmt: skip


def plan(prior: Any, config: Any) -> tuple[Any, list[list[str | int]], Diagnostics]:
    diags = Diagnostics()
    result = ResourceEngine(SYNTHETIC).plan(prior, config, diags)
    return result.state, result.requires_replace, diags


def test_create_plans_unknown_key_and_fills_defaults() -> None:
    state, replace, diags = plan(None, {"key": None, "name": "a", "zone": "z", "size": None})
    assert state == {"key": UNKNOWN, "name": "a", "zone": "z", "size": 3, "extra_json": None}
    assert replace == [] and not diags.items


def test_changing_a_requires_replace_attribute_plans_replacement() -> None:
    prior = {"key": "k1", "name": "a", "zone": "z", "size": 3}
    state, replace, _ = plan(prior, {"key": None, "name": "a", "zone": "other", "size": None})
    assert state["key"] == "k1"
    assert replace == [["zone"]]
    _, replace, _ = plan(prior, {"key": None, "name": "b", "zone": "z", "size": 5})
    assert replace == []


def test_plan_reports_invalid_values_with_attribute_paths() -> None:
    diags = Diagnostics()
    ResourceEngine(MSSQL).plan(None, {"name": "x", "server_address": {"selection": "fix"}}, diags)
    paths = [[s.attribute_name or s.element_key_string for s in d.attribute.steps] for d in diags.items]
    assert ["server_address", "address"] in paths  # the child as an index: the deepest Terraform can place
    assert any("server_address.address: is required" in d.detail for d in diags.items)
    assert all(d.summary == "Invalid sps_mssql_connection_policy configuration" for d in diags.items)


def test_destroy_plans_null() -> None:
    state, _, _ = plan({"key": "k1", "name": "a", "zone": "z", "size": 3}, None)
    assert state is None
