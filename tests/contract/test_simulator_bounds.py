"""The simulator never answers 500 and never bricks: bodies are bounded in size and depth and hold
only finite numbers, so nothing it commits can break later transactions or lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sps_harness import RunningSimulator, start_simulator
from sps_simulator.bodies import MAX_BODY_BYTES, MAX_DEPTH
from tests.support.simulator_api import API, Client

UNTYPED = f"{API}/policies/indexing"  # a body of any shape (undocumented), with a built-in listed


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    sim = start_simulator(tmp_path_factory.mktemp("bounds-sim"))
    yield Client(sim)
    sim.stop()


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def raw_post(api: Client, path: str, data: bytes) -> tuple[int, Any]:
    r = api.call("POST", path, data=data, headers={"content-type": "application/json"})
    assert r.headers["content-type"].startswith("application/json"), r.text[:200]
    return r.status_code, r.json()


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 600, 100_000])
def test_deep_bodies_are_refused_in_the_error_shape(api: Client, levels: int) -> None:
    status, doc = raw_post(api, UNTYPED, f'{{"name": "deep", "x": {nested(levels)}}}'.encode())
    assert status == 400 and doc["error"]["type"] == "SyntacticError", doc
    assert "deeper than" in doc["error"]["message"]


def test_a_body_at_the_depth_limit_is_accepted(api: Client) -> None:
    status, doc = raw_post(api, UNTYPED, f'{{"name": "deep", "x": {nested(MAX_DEPTH - 1)}}}'.encode())
    assert status == 201, doc


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused(api: Client, number: str) -> None:
    status, doc = raw_post(api, UNTYPED, f'{{"name": "nan", "x": {number}}}'.encode())
    assert status == 400 and doc["error"]["type"] == "SyntacticError", doc


def test_oversized_bodies_answer_413(api: Client) -> None:
    status, doc = raw_post(api, UNTYPED, b'{"name": "big", "x": "' + b"a" * MAX_BODY_BYTES + b'"}')
    assert status == 413 and doc["error"]["type"] == "PayloadTooLarge", doc


def test_refused_bodies_leave_the_appliance_usable_after_a_restart(simulator: RunningSimulator) -> None:
    api = Client(simulator)
    for data in (f'{{"name": "deep", "x": {nested(600)}}}', '{"name": "nan", "x": NaN}'):
        raw_post(api, UNTYPED, data.encode())
    api.commit()
    restarted = simulator.restart()
    try:
        again = Client(restarted)
        assert again.ok("POST", "/api/transaction", {})["body"]["status"] == "open"
        assert again.ok("GET", UNTYPED)["items"]
        again.ok("DELETE", "/api/transaction")
    finally:
        restarted.stop()


def test_error_of_a_refused_body_names_the_path(api: Client) -> None:
    status, doc = raw_post(api, UNTYPED, nested(MAX_DEPTH + 1).encode())
    assert status == 400 and doc["error"]["details"]["path"] == UNTYPED
