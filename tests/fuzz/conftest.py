"""Fuzzing profiles and case counts.

`make test` runs a small derandomized (seeded) sample; `make fuzz` sets SPS_FUZZ_SCALE (examples
per test) and SPS_FUZZ_COUNTS (where the per-test case counts go, for docs/reliability.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from sps_catalog import load_catalog
from sps_harness import RunningSimulator, start_simulator
from tests.support.firmware import firmware_for
from tests.support.fuzzing import CASES, SCALE

settings.register_profile(
    "sps",
    max_examples=SCALE or 15,
    derandomize=not SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    database=None,
)
settings.load_profile("sps")


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    """One simulator per fuzz module: thousands of cases cannot each start one."""
    s = start_simulator(tmp_path_factory.mktemp("fuzz-sim"), *firmware_for(load_catalog().managed))
    yield s
    s.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get("SPS_FUZZ_COUNTS")
    if target:
        path = Path(target)
        previous = json.loads(path.read_text()) if path.exists() else {}
        for k, v in CASES.items():
            previous[k] = previous.get(k, 0) + v
        path.write_text(json.dumps(previous, indent=1, sort_keys=True) + "\n")
