"""Every managed type whose examples stand alone, through create/read/update/import/delete with
the provider's servicer called in-process against one real simulator (sps_harness.inprocess).

Cheap enough to run for every type the catalog gains; the real-terraform lifecycle
(tests/e2e/test_lifecycle.py) proves the same path through Terraform itself.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sps_catalog import TypeDef
from sps_catalog.examples import is_example_ref
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider
from sps_provider.engine.convert import to_terraform
from tests.conftest import firmware_for
from tests.fuzz.catalog_cases import _has, fuzzable_types, resolved

TYPES = fuzzable_types()


def fully_covered(t: TypeDef) -> bool:
    """Whether this test runs every example of `t` (none references another example's object):
    the real-terraform lifecycle then needs only one representative of its kind."""
    return t in TYPES and not any(_has(ex, is_example_ref) for ex in t.examples.values())


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    s = start_simulator(Path(tmp_path_factory.mktemp("inprocess")), *firmware_for(TYPES))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def provider(sim: RunningSimulator) -> Iterator[InProcessProvider]:
    p = InProcessProvider(sim)
    yield p
    p.close()


def assert_appliance_holds(sim: RunningSimulator, t: TypeDef, state: dict[str, Any]) -> None:
    """Every attribute the state holds equals the committed object on the appliance."""
    committed = sim.committed()[t.path][state["key"]]
    assert {"key": state["key"], **to_terraform(t.root, committed)} == {k: state[k] for k in ("key", *t.field_names)}


def example(t: TypeDef, name: str) -> dict[str, Any] | None:
    raw = t.examples.get(name)
    if raw is None or _has(raw, is_example_ref):
        return None
    attrs: dict[str, Any] = resolved(copy.deepcopy(dict(raw)))
    return attrs


def commit(sim: RunningSimulator, session: requests.Session) -> None:
    """Commit the transaction an out-of-band change opened."""
    session.put(f"{sim.url}/api/transaction", json={"status": "commit"}).raise_for_status()


@pytest.mark.parametrize("t", TYPES, ids=lambda t: t.terraform_name)
def test_lifecycle_through_the_servicer(sim: RunningSimulator, provider: InProcessProvider, t: TypeDef) -> None:
    name = t.resource_type
    minimal = example(t, "minimal")
    assert minimal is not None
    state = provider.create(name, minimal)
    assert_appliance_holds(sim, t, state)
    assert provider.read(name, state) == state, "read after create changes nothing"
    assert provider.plan(name, state, minimal) == state, "a second plan is empty"

    update = example(t, "update")
    if update is not None:
        assert provider.plan(name, state, update) != state, "the update is a change"
        updated = provider.update(name, state, update)
        assert updated["key"] == state["key"]
        state = updated
        assert_appliance_holds(sim, t, state)
        assert provider.read(name, state) == state
        assert provider.plan(name, state, update) == state

    # drift: the object changes (singleton) or disappears (collection) behind the provider's back
    out_of_band = sim.session()
    if t.is_singleton:
        out_of_band.put(f"{sim.url}{t.api_path}", json=dict(t.initial_body or {})).raise_for_status()
        commit(sim, out_of_band)
        provider.new_run()  # the next terraform command starts a provider that reads afresh
        drifted = provider.read(name, state)
        assert drifted is not None
        assert_appliance_holds(sim, t, drifted)  # the read shows the change
        state = provider.update(name, drifted, update or minimal)
        assert_appliance_holds(sim, t, state)
    else:
        out_of_band.delete(f"{sim.url}{t.api_path}/{state['key']}").raise_for_status()
        commit(sim, out_of_band)
        provider.new_run()  # the next terraform command starts a provider that reads afresh
        assert provider.read(name, state) is None
        state = provider.create(name, update or minimal)

    import_id = t.singleton_key if t.is_singleton else state["key"]
    assert provider.import_(name, import_id) == state, "import gives the state the apply made"

    provider.delete(name, state)
    if not t.is_singleton:  # a singleton is only forgotten
        assert provider.read(name, state) is None


@pytest.mark.parametrize("t", [t for t in TYPES if example(t, "full")], ids=lambda t: t.terraform_name)
def test_full_example_round_trips(sim: RunningSimulator, provider: InProcessProvider, t: TypeDef) -> None:
    full = example(t, "full")
    assert full is not None
    state = provider.create(t.resource_type, full)
    assert_appliance_holds(sim, t, state)
    assert provider.plan(t.resource_type, state, full) == state
    import_id = t.singleton_key if t.is_singleton else state["key"]
    assert provider.import_(t.resource_type, import_id) == state
    provider.delete(t.resource_type, state)
