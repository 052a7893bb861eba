"""The in-process lifecycle's appliance (a simulator and the provider's servicer) and its examples with
references made first."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from sps_catalog import TypeDef, load_catalog
from sps_catalog.examples import is_example_ref
from sps_harness import RunningSimulator, start_simulator
from sps_harness.inprocess import InProcessProvider
from tests.support.catalog_cases import fuzzable_types, resolved
from tests.support.firmware import firmware_for

# the types tests/contract/test_inprocess_lifecycle.py runs
TYPES = [t for t in fuzzable_types(constructs=True) if not t.secrets]


def fully_covered(t: TypeDef) -> bool:
    """Whether the in-process lifecycle runs every example of `t`: the real-terraform lifecycle then
    needs only one representative of its kind."""
    return t in TYPES


@dataclass
class Appliance:
    """One simulator on a firmware, its in-process provider and the objects made for references."""

    sim: RunningSimulator
    provider: InProcessProvider
    made: dict[str, str] = field(default_factory=dict)


def appliances_by_firmware(
    tmp_path_factory: pytest.TempPathFactory, prefix: str
) -> Iterator[Callable[[TypeDef], Appliance]]:
    """For a module fixture: the appliance for a type, on the default firmware or the newest where
    the type is writable (VNC connection policies are read-only from 7.5 on), each started once and
    stopped when the module ends."""
    started: dict[tuple[str, ...], Appliance] = {}

    def get(t: TypeDef) -> Appliance:
        args = tuple(firmware_for([t]))
        if args not in started:
            sim = start_simulator(tmp_path_factory.mktemp(prefix), *args)
            started[args] = Appliance(sim, InProcessProvider(sim))
        return started[args]

    yield get
    for a in started.values():
        a.provider.close()
        a.sim.stop()


def example(t: TypeDef, name: str, on: Appliance) -> dict[str, Any] | None:
    """Example `name` of `t` with its references as keys (referenced examples created first)."""
    raw = t.examples.get(name)
    if raw is None:
        return None
    attrs: dict[str, Any] = resolved(_made_refs(copy.deepcopy(dict(raw)), on))
    return attrs


def _made_refs(v: Any, on: Appliance) -> Any:
    if is_example_ref(v):
        ref = v["ref"]
        if ref not in on.made:
            type_name, name = ref.split("/", 1)
            t = load_catalog()[type_name]
            attrs = example(t, name, on)
            assert attrs is not None, f"no example {ref}"
            if t.name_field:
                attrs[t.name_field] = f"{attrs[t.name_field]}_dep"
            on.made[ref] = on.provider.create(t.resource_type, attrs)["key"]
        return on.made[ref]
    if isinstance(v, dict):
        return {k: _made_refs(x, on) for k, x in v.items()}
    if isinstance(v, list):
        return [_made_refs(x, on) for x in v]
    return v


def commit(sim: RunningSimulator, session: requests.Session) -> None:
    """Commit the transaction an out-of-band change opened."""
    session.put(f"{sim.url}/api/transaction", json={"status": "commit"}).raise_for_status()
