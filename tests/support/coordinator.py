"""The coordinator over the scripted SPS (tests/support/fake_sps.py), as its unit tests build it."""

from __future__ import annotations

from typing import Any

from sps_provider.coordinator.changes import Method
from sps_provider.coordinator.group_commit import GroupCommit
from sps_provider.coordinator.policy import Policy
from sps_provider.coordinator.transactions import Transactions
from tests.support.fake_sps import OBJECTS, PASSWORDS, FakeReader, FakeSps, FakeWriter, Fault, Script

POLICY = Policy(backoff=0.0, gather_quiet=0.0, gather_max=0.0, commit_estimate=0.0)


INITIAL = {
    OBJECTS: {"k0": {"name": "old", "v": 1}, "k1": {"name": "gone", "v": 1}},
    PASSWORDS: {},
}


def fresh(faults: list[Fault], policy: Policy = POLICY) -> tuple[FakeSps, FakeWriter, GroupCommit]:
    sps = FakeSps(committed={k: dict(v) for k, v in INITIAL.items()})
    script = Script(faults)
    writer = FakeWriter(sps, script)
    return sps, writer, GroupCommit(Transactions(writer, policy, FakeReader(sps, script)))


def submit(group: GroupCommit, method: Method, path: str, body: Any = None) -> Any:
    """One write, as an ApplyResourceChange makes it: from its call's slot."""
    with group.slot(applying=True) as slot:
        return slot.submit_one(method, path, body)
