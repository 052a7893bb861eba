"""Work a no-op plan no longer repeats: validating a configuration Terraform validated just before
planning it, and scanning a whole collection for each name looked up."""

from __future__ import annotations

from typing import Any

from sps_catalog import load_catalog
from sps_provider.engine.refresh import RefreshReader
from sps_provider.protocol import cty
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.provider import Provider
from sps_provider.validated import ValidConfigs

AUDIT = "sps_audit_policy"


def _requests(servicer: Provider, config: dict[str, Any]) -> tuple[Any, Any]:
    t = servicer.resources[AUDIT].type
    value = pb.DynamicValue(msgpack=cty.encode(t, cty.conform(t, config)))
    validate = pb.ValidateResourceConfig.Request(type_name=AUDIT, config=value)
    plan = pb.PlanResourceChange.Request(type_name=AUDIT, config=value, proposed_new_state=value)
    return validate, plan


def _validations(servicer: Provider, monkeypatch: Any) -> list[Any]:
    engine = servicer.resources[AUDIT]
    calls: list[Any] = []
    original = engine.validate
    monkeypatch.setattr(engine, "validate", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    return calls


def test_a_plan_does_not_validate_again_what_validated_cleanly(monkeypatch: Any) -> None:
    servicer = Provider()
    calls = _validations(servicer, monkeypatch)
    validate, plan = _requests(servicer, {"name": "a", "encryption": {"enabled": False}, "signing": {"enabled": False}})
    assert not servicer.ValidateResourceConfig(validate, None).diagnostics
    assert not servicer.PlanResourceChange(plan, None).diagnostics
    assert len(calls) == 1
    _, other_plan = _requests(servicer, {"name": "b", "encryption": {"enabled": False},
                                         "signing": {"enabled": False}})  # fmt: skip
    assert not servicer.PlanResourceChange(other_plan, None).diagnostics  # a configuration not validated here
    assert len(calls) == 2


def test_a_plan_still_reports_what_validation_found(monkeypatch: Any) -> None:
    servicer = Provider()
    calls = _validations(servicer, monkeypatch)
    validate, plan = _requests(servicer, {"name": "a", "encryption": {"enabled": False}, "signing": {"enabled": True}})
    found = servicer.ValidateResourceConfig(validate, None).diagnostics
    assert found
    planned = servicer.PlanResourceChange(plan, None).diagnostics
    assert [d.detail for d in planned] == [d.detail for d in found]
    assert len(calls) == 2


def test_remembered_configurations_are_bounded() -> None:
    valid = ValidConfigs(size=2)
    for config in (b"1", b"2", b"3"):
        valid.add(AUDIT, config)
    valid.add(AUDIT, b"")
    assert (AUDIT, b"1") not in valid and (AUDIT, b"2") in valid and (AUDIT, b"3") in valid
    assert (AUDIT, b"") not in valid and ("sps_content_policy", b"3") not in valid


class ListReader:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.gets = 0

    def get(self, path: str) -> Any:
        self.gets += 1
        return {"items": self.items}


def test_names_are_looked_up_in_an_index_of_the_snapshot_in_list_order() -> None:
    t = load_catalog()["audit_policy"]
    client = ListReader([{"key": "k1", "body": {"name": "x"}}, {"key": "k2", "body": {"name": "y"}},
                         {"key": "k3", "body": {"name": "x"}}, {"key": "k4", "body": {"name": 3}}])  # fmt: skip
    refresh = RefreshReader(client)  # type: ignore[arg-type]
    assert refresh.named(t, "x") == [("k1", {"name": "x"}), ("k3", {"name": "x"})]
    assert refresh.named(t, "z") == [] and refresh.named(t, "3") == []
    client.items = [{"key": "k5", "body": {"name": "z"}}]
    assert refresh.named(t, "z") == []  # the same snapshot
    refresh.invalidate()
    assert refresh.named(t, "z") == [("k5", {"name": "z"})] and client.gets == 2
