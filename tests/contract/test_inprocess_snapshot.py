"""The refresh snapshot across an apply, through the provider's servicer in process against a real
simulator: Terraform plans each resource again just before applying it, and those plans read the
snapshot with this process's committed writes applied (the bodies the appliance holds), not a new
list GET after every write; a failed commit drops the type's snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_catalog import load_catalog
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.inprocess import Appliance, example

T = load_catalog()["audit_policy"]


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[RunningSimulator]:
    s = start_simulator(tmp_path)
    yield s
    s.stop()


def test_plans_during_an_apply_read_the_snapshot_with_the_writes_applied(sim: RunningSimulator) -> None:
    provider = InProcessProvider(sim)
    try:
        reader = provider.servicer.reader
        assert reader is not None
        lists: list[str] = []
        get = reader.get
        reader.get = lambda path: (lists.append(path) if path == T.api_path else None, get(path))[1]  # type: ignore[method-assign]
        minimal = example(T, "minimal", Appliance(sim, provider))
        assert minimal is not None

        def config(name: str) -> dict[str, Any]:
            return {**minimal, "name": name}

        made = [provider.create(T.resource_type, config(f"snap{i}")) for i in range(3)]
        renamed = provider.update(T.resource_type, made[0], config("snap0_renamed"))
        provider.delete(T.resource_type, made[1])
        assert lists == [T.api_path], "one list GET for every plan of the apply"

        snapshot = provider.servicer.refresh
        assert snapshot is not None
        held = sim.committed()[T.path]
        assert {k: v for k, v in (snapshot.objects(T) or {}).items() if k in held} == held
        assert made[1]["key"] not in (snapshot.objects(T) or {})
        with pytest.raises(ProviderError, match="already named 'snap2'"):
            provider.plan(T.resource_type, None, config("snap2"))
        provider.plan(T.resource_type, None, config("snap0"))  # the rename freed it
        assert renamed["name"] == "snap0_renamed" and lists == [T.api_path]

        sim.set_faults(fail_commits=1)
        with pytest.raises(ProviderError):
            provider.create(T.resource_type, config("refused"))
        before = len(lists)  # the refused create looked for an object to adopt in its own list GET
        provider.plan(T.resource_type, None, config("snap3"))
        assert len(lists) == before + 1, "a failed commit drops the snapshot"
    finally:
        provider.close()
