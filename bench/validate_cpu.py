"""CPU per ValidateResourceConfig of the validate walk (the second provider process of a plan),
in process exactly as the transport runs it on the reader thread (`rpc.Server._attempt`), for the
four types of bench/workload.py's units with the configurations it makes. No terraform, no
appliance; `--profile` adds a cProfile of one walk (sorted by own time).

    python bench/validate_cpu.py [--n 300] [--reps 7] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import threading
from typing import Any

from measure import per_call_us

from sps_provider.protocol import cty
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.provider import Provider
from sps_provider.server import methods
from sps_provider.transport import rpc

BUILTIN_AUDIT, BUILTIN_CHANNEL, BUILTIN_SETTINGS, BUILTIN_AUTH = "-30700101", "-30700102", "-30700301", "-30700201"


def config_of(kind: str, i: int) -> tuple[str, dict[str, Any]]:
    """The flat workload's unit i: type name and configuration (what its constructs synthesize)."""
    name = f"{kind}{i}"
    if kind == "audit":
        return "sps_audit_policy", {"name": name, "encryption": {"enabled": False}, "signing": {"enabled": False}}
    if kind == "content":
        rule = {"actions": {"log": True}, "event": {"selection": "command", "match": [f"rm -rf /{i}"]}}
        return "sps_content_policy", {"name": name, "rules": [rule]}
    if kind == "channel":
        return "sps_mssql_channel_policy", {"name": name, "rules": [{"channel": "mssql", "actions": {"audit": True}}]}
    network = {"clients": ["10.0.0.0/8"], "targets": [f"10.1.{i % 250}.0/24"], "ports": [1433]}
    policies = {"audit_policy": BUILTIN_AUDIT, "channel_policy": BUILTIN_CHANNEL, "settings": BUILTIN_SETTINGS,
                "authentication_policy": BUILTIN_AUTH}  # fmt: skip
    return "sps_mssql_connection_policy", {"name": name, "network": network, "policies": policies}


def requests(provider: Provider, n: int) -> list[Any]:
    """n ValidateResourceConfig requests, the workload's four kinds in turn, every attribute
    present (null where unset) as Terraform sends them."""
    out = []
    for j in range(n):
        type_name, config = config_of(("audit", "content", "channel", "connection")[j % 4], j // 4)
        t = provider.resources[type_name].type
        value = cty.conform(t, config)
        out.append(pb.ValidateResourceConfig.Request(type_name=type_name,
                                                     config=pb.DynamicValue(msgpack=cty.encode(t, value))))  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    provider = Provider()
    calls = [r.SerializeToString() for r in requests(provider, args.n)]
    method = methods(provider, threading.Event())["/tfplugin6.Provider/ValidateResourceConfig"]

    def walk() -> None:
        for body in calls:
            answer = rpc.Server._attempt(method, pb.ValidateResourceConfig.Request.FromString(body))
            assert answer is not None, "a call left the reader thread"

    for body in calls:  # the configurations are valid: nothing to report
        request = pb.ValidateResourceConfig.Request.FromString(body)
        assert not provider.ValidateResourceConfig(request, None).diagnostics, request.type_name
    timed = per_call_us(walk, args.n, args.reps)
    print(f"ValidateResourceConfig on the reader thread: {timed} per call ({args.n} calls, {args.reps} reps)")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(walk)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
