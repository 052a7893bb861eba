"""The coordinator over the scripted SPS (tests/support/fake_sps.py), as its unit tests build it."""

from __future__ import annotations

from sps_provider.coordinator import Coordinator, Policy
from tests.support.fake_sps import OBJECTS, PASSWORDS, FakeReader, FakeSps, FakeWriter, Fault, Script

POLICY = Policy(backoff=0.0, gather_quiet=0.0, gather_max=0.0, commit_estimate=0.0)


INITIAL = {
    OBJECTS: {"k0": {"name": "old", "v": 1}, "k1": {"name": "gone", "v": 1}},
    PASSWORDS: {},
}


def fresh(faults: list[Fault], policy: Policy = POLICY) -> tuple[FakeSps, FakeWriter, Coordinator]:
    sps = FakeSps(committed={k: dict(v) for k, v in INITIAL.items()})
    script = Script(faults)
    writer = FakeWriter(sps, script)
    return sps, writer, Coordinator(writer, policy, FakeReader(sps, script))
