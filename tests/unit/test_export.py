"""sps-export's pure parts, for every type the catalog has: minimal trees plan as read, defaults
are left out, references and secrets are marked, and the HCL layout is what `terraform fmt` keeps."""

from __future__ import annotations

import pytest

from sps_catalog import TypeDef, load_catalog
from sps_catalog.unknown_fields import extra_problems
from sps_catalog.values import apply_defaults
from sps_export.hcl import body_lines, value_lines
from sps_export.reader import ApplianceRead, ReadObject, TypeRead
from sps_export.selection import identifier, select
from sps_export.values import Ref, Secret, check_round_trip, markers, minimal
from tests.support.responses import response_body

CATALOG = load_catalog()
EXAMPLES = [(t, name) for t in CATALOG.managed if t.is_typed for name in t.examples]


@pytest.mark.parametrize(("t", "example"), EXAMPLES, ids=[f"{t.terraform_name}-{e}" for t, e in EXAMPLES])
def test_every_example_plans_as_read(t: TypeDef, example: str) -> None:
    body = response_body(t, example)
    tree = minimal(t.root, body)
    assert check_round_trip(t.root, tree, body) == []
    for m in markers(t.root, tree):
        if isinstance(m, Ref):
            assert m.target in CATALOG.types
        else:
            assert m.field.secret and m.key == "secret-key"


@pytest.mark.parametrize("t", [t for t in CATALOG.managed if t.is_typed], ids=lambda t: t.terraform_name)
def test_fields_equal_to_their_defaults_are_left_out(t: TypeDef) -> None:
    defaulted = {f.name for f in t.fields if f.has_default and f.default is not None and not f.secret}
    body = response_body(t, next(iter(t.examples)))
    filled = apply_defaults(t.root, {k: v for k, v in body.items() if k not in defaulted})
    tree = minimal(t.root, filled)
    assert not defaulted & set(tree)
    assert check_round_trip(t.root, tree, filled) == []


def test_references_builtins_and_secrets_become_lookups_and_variables() -> None:
    ldap, backup = CATALOG["ldap_server"], CATALOG["system_backup"]
    read = ApplianceRead(
        "https://sps.example",
        "7.5.1",
        [
            TypeRead(ldap, [ReadObject(ldap, "k1", response_body(ldap, "full"))]),
            TypeRead(backup, [ReadObject(backup, "system_backup", response_body(backup, "full"))]),
        ],
    )
    export = select(CATALOG, read)
    assert [r.name for r in export.resources] == ["tf_ldap_full", "system_backup"]
    (secret,) = export.resources[0].secrets
    assert isinstance(secret, Secret) and secret.path == ("bind_password",)
    assert {lk.t.terraform_name for lk in export.lookups.values()} == {"backup_policy"}, "not exported: a lookup"


def test_fields_the_catalog_dates_to_other_firmware_stay_out_of_extra_json() -> None:
    """An appliance may hold a field the catalog has on other firmware only (ssh/options' 6.0 `gssapi`
    and `audit` on 7.5.1): updates keep it, but it is neither an attribute there nor something
    `extra_json` may name (validate refuses a modelled field in it), so it is not exported."""
    options = CATALOG["ssh_options"]
    body = {**response_body(options, next(iter(options.examples))), "gssapi": {"enabled": False}, "new_knob": 1}
    read = ApplianceRead("https://sps.example", "7.5.1", [TypeRead(options, [ReadObject(options, "options", body)])])
    (res,) = select(CATALOG, read).resources
    assert res.extra == {"new_knob": 1}
    assert extra_problems(options.root, res.extra) == []


def test_identifiers_are_python_names_and_terraform_labels() -> None:
    assert identifier("Finance DB") == "finance_db"
    assert identifier("7x24") == "_7x24"
    assert identifier("---") == "object"


def test_hcl_layout_aligns_runs_of_one_line_attributes() -> None:
    items = [
        ("name", value_lines("a")),
        ("encryption", value_lines({"enabled": False, "selection_long": "x"})),
        ("signing", value_lines("s")),
        ("timestamping_enabled", value_lines(True)),
    ]
    assert body_lines(items) == [
        'name = "a"',
        "encryption = {",
        "  enabled        = false",
        '  selection_long = "x"',
        "}",
        'signing              = "s"',
        "timestamping_enabled = true",
    ]


def test_objects_not_exported_are_reported_by_name_and_type() -> None:
    audit, vnc = CATALOG["audit_policy"], CATALOG["vnc_connection_policy"]
    builtin = audit.builtins[0]
    changed = {**response_body(audit, "minimal"), "name": builtin.body["name"], "timestamping_enabled": True}
    read = ApplianceRead(
        "https://sps.example",
        "7.5.1",
        [
            TypeRead(audit, [ReadObject(audit, builtin.key, changed)]),
            TypeRead(vnc, [ReadObject(vnc, "v1", response_body(vnc, "minimal"))]),
        ],
    )
    export = select(CATALOG, read)
    assert export.resources == []
    reported = {(s.label, s.name): s.reason for s in export.skipped}
    assert "built-in" in reported[("sps_audit_policy", builtin.body["name"])]
    assert "not writable over REST on firmware 7.5.1" in reported[("sps_vnc_connection_policy", "tf_vnc_minimal")]


def test_an_object_whose_configuration_would_not_plan_as_read_is_reported() -> None:
    audit = CATALOG["audit_policy"]
    body = response_body(audit, "minimal")
    del body["timestamping_enabled"]  # a defaulted field the appliance does not return: the plan would fill it in
    export = select(CATALOG, ApplianceRead("https://sps", None, [TypeRead(audit, [ReadObject(audit, "k", body)])]))
    reported = [(s.name, s.reason) for s in export.skipped]
    assert reported == [("tf_audit_minimal", "would not plan as read: timestamping_enabled")]


@pytest.mark.parametrize("t", [t for t in CATALOG.managed if t.is_ordered], ids=lambda t: t.terraform_name)
def test_an_ordered_collection_gets_its_order_resource_in_the_order_sps_evaluates(t: TypeDef) -> None:
    first, second = (ReadObject(t, k, {**response_body(t, "minimal"), t.name_field or "name": k}) for k in "ab")
    read = ApplianceRead("https://sps", None, [TypeRead(t, [first, second], order=["b", "a"])])
    order = select(CATALOG, read).resources[-1]
    assert order.t.orders == t.terraform_name and order.key == "b,a"
    assert [m.key for m in markers(order.root, order.tree)] == ["b", "a"]
