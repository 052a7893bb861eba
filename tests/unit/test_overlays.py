"""Overlays (ADR 0011): the catalog chooses them, loading checks them against the modules both
ways, and the simulator and the provider call a type's hooks, and only its own."""

from __future__ import annotations

import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import sps_provider.overlays
import sps_simulator.overlays
from sps_catalog import load_catalog, nic_address
from sps_catalog.model import Catalog, TypeDef
from sps_catalog.overlays import OverlayError, load
from sps_provider.client import errors
from sps_provider.engine.lookups import missing_references
from sps_simulator.appliance import Appliance
from sps_simulator.errors import ApiError
from sps_simulator.links import render_body
from sps_simulator.overlays import Behaviour, Hooks
from sps_simulator.store import Store

CATALOG = load_catalog()
SIM = sps_simulator.overlays
NIC1 = dict(CATALOG["nic"].builtins[0].body)
ADDRESS = "nic1.interfaces.ff7574025754b3df1647001.addresses.1"


def with_types(*changed: TypeDef) -> Catalog:
    return Catalog({**CATALOG.types, **{t.terraform_name: t for t in changed}})


def test_the_catalog_and_the_overlay_modules_agree_in_both_layers() -> None:
    simulator = load(CATALOG, "simulator", SIM, SIM.Hooks)
    provider = load(CATALOG, "provider", sps_provider.overlays, sps_provider.overlays.Hooks)
    assert sorted(simulator) == ["audit_policy", "backup_policy", "local_services_user_web", "nic"]
    assert sorted(provider) == ["nic"]


def test_a_type_listing_a_layer_without_its_module_is_refused() -> None:
    scratch = replace(CATALOG["time_policy"], overlays=("simulator",))
    with pytest.raises(OverlayError, match="time_policy: `overlays` lists 'simulator', but there is no module"):
        load(with_types(scratch), "simulator", SIM, SIM.Hooks)


def test_a_module_no_type_lists_is_refused() -> None:
    with pytest.raises(OverlayError, match="no catalog type lists 'simulator' in `overlays` for audit_policy"):
        load(with_types(replace(CATALOG["audit_policy"], overlays=())), "simulator", SIM, SIM.Hooks)


def test_hooks_of_another_layer_are_refused() -> None:
    with pytest.raises(OverlayError, match=r"sps_simulator\.overlays\.audit_policy: HOOKS must be a Hooks"):
        load(CATALOG, "simulator", SIM, sps_provider.overlays.Hooks)


def test_a_key_pointing_inside_a_type_whose_overlay_cannot_resolve_it_is_refused() -> None:
    package = types.ModuleType("scratch_overlays")
    package.__path__ = []  # a package without modules: nothing resolves NIC addresses
    no_overlays = Catalog({name: replace(t, overlays=()) for name, t in CATALOG.types.items()})
    with pytest.raises(OverlayError, match=r"local_services_cluster.listen_address: a nic_address key points inside"):
        load(no_overlays, "provider", package, sps_provider.overlays.Hooks)


# -- simulator dispatch ----------------------------------------------------------------------------
@pytest.fixture
def appliance(tmp_path: Path) -> Appliance:
    return Appliance(CATALOG, Store(tmp_path / "sim.sqlite3"), {"admin": "admin"})


def test_only_the_written_type_s_before_write_hook_runs(appliance: Appliance) -> None:
    seen: list[str] = []

    def before_write(name: str) -> Any:
        return lambda body: seen.append(name) or {**body, "name": body["name"] + "_rewritten"}

    appliance.hooks = {**appliance.hooks, "content_policy": Hooks(before_write=before_write("content_policy"))}
    appliance.hooks["audit_policy"] = Hooks(before_write=before_write("audit_policy"))
    s = appliance.login("admin", "admin", "127.0.0.1") or pytest.fail()
    t = CATALOG["content_policy"]
    key = appliance.create(s, t, dict(t.examples["minimal"]), t.api_path)
    assert seen == ["content_policy"]
    assert appliance.view(s)[t.path][key]["name"] == t.examples["minimal"]["name"] + "_rewritten"


def test_the_audit_policy_overlay_takes_the_field_table_s_timestamping_name(appliance: Appliance) -> None:
    s = appliance.login("admin", "admin", "127.0.0.1") or pytest.fail()
    t = CATALOG["audit_policy"]
    body = {**t.examples["minimal"], "timestamping": True}
    key = appliance.create(s, t, body, t.api_path)
    stored = appliance.view(s)[t.path][key]
    assert stored["timestamping_enabled"] is True and "timestamping" not in stored


def user_web_body(appliance: Appliance, protection: bool) -> dict[str, Any]:
    return {**appliance.committed["local_services/user_web"]["user_web"], "bruteforce_protection": protection}


def test_a_committed_user_web_switches_the_login_guard_and_a_restart_keeps_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "sim.sqlite3")
    appliance = Appliance(CATALOG, store, {"admin": "admin"})
    assert appliance.behaviour == Behaviour(bruteforce_protection=True)
    s = appliance.login("admin", "admin", "127.0.0.1") or pytest.fail()
    t = CATALOG["local_services_user_web"]
    appliance.replace(s, t, "user_web", user_web_body(appliance, False), t.api_path)
    assert appliance.behaviour.bruteforce_protection, "takes effect at commit, not before"
    appliance.commit(s)
    assert not appliance.behaviour.bruteforce_protection
    assert not Appliance(CATALOG, store, {"admin": "admin"}).behaviour.bruteforce_protection


def test_nic_addresses_resolve_inside_the_nic_and_render_with_a_fragment(appliance: Appliance) -> None:
    s = appliance.login("admin", "admin", "127.0.0.1") or pytest.fail()
    t = CATALOG["local_services_cluster"]
    body = {"enabled": True, "listen_address": "nic1.interfaces.ff7574025754b3df1647001.addresses.9"}
    with pytest.raises(ApiError, match="has no address '9'"):
        appliance.replace(s, t, "cluster", body, t.api_path)
    appliance.replace(s, t, "cluster", {**body, "listen_address": ADDRESS}, t.api_path)
    rendered = render_body(CATALOG, appliance.hooks, t, appliance.view(s)[t.path]["cluster"])
    assert rendered["listen_address"] == {
        "key": ADDRESS,
        "meta": {"href": "/api/configuration/network/nics/nic1#interfaces/ff7574025754b3df1647001/addresses/1"},
    }


# -- provider dispatch -----------------------------------------------------------------------------
class Snapshot:
    """The refresh reader's answers for the NICs only (what the plan-time lookup reads)."""

    def __init__(self, nics: dict[str, Any]) -> None:
        self.nics = nics
        self.reads: list[str] = []

    def get(self, t: TypeDef, path: str, key: str) -> dict[str, Any]:
        assert t.terraform_name == "nic"
        self.reads.append(key)
        if key not in self.nics:
            raise errors.NotFound("gone", status=404, method="GET", path=path)
        return {"key": key, "body": self.nics[key]}


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        (ADDRESS, None),
        (
            "nic1.interfaces.ff7574025754b3df1647001.addresses.7",
            "interface 'ff7574025754b3df1647001' of nic1 has no address '7'",
        ),
        ("nic2.interfaces.a.addresses.1", "there is no NIC 'nic2'"),
    ],
)
def test_a_plan_resolves_nic_addresses_through_the_nic_overlay(address: str, problem: str | None) -> None:
    snapshot = Snapshot({"nic1": NIC1})
    found = missing_references(
        CATALOG["local_services_cluster"], {"enabled": True, "listen_address": address}, snapshot
    )
    assert snapshot.reads == ["nic1" if address.startswith("nic1") else "nic2"]
    if problem is None:
        assert found == []
    else:
        assert found == [
            (("listen_address",), f"{address!r}: {problem} on the appliance (/api/configuration/network/nics)")
        ]


def test_the_provider_uses_the_same_resolution_as_the_appliance() -> None:
    assert sps_provider.overlays.hooks(CATALOG["nic"]).reference_problem is nic_address.problem
    assert SIM.hooks_by_type(CATALOG)["nic"].reference_problem is nic_address.problem
    assert sps_provider.overlays.hooks(CATALOG["audit_policy"]) == sps_provider.overlays.NO_HOOKS
