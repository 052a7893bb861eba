"""Firmware versions in the catalog, and the plan-time refusals they drive (pure logic)."""

from __future__ import annotations

from typing import Any

from sps_catalog import load_catalog
from sps_catalog.examples import builtin_key
from sps_catalog.firmware import DEFAULT_FIRMWARE, absent_fields, fields_on
from sps_catalog.versions import Versions, parse_version
from sps_provider.engine.firmware_gate import Target
from sps_provider.engine.resource import ResourceEngine
from sps_provider.protocol.diagnostics import Diagnostics

CATALOG = load_catalog()
URL = "https://sps.example:8443"


def test_versions_compare_number_by_number_in_half_open_ranges() -> None:
    assert parse_version("6.10") > parse_version("6.9.4") and parse_version("8.0 LTS") == (8, 0, 0)
    v = Versions(since="6.0", writable_since="7.0", writable_until="7.5")
    assert [v.writable_on(x) for x in ("6.10.0", "7.0", "7.4.9", "7.5.0", "8.0")] == [False, True, True, False, False]
    assert v.exists_on("6.0.2") and not v.exists_on("5.7.0")
    assert v.describe() == "exists from 6.0 on; writable over REST from 7.0 until before 7.5"


def test_vnc_connection_policies_are_writable_on_7_3_1_only_among_the_seed_versions() -> None:
    vnc = CATALOG["vnc_connection_policy"].versions
    assert vnc.writable_on("7.3.1") and not vnc.writable_on(DEFAULT_FIRMWARE) and not vnc.writable_on("6.10.0")
    assert all(
        t.versions.writable_on(DEFAULT_FIRMWARE) for t in CATALOG.managed if t is not CATALOG["vnc_connection_policy"]
    )


def test_fields_of_other_versions_are_left_out_of_the_body_shape() -> None:
    audit = CATALOG["audit_policy"]
    names = {f.name for f in fields_on(audit.root, "8.0.0").fields}
    assert "timestamping_enabled" not in names and "encryption" in names
    assert "timestamping_enabled" in {f.name for f in fields_on(audit.root, "7.5.1").fields}
    body = {"name": "a", "timestamping_enabled": True}
    assert [p for p, _ in absent_fields(audit.root, body, "8.0.0")] == [("timestamping_enabled",)]
    assert absent_fields(audit.root, body, "7.5.1") == []


def vnc_config() -> dict[str, Any]:
    t = CATALOG["vnc_connection_policy"]
    engine = ResourceEngine(t)
    config: dict[str, Any] = {a.name: None for a in engine.attrs}
    config.update(name="p", network={"clients": ["10.0.0.0/8"], "ports": [5900], "targets": ["10.2.0.10/32"]})
    config["policies"] = {
        "audit_policy": builtin_key(CATALOG, "audit_policy/default")[2],
        "channel_policy": "c1",
        "settings": builtin_key(CATALOG, "vnc_settings_policy/default")[2],
    }
    return config


def test_writing_a_type_read_only_on_the_appliance_fails_at_plan_naming_appliance_version_and_remedy() -> None:
    engine = ResourceEngine(CATALOG["vnc_connection_policy"])
    diags = Diagnostics()
    engine.plan(None, vnc_config(), diags, Target(URL, "7.5.1"))
    errors = [d for d in diags.items if d.severity == d.ERROR]
    assert len(errors) == 1, diags.items
    assert "sps_vnc_connection_policy is read-only" in errors[0].summary
    assert URL in errors[0].detail and "SPS 7.5.1" in errors[0].detail
    assert 'data "sps_vnc_connection_policy"' in errors[0].detail

    diags = Diagnostics()
    engine.plan(None, vnc_config(), diags, Target(URL, "7.3.1"))
    assert not diags.has_errors, diags.items


def test_a_plan_that_writes_nothing_only_warns_about_a_read_only_type() -> None:
    engine = ResourceEngine(CATALOG["vnc_connection_policy"])
    first = engine.plan(None, vnc_config(), Diagnostics(), Target(URL, "7.3.1")).state
    prior = {**first, "key": "k"}
    diags = Diagnostics()
    engine.plan(prior, vnc_config(), diags, Target(URL, "7.5.1"))
    assert not diags.has_errors and any("read-only" in d.summary for d in diags.items)


def test_a_destroy_the_firmware_does_not_allow_fails_at_plan_with_the_way_out() -> None:
    engine = ResourceEngine(CATALOG["vnc_connection_policy"])
    prior = {**engine.plan(None, vnc_config(), Diagnostics(), Target(URL, "7.3.1")).state, "key": "k1"}
    diags = Diagnostics()
    assert engine.plan(prior, None, diags, Target(URL, "7.5.1")).state is None
    (error,) = diags.items
    assert error.severity == error.ERROR and "cannot be destroyed on this appliance" in error.summary
    assert "SPS 7.5.1" in error.detail and "/api/configuration/vnc/connections/k1" in error.detail
    assert "`removed` block" in error.detail and "terraform state rm" in error.detail
    for allowed in (Target(URL, "7.3.1"), Target(URL, None)):
        diags = Diagnostics()
        engine.plan(prior, None, diags, allowed)
        assert not diags.items, diags.items


def test_a_field_the_firmware_lacks_fails_at_plan_on_its_attribute_and_is_not_defaulted() -> None:
    engine = ResourceEngine(CATALOG["audit_policy"])
    config: dict[str, Any] = {a.name: None for a in engine.attrs}
    config.update(name="a", encryption={"enabled": False}, signing={"enabled": False})
    diags = Diagnostics()
    engine.plan(None, {**config, "timestamping_enabled": True}, diags, Target(URL, "8.0.0"))
    errors = [d for d in diags.items if d.severity == d.ERROR]
    assert [d.attribute.steps[0].attribute_name for d in errors] == ["timestamping_enabled"], diags.items
    planned = engine.plan(None, config, Diagnostics(), Target(URL, "8.0.0")).state
    assert planned["timestamping_enabled"] is None, "no default for a field that version does not have"
    planned = engine.plan(None, config, Diagnostics(), Target(URL, "7.5.1")).state
    assert planned["timestamping_enabled"] is False
