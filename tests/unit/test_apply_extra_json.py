"""An apply parses `extra_json` once: the body it merges into and the state it reads back use the
same parsed object (it was parsed three times: for the body, for the state, and to compare the
read-back with the planned text)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sps_catalog import load_catalog, unknown_fields
from sps_provider.coordinator.changes import Step
from sps_provider.engine.refresh import RefreshReader
from sps_provider.engine.resource import ResourceEngine
from sps_provider.protocol.diagnostics import Diagnostics

AUDIT = load_catalog()["audit_policy"]
SPELLED = '{ "x": 1 }'


class Slot:
    """A call's slot whose transaction commits every write; the object then holds the body sent."""

    def __init__(self) -> None:
        self.sent: Any = None

    def submit(self, steps: list[Step]) -> list[Any]:
        self.sent = steps[-1].body
        return ["k1"]


class Reader:
    def __init__(self, slot: Slot) -> None:
        self.slot = slot

    def get(self, path: str) -> Any:
        return {"key": "k1", "body": self.slot.sent}


class CountingJson:
    """`json` for `sps_catalog.unknown_fields`, counting the texts it parses."""

    def __init__(self) -> None:
        self.parsed: list[str] = []

    def loads(self, text: str) -> Any:
        self.parsed.append(text)
        return json.loads(text)

    @staticmethod
    def dumps(value: Any, **kwargs: Any) -> str:
        return json.dumps(value, **kwargs)


def test_an_apply_parses_extra_json_once(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = ResourceEngine(AUDIT)
    config = {"name": "a", "encryption": {"enabled": False}, "signing": {"enabled": False}, "extra_json": SPELLED}
    diags = Diagnostics()
    plan = engine.plan(None, config, diags)
    counting = CountingJson()
    monkeypatch.setattr(unknown_fields, "json", counting)
    slot = Slot()
    state = engine.apply(slot, RefreshReader(Reader(slot)), None, plan.state, config, diags)  # type: ignore[arg-type]
    assert not diags.items
    assert slot.sent["x"] == 1 and state["key"] == "k1"
    assert state["extra_json"] == SPELLED, "the appliance holds what it says: the user's spelling stays"
    assert counting.parsed == [SPELLED]
