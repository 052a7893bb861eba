"""The benchmark workloads: one object graph, rendered three ways (cdktf stack, terraform_data
stack, plain REST script), so every variant creates the same dependency structure.

A workload is N objects spread over A appliances in units of four: an audit policy and a content
policy, an MSSQL channel policy, an MSSQL connection policy. In the "deep" shape the channel
policy references the unit's content policy and the connection policy references the unit's
audit and channel policies (dependency depth 3); in the "flat" shape every reference points at a
built-in object, so all N objects are independent (depth 1). Unit u lives on appliance u mod A.

Run as a script it is the cdktf app (`python bench/workload.py OUTDIR`, parameters from the
environment, appliances from BENCH_APPLIANCES), so synth is timed as a user experiences it.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("audit", "content", "channel", "connection")
DEPTH = {"flat": 1, "deep": 3}


@dataclass(frozen=True)
class Node:
    kind: str
    index: int
    appliance: int
    deps: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.kind}{self.index}"


@dataclass(frozen=True)
class Workload:
    n: int
    shape: str
    appliances: int

    @property
    def label(self) -> str:
        return f"{self.shape} N={self.n} A={self.appliances}"

    @property
    def depth(self) -> int:
        return DEPTH[self.shape]

    def nodes(self) -> Iterator[Node]:
        for i in range(self.n):
            unit, kind = divmod(i, len(KINDS))
            deps: tuple[str, ...] = ()
            if self.shape == "deep" and KINDS[kind] == "channel":
                deps = (f"content{unit}",)
            elif self.shape == "deep" and KINDS[kind] == "connection":
                deps = (f"audit{unit}", f"channel{unit}")
            yield Node(KINDS[kind], unit, unit % self.appliances, deps)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Workload:
        return cls(int(env["BENCH_N"]), env["BENCH_SHAPE"], int(env["BENCH_APPLIANCES_COUNT"]))

    def env(self) -> dict[str, str]:
        return {"BENCH_N": str(self.n), "BENCH_SHAPE": self.shape, "BENCH_APPLIANCES_COUNT": str(self.appliances)}


def limit(cell: tuple[str, int, int, float]) -> tuple[int, float]:
    """(min commits, min seconds): an object can only be committed after the objects it
    references, so each appliance needs one commit per dependency level among the objects it
    holds, and the appliances commit side by side."""
    shape, n, appliances, commit = cell
    level: dict[str, int] = {}
    deepest: dict[int, int] = defaultdict(int)
    for node in Workload(n, shape, appliances).nodes():
        level[node.name] = 1 + max((level[d] for d in node.deps), default=0)
        deepest[node.appliance] = max(deepest[node.appliance], level[node.name])
    return sum(deepest.values()), max(deepest.values()) * commit


def terraform_data_json(w: Workload) -> dict[str, Any]:
    """Baseline (b): the same graph as `terraform_data` resources (Terraform's own floor)."""
    resources: dict[str, Any] = {}
    for node in w.nodes():
        name = f"a{node.appliance}_{node.name}"
        deps = [f"${{terraform_data.a{node.appliance}_{d}.output}}" for d in node.deps]
        resources[name] = {"input": {"name": node.name, "deps": deps}}
    return {"resource": {"terraform_data": resources}}


def synth(w: Workload, outdir: Path, appliances: list[dict[str, Any]], group_commit: bool) -> None:
    """Synthesize the workload as a cdktf stack of our typed constructs."""
    from cdktf import App, LocalBackend, TerraformStack

    from sps_constructs import Appliance

    app = App(outdir=str(outdir))
    stack = TerraformStack(app, "bench")
    LocalBackend(stack, path="terraform.tfstate")
    boxes = [
        Appliance(stack, f"a{i}", url=a["url"], ca_bundle=a.get("ca"), group_commit=group_commit)
        for i, a in enumerate(appliances[: w.appliances])
    ]
    populate(w, boxes)
    app.synth()


def populate(w: Workload, boxes: list[Any]) -> None:
    """The workload's constructs, node `appliance` i on `boxes[i]` (sps_constructs.Appliance)."""
    from sps_constructs import (
        AuditPolicy,
        AuditPolicyEncryptionDisabled,
        AuditPolicySigningDisabled,
        ChannelActions,
        ContentPolicy,
        ContentPolicyRules,
        ContentPolicyRulesActions,
        ContentPolicyRulesEventCommand,
        MssqlAuthenticationPolicy,
        MssqlChannelPolicy,
        MssqlChannelPolicyRules,
        MssqlConnectionPolicy,
        MssqlConnectionPolicyPolicies,
        MssqlSettingsPolicy,
        Network,
    )

    made: dict[tuple[int, str], Any] = {}
    for node in w.nodes():
        sps = boxes[node.appliance]
        if node.kind == "audit":
            obj: Any = AuditPolicy(sps, node.name, name=node.name, encryption=AuditPolicyEncryptionDisabled(),
                                   signing=AuditPolicySigningDisabled())  # fmt: skip
        elif node.kind == "content":
            obj = ContentPolicy(sps, node.name, name=node.name, rules=[ContentPolicyRules(
                actions=ContentPolicyRulesActions(log=True),
                event=ContentPolicyRulesEventCommand(match=[f"rm -rf /{node.index}"]))])  # fmt: skip
        elif node.kind == "channel":
            content = made.get((node.appliance, f"content{node.index}")) if node.deps else None
            actions = ChannelActions(audit=True, content_policy=content)
            obj = MssqlChannelPolicy(sps, node.name, name=node.name,
                                     rules=[MssqlChannelPolicyRules(channel="mssql", actions=actions)])  # fmt: skip
        else:
            audit = made[(node.appliance, f"audit{node.index}")] if node.deps else AuditPolicy.builtin(sps, "default")
            channel = (made[(node.appliance, f"channel{node.index}")] if node.deps
                       else MssqlChannelPolicy.builtin(sps, "default"))  # fmt: skip
            obj = MssqlConnectionPolicy(
                sps, node.name, name=node.name,
                network=Network(clients=["10.0.0.0/8"], targets=[f"10.1.{node.index % 250}.0/24"], ports=[1433]),
                policies=MssqlConnectionPolicyPolicies(
                    audit_policy=audit, channel_policy=channel,
                    settings=MssqlSettingsPolicy.builtin(sps, "default"),
                    authentication_policy=MssqlAuthenticationPolicy.builtin(sps, "default")),
            )  # fmt: skip
        made[(node.appliance, node.name)] = obj


def main() -> int:
    w = Workload.from_env(os.environ)
    appliances = json.loads(os.environ["BENCH_APPLIANCES"])
    synth(w, Path(sys.argv[1]), appliances, os.environ.get("BENCH_GROUP_COMMIT", "true") == "true")
    return 0


if __name__ == "__main__":
    sys.exit(main())
