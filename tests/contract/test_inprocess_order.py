"""The order types (`sps_<collection>_order`, ADR 0014) through the provider's servicer, in
process, against a real simulator: create, reorder, drift, a replaced object put back, objects
Terraform does not manage left in their places, import and destroy. Every write the provider
sends for an order is the `@order` PUT, never an object."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sps_catalog import TypeDef, load_catalog
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider, ProviderError
from tests.support.firmware import firmware_for
from tests.support.inprocess import Appliance, commit, example

CATALOG = load_catalog()
ORDERS = [
    o
    for o in sorted(CATALOG.orders.values(), key=lambda o: o.terraform_name)
    if "minimal" in CATALOG[o.orders or ""].examples
]


@pytest.fixture
def sim(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningSimulator]:
    """A simulator on a firmware where the order's collection is writable (VNC: 7.0 to 7.4)."""
    o = request.node.callspec.params["o"]
    s = start_simulator(tmp_path, *firmware_for([CATALOG[o.orders]]))
    yield s
    s.stop()


@pytest.fixture
def provider(sim: RunningSimulator) -> Iterator[InProcessProvider]:
    p = InProcessProvider(sim)
    yield p
    p.close()


def on_appliance(sim: RunningSimulator, o: TypeDef) -> list[str]:
    keys: list[str] = sim.session().get(f"{sim.url}{o.api_path}").json()["body"]["@order"]
    return keys


def test_there_is_an_order_type_per_ordered_collection() -> None:
    ordered = {t.terraform_name for t in CATALOG if t.is_ordered}
    assert ordered and {o.orders for o in CATALOG.orders.values()} == ordered
    assert ORDERS


@pytest.mark.parametrize("o", ORDERS, ids=lambda o: o.terraform_name)
def test_order_lifecycle(sim: RunningSimulator, provider: InProcessProvider, o: TypeDef) -> None:
    t = CATALOG[o.orders or ""]
    minimal = example(t, "minimal", Appliance(sim, provider))
    assert minimal is not None

    def policy(name: str) -> dict[str, Any]:
        return provider.create(t.resource_type, {**minimal, t.name_field or "name": f"{o.terraform_name}_{name}"})

    out_of_band = sim.session()
    unmanaged = policy("unmanaged")["key"]  # no order resource lists it
    a, b, c = (policy(n) for n in "abc")
    before = on_appliance(sim, o)
    assert before[-3:] == [a["key"], b["key"], c["key"]]

    writes: list[str] = []
    client = provider.servicer.group_commit.transactions.client  # type: ignore[union-attr]
    put = client.put
    client.put = lambda path, body: (writes.append(path), put(path, body))[1]  # type: ignore[method-assign]
    bodies = {k: sim.committed()[t.path][k] for k in (a["key"], b["key"], c["key"])}

    wanted = {"keys": [c["key"], a["key"], b["key"]]}
    state = provider.create(o.resource_type, wanted)
    assert state == wanted
    slots = [i for i, k in enumerate(before) if k in {a["key"], b["key"], c["key"]}]
    expected = list(before)
    for i, k in zip(slots, wanted["keys"], strict=True):
        expected[i] = k
    assert on_appliance(sim, o) == expected, "the listed objects take their places; others keep theirs"
    assert on_appliance(sim, o).index(unmanaged) == before.index(unmanaged)
    assert provider.read(o.resource_type, state) == state
    assert provider.plan(o.resource_type, state, wanted) == state, "a second plan is empty"

    reordered = {"keys": [a["key"], b["key"], c["key"]]}
    assert provider.plan(o.resource_type, state, reordered) == reordered, "an order change is a diff"
    state = provider.update(o.resource_type, state, reordered)
    assert state == reordered
    assert writes == [o.api_path, o.api_path], "only the order is written, never a policy"
    assert {k: sim.committed()[t.path][k] for k in bodies} == bodies

    # drift: someone moves c first; the read shows it and the next apply puts it back
    current = on_appliance(sim, o)
    out_of_band.put(f"{sim.url}{o.api_path}", json={"@order": [c["key"], *(k for k in current if k != c["key"])]})
    commit(sim, out_of_band)
    provider.new_run()
    drifted = provider.read(o.resource_type, state)
    assert drifted == {"keys": [c["key"], a["key"], b["key"]]}
    state = provider.update(o.resource_type, drifted, reordered)
    assert state == reordered

    # b is replaced: SPS appends the new object; the order puts it back between a and c
    provider.delete(t.resource_type, b)
    b2 = policy("b")
    provider.new_run()
    assert provider.read(o.resource_type, state) == {"keys": [a["key"], c["key"]]}
    assert on_appliance(sim, o)[-1] == b2["key"]
    state = provider.update(o.resource_type, state, {"keys": [a["key"], b2["key"], c["key"]]})
    order = on_appliance(sim, o)
    assert [k for k in order if k in {a["key"], b2["key"], c["key"]}] == [a["key"], b2["key"], c["key"]]
    assert unmanaged in order

    assert provider.import_(o.resource_type, ",".join(state["keys"])) == state
    assert provider.import_(o.resource_type, "@order") == {"keys": order}
    with pytest.raises(ProviderError, match="not on SPS: nope"):
        provider.import_(o.resource_type, f"{a['key']},nope")

    with pytest.raises(ProviderError, match=r"keys\[1\].*listed twice"):
        provider.plan(o.resource_type, state, {"keys": [a["key"], a["key"]]})
    with pytest.raises(ProviderError, match=r"keys\[1\].*no .* with key 'nope'"):
        provider.plan(o.resource_type, state, {"keys": [a["key"], "nope"]})

    provider.delete(o.resource_type, state)
    assert on_appliance(sim, o) == order, "destroying the order resource leaves the order as it is"
    for p in (a, b2, c):
        provider.delete(t.resource_type, p)


def test_an_order_is_refused_at_plan_where_its_collection_is_read_only(tmp_path: Path) -> None:
    o = CATALOG["vnc_connection_policy_order"]
    assert not o.versions.writable_on("7.5.1")
    sim = start_simulator(tmp_path, "--firmware", "7.5.1")
    provider = InProcessProvider(sim)
    try:
        with pytest.raises(ProviderError, match="sps_vnc_connection_policy_order is read-only on this appliance"):
            provider.plan(o.resource_type, None, {"keys": []})
    finally:
        provider.close()
        sim.stop()


def test_an_order_change_joins_a_group_commit_with_a_create(tmp_path: Path) -> None:
    """An order update and a policy create that reach the provider together are one transaction
    and one commit; the policy created in it, which the order does not list, keeps its place (the
    order's key list is made inside the transaction, after the create)."""
    sim = start_simulator(tmp_path)
    provider = InProcessProvider(sim)
    try:
        on = Appliance(sim, provider)
        t = CATALOG["mssql_connection_policy"]
        o = CATALOG.orders["mssql_connection_policy_order"]
        minimal = example(t, "minimal", on)
        assert minimal is not None
        a, b = (provider.create(t.resource_type, {**minimal, "name": f"group_{n}"})["key"] for n in "ab")
        state = provider.create(o.resource_type, {"keys": [a, b]})
        servicer = provider.servicer
        apply = servicer.ApplyResourceChange
        together = threading.Barrier(2)

        def at_once(request: Any, context: Any) -> Any:
            together.wait(timeout=30)
            return apply(request, context)

        servicer.ApplyResourceChange = at_once  # type: ignore[method-assign]
        commits = sim.stats()["commits"]
        with ThreadPoolExecutor(2) as pool:
            created = pool.submit(provider.create, t.resource_type, {**minimal, "name": "group_new"})
            reordered = pool.submit(provider.update, o.resource_type, state, {"keys": [b, a]})
            new = created.result()["key"]
            assert reordered.result() == {"keys": [b, a]}
        assert sim.stats()["commits"] == commits + 1, "one transaction, one commit"
        assert on_appliance(sim, o) == [b, a, new]
    finally:
        provider.close()
        sim.stop()
