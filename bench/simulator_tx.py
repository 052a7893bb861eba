"""The simulator's cost per transaction as a function of the objects it holds.

For each N, a fresh simulator is filled with N audit policies (one collection: the worst case for
anything that rewrites or copies a collection), then the two operations are alternated `reps`
times: an empty transaction (POST /api/transaction, DELETE /api/transaction) and a one-object write
transaction (POST an object, PUT commit). Reported per operation: the median wall time seen by the
client and the simulator process's CPU time (user + sys from /proc, summed over all repetitions
and divided), which a busy machine inflates far less than wall time. Then the same two operations
without HTTP, on the appliance object in this process (CPU per operation from `process_time`,
fine-grained where /proc counts 10 ms ticks): what the transaction itself costs.

    python bench/simulator_tx.py --n 1000 10000 --reps 40
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import write_json

from sps_catalog import load_catalog
from sps_harness import RunningSimulator, start_simulator
from sps_simulator.appliance import Appliance
from sps_simulator.store import Store

AUDIT = "/api/configuration/policies/audit_policies"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def audit_policy(name: str) -> dict[str, Any]:
    return {
        "encryption": {"enabled": False},
        "name": name,
        "signing": {"enabled": False},
        "timestamping_enabled": False,
    }


def fill(sim: RunningSimulator, n: int, batch: int = 500) -> None:
    s = sim.session()
    for start in range(0, n, batch):
        for i in range(start, min(n, start + batch)):
            s.post(f"{sim.url}{AUDIT}", json=audit_policy(f"fill_{i}")).raise_for_status()
        s.put(f"{sim.url}/api/transaction", json={"status": "commit"}).raise_for_status()


def measure(n: int, reps: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sps-bench-sim-") as tmp:
        sim = start_simulator(Path(tmp))
        try:
            fill(sim, n)
            s = sim.session()
            url = sim.url
            counter = iter(range(10**9))

            def open_revert() -> None:
                s.post(f"{url}/api/transaction", data=b"").raise_for_status()
                s.delete(f"{url}/api/transaction").raise_for_status()

            def write() -> None:
                s.post(f"{url}{AUDIT}", json=audit_policy(f"bench_{next(counter)}")).raise_for_status()
                s.put(f"{url}/api/transaction", json={"status": "commit"}).raise_for_status()

            ops: dict[str, Callable[[], None]] = {"open_revert": open_revert, "write": write}
            wall: dict[str, list[float]] = {name: [] for name in ops}
            cpu: dict[str, float] = dict.fromkeys(ops, 0.0)
            pid = sim.process.pid
            for rep in range(reps):
                order = list(ops) if rep % 2 == 0 else list(reversed(ops))
                for name in order:
                    c0, t0 = cpu_seconds(pid), time.perf_counter()
                    ops[name]()
                    wall[name].append(time.perf_counter() - t0)
                    cpu[name] += cpu_seconds(pid) - c0
            return {
                "n": n,
                "reps": reps,
                **{f"{name}_wall_ms": 1000 * statistics.median(wall[name]) for name in ops},
                **{f"{name}_cpu_ms": 1000 * cpu[name] / reps for name in ops},
            }
        finally:
            sim.stop()


def measure_in_process(n: int, reps: int) -> dict[str, float]:
    """CPU ms per open+revert and per one-object write transaction, without HTTP."""
    catalog = load_catalog()
    t = next(t for t in catalog if t.api_path == AUDIT)
    with tempfile.TemporaryDirectory(prefix="sps-bench-sim-") as tmp:
        store = Store(Path(tmp) / "sps.sqlite3")
        appliance = Appliance(catalog, store, {"admin": "admin"})
        s = appliance.login("admin", "admin", "bench")
        assert s is not None
        for i in range(n):
            appliance.create(s, t, audit_policy(f"fill_{i}"), AUDIT)
            if i % 1000 == 999 or i == n - 1:
                appliance.commit(s)
        start = time.process_time()
        for _ in range(reps):
            appliance.open(s)
            appliance.revert(s)
        open_revert = (time.process_time() - start) / reps
        start = time.process_time()
        for i in range(reps):
            appliance.create(s, t, audit_policy(f"bench_{i}"), AUDIT)
            appliance.commit(s)
        write = (time.process_time() - start) / reps
        store.close()
    return {"open_revert_cpu_ms_in_process": 1000 * open_revert, "write_cpu_ms_in_process": 1000 * write}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = []
    for n in args.n:
        r = measure(n, args.reps) | measure_in_process(n, 10 * args.reps)
        results.append(r)
        print(
            f"N={n:>6}: open+revert {r['open_revert_wall_ms']:.1f} ms wall, {r['open_revert_cpu_ms']:.1f} ms CPU; "
            f"write tx {r['write_wall_ms']:.1f} ms wall, {r['write_cpu_ms']:.1f} ms CPU; in process: open+revert "
            f"{r['open_revert_cpu_ms_in_process']:.3f} ms CPU, write tx {r['write_cpu_ms_in_process']:.3f} ms CPU",
            flush=True,
        )
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
