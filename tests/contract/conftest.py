"""Fixtures of the contract tests: a simulator per module, a logged-in client per test (what it
leaves open is reverted) and the provider's servicer in-process against that simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider
from tests.support.simulator_api import Client


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    s = start_simulator(Path(tmp_path_factory.mktemp("contract")))
    yield s
    s.stop()


@pytest.fixture
def api(sim: RunningSimulator) -> Iterator[Client]:
    client = Client(sim)
    yield client
    client.call("DELETE", "/api/transaction")


@pytest.fixture(scope="module")
def provider(sim: RunningSimulator) -> Iterator[InProcessProvider]:
    p = InProcessProvider(sim)
    yield p
    p.close()
