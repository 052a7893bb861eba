"""CPU per resource of the calls a no-op plan answers on the plugin connection's reader thread
(ValidateResourceConfig, ReadResource and PlanResourceChange of one audit policy), run in this
process exactly as the transport runs them (`rpc.Server._attempt`), with the refresh snapshot
fetched and the firmware version read beforehand, so no call leaves the reader thread (asserted).
No terraform, no appliance: what is measured is the provider's own per-call path. For another
build, put its sources first on the path:

    python bench/reader_path_cpu.py [--n 500] [--reps 7]
    PYTHONPATH=<other checkout>/provider:<other checkout>/catalog python bench/reader_path_cpu.py
"""

from __future__ import annotations

import argparse
import threading
from typing import Any

from measure import per_call_us

from sps_catalog import load_catalog
from sps_provider.engine.refresh import RefreshReader
from sps_provider.engine.resource import ResourceEngine
from sps_provider.protocol import cty
from sps_provider.protocol.diagnostics import Diagnostics
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.provider import Provider
from sps_provider.server import methods
from sps_provider.transport import rpc

AUDIT = load_catalog()["audit_policy"]


class Appliance:
    """The reader session: the audit policies' list, no firmware version."""

    class settings:  # SpsClient.settings
        url = "https://sps.example"

    def __init__(self, items: dict[str, Any]) -> None:
        self.items = items

    def get(self, path: str) -> Any:
        return {"items": [{"key": k, "body": b} for k, b in self.items.items()]}

    def firmware_version(self) -> str | None:
        return None


def configured(provider: Provider, client: Appliance) -> None:
    """The provider as ConfigureProvider leaves it (the group commit is never written to)."""
    provider.reader, provider.refresh = client, RefreshReader(client)  # type: ignore[assignment,arg-type]
    if hasattr(provider, "group_commit"):
        from sps_provider.coordinator.group_commit import GroupCommit
        from sps_provider.coordinator.policy import Policy
        from sps_provider.coordinator.transactions import Transactions

        provider.group_commit = GroupCommit(Transactions(None, Policy(), client))  # type: ignore[arg-type]
    else:  # builds before the coordinator was split (issue 27)
        from sps_provider import coordinator as old  # type: ignore[attr-defined,unused-ignore]

        provider.coordinator = old.Coordinator(None, old.Policy(), client)  # type: ignore[attr-defined,unused-ignore]


def requests(engine: ResourceEngine, n: int) -> tuple[list[tuple[Any, Any, Any]], dict[str, Any]]:
    """n resources in step with the appliance: their (validate, read, plan) requests and the list."""
    out, items = [], {}
    for i in range(n):
        config: dict[str, Any] = {a.name: None for a in engine.attrs}
        config.update({"name": f"p{i}", "encryption": {"enabled": False}, "signing": {"enabled": False}})
        diags = Diagnostics()
        planned = engine.plan(None, config, diags)
        assert not diags.items, diags.items
        state = dict(planned.state, key=f"k{i}")
        items[f"k{i}"] = {k: v for k, v in state.items() if k not in ("key", "extra_json")}
        config_dv = pb.DynamicValue(msgpack=cty.encode(engine.type, config))
        state_dv = pb.DynamicValue(msgpack=cty.encode(engine.type, state))
        name = AUDIT.resource_type
        out.append((
            pb.ValidateResourceConfig.Request(type_name=name, config=config_dv),
            pb.ReadResource.Request(type_name=name, current_state=state_dv),
            pb.PlanResourceChange.Request(type_name=name, prior_state=state_dv, proposed_new_state=state_dv,
                                          config=config_dv),
        ))  # fmt: skip
    return out, items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    provider = Provider()
    engine = provider.resources[AUDIT.resource_type]
    assert isinstance(engine, ResourceEngine)
    calls, items = requests(engine, args.n)
    configured(provider, Appliance(items))
    table = methods(provider, threading.Event())
    names = ("ValidateResourceConfig", "ReadResource", "PlanResourceChange")
    served = [table[f"/tfplugin6.Provider/{m}"] for m in names]
    served[1].call(calls[0][1], None)  # the pool fetched the snapshot
    provider.target()  # and read the firmware version

    def walk() -> None:
        for requests_of_one in calls:
            for method, request in zip(served, requests_of_one, strict=True):
                assert rpc.Server._attempt(method, request) is not None, "a call left the reader thread"

    timed = per_call_us(walk, args.n, args.reps)
    print(f"validate + read + plan on the reader thread: {timed} per resource ({args.n} resources, {args.reps} reps)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
