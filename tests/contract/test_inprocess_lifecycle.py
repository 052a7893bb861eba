"""Every managed type with examples, through create/read/update/import/delete with the
provider's servicer called in-process against one real simulator (sps_harness.inprocess). An
example that references another type's example (`{ref: type/example}`) gets that object created
first, once per module, under its example name plus `_dep` (the referenced type's own lifecycle
uses the example name).

Cheap enough to run for every type the catalog gains; the real-terraform lifecycle
(tests/e2e/test_lifecycle.py) proves the same path through Terraform itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sps_catalog import TypeDef
from sps_harness import RunningSimulator
from tests.support.firmware import read_on
from tests.support.inprocess import TYPES, Appliance, appliances_by_firmware, commit, example


@pytest.fixture(scope="module")
def appliance_for(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[TypeDef], Appliance]]:
    yield from appliances_by_firmware(tmp_path_factory, "inprocess")


def assert_appliance_holds(sim: RunningSimulator, t: TypeDef, state: dict[str, Any]) -> None:
    """Every attribute the state holds equals the committed object on the appliance."""
    committed = t.as_object(sim.committed()[t.path][state["key"]])
    assert {"key": state["key"], **read_on(t, committed)} == {k: state[k] for k in ("key", *t.field_names)}


@pytest.mark.parametrize("t", TYPES, ids=lambda t: t.terraform_name)
def test_lifecycle_through_the_servicer(appliance_for: Callable[[TypeDef], Appliance], t: TypeDef) -> None:
    on = appliance_for(t)
    sim, provider = on.sim, on.provider
    name = t.resource_type
    minimal = example(t, "minimal", on)
    assert minimal is not None
    state = provider.create(name, minimal)
    assert_appliance_holds(sim, t, state)
    assert provider.read(name, state) == state, "read after create changes nothing"
    assert provider.plan(name, state, minimal) == state, "a second plan is empty"

    update = example(t, "update", on)
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
        out_of_band.put(f"{sim.url}{t.api_path}", json=t.as_body(dict(t.initial_body or {}))).raise_for_status()
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


@pytest.mark.parametrize("t", [t for t in TYPES if "full" in t.examples], ids=lambda t: t.terraform_name)
def test_full_example_round_trips(appliance_for: Callable[[TypeDef], Appliance], t: TypeDef) -> None:
    on = appliance_for(t)
    sim, provider = on.sim, on.provider
    full = example(t, "full", on)
    assert full is not None
    state = provider.create(t.resource_type, full)
    assert_appliance_holds(sim, t, state)
    assert provider.plan(t.resource_type, state, full) == state
    import_id = t.singleton_key if t.is_singleton else state["key"]
    assert provider.import_(t.resource_type, import_id) == state
    provider.delete(t.resource_type, state)
