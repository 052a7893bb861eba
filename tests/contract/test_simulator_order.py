"""The simulator keeps the order of an ordered collection (`<collection>/@order`, ADR 0014): a
created object is appended, a reorder is part of the transaction, and the committed order
survives a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, start_simulator
from tests.support.seed_samples import MSSQL_CONNECTION_BODY, request_form
from tests.support.simulator_api import API, Client

CONNECTIONS = f"{API}/mssql/connections"
ORDER = f"{CONNECTIONS}/@order"


def create(api: Client, name: str) -> str:
    body = {**request_form(MSSQL_CONNECTION_BODY), "name": name}
    key: str = api.ok("POST", CONNECTIONS, body, status=201)["key"]
    return key


def listed(api: Client) -> list[str]:
    return [i["key"] for i in api.ok("GET", CONNECTIONS)["items"]]


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[list[RunningSimulator]]:
    """A fresh simulator of its own (in a list, as a restart replaces it), stopped at the end."""
    running = [start_simulator(tmp_path)]
    yield running
    running[-1].stop()


def test_order_is_kept_through_commits_and_restarts(sim: list[RunningSimulator]) -> None:
    api = Client(sim[0])
    a, b = create(api, "a"), create(api, "b")
    api.commit()
    c = create(api, "c")
    assert api.ok("GET", ORDER)["body"]["@order"] == [a, b, c], "a created object is appended"
    api.ok("PUT", ORDER, {"@order": [c, a, b]})
    assert listed(api) == [c, a, b], "the transaction's own session sees its reorder"
    assert listed(Client(sim[0])) == [a, b], "others see the committed order"
    api.commit()
    api.ok("DELETE", f"{CONNECTIONS}/{a}")
    a2 = create(api, "a")
    api.commit()
    assert api.ok("GET", ORDER)["body"]["@order"] == [c, b, a2], "a recreated object goes to the end"
    sim.append(sim[0].restart())
    assert Client(sim[-1]).ok("GET", ORDER)["body"]["@order"] == [c, b, a2], "the order survives a restart"
    assert listed(Client(sim[-1])) == [c, b, a2]


def test_order_must_list_every_key_once(sim: list[RunningSimulator]) -> None:
    api = Client(sim[0])
    a, b = create(api, "a"), create(api, "b")
    api.commit()
    for wrong in ([a], [a, a, b], [a, b, "nope"]):
        assert api.call("PUT", ORDER, {"@order": wrong}).status_code == 400, wrong
    assert api.call("PUT", ORDER, [b, a]).status_code == 400, "the body is an object"
    assert api.ok("GET", ORDER)["body"]["@order"] == [a, b]
