"""Fleet benchmark: `sps-fleet apply` of A appliances x N objects (bench/fleet_app.py), serial
(--parallel 1) and parallel (--parallel P), each on fresh simulators and fresh state schemas in
the project's PostgreSQL; wall time and the peak of the summed RSS of the whole run.

"Whole run" is the runner's process tree (sps-fleet, terraform, providers, the synth's node),
sampled every 0.25 s as the sum of VmRSS; simulators and PostgreSQL (the appliances and the
database, not part of a real run) are reported beside it, at their end-of-run RSS.

    .venv/bin/python bench/fleet_bench.py --appliances 50 --objects 20 --parallel 8
    .venv/bin/python bench/fleet_bench.py --quick    # 8 x 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from sps_harness import RunningSimulator, postgres, provider_python, start_simulator

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".state" / "bench-fleet"


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def tree(root: int) -> list[int]:
    """root and all its descendants (from every process's parent in /proc/<pid>/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


class PeakTreeRss:
    """The largest sum of VmRSS over a process tree, sampled every 0.25 s."""

    def __init__(self, root: int) -> None:
        self.root, self.peak_kb, self.processes = root, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.wait(0.25):
            pids = tree(self.root)
            self.peak_kb = max(self.peak_kb, sum(rss_kb(p) for p in pids))
            self.processes = max(self.processes, len(pids))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def utc(iso: str) -> datetime:
    """A time of sps-fleet's report (ISO 8601 UTC)."""
    return datetime.fromisoformat(iso)


def run(mode: str, appliances: int, objects: int, parallel: int, cluster: postgres.Cluster) -> dict[str, Any]:
    work = WORK / mode
    shutil.rmtree(work, ignore_errors=True)
    names = [f"a{i:02d}" for i in range(appliances)]
    with ThreadPoolExecutor(8) as pool:
        sims: dict[str, RunningSimulator] = dict(
            zip(names, pool.map(lambda n: start_simulator(work / n), names), strict=True)
        )
    try:
        env = dict(os.environ, **cluster.env(), SPS_USERNAME="admin", SPS_PASSWORD="admin")
        env.update(
            TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"),
            SPS_PROVIDER_PYTHON=provider_python(),
            SPS_FLEET_SCHEMA_PREFIX=f"bench_{mode}_{int(time.time())}_",
            SPS_BENCH_APPLIANCES=str(appliances),
            SPS_BENCH_OBJECTS=str(objects),
        )
        for name, sim in sims.items():
            env[f"SPS_{name.upper()}_URL"], env[f"SPS_{name.upper()}_CA_BUNDLE"] = sim.url, sim.ca or ""
        report = work / "report.json"
        cmd = [sys.executable, "-m", "sps_fleet.runner", "apply", "--app", str(ROOT / "bench" / "fleet_app.py"),
               "--out", str(work / "out"), "--parallel", str(parallel), "--report", str(report)]  # fmt: skip
        started = time.monotonic()
        with open(work / "runner.log", "w") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
            peak = PeakTreeRss(proc.pid)
            code = proc.wait()
        wall = time.monotonic() - started
        peak_mb = peak.stop()
        outcomes = json.loads(report.read_text())
        first, last = min(utc(o["started"]) for o in outcomes), max(utc(o["finished"]) for o in outcomes)
        side_mb = (sum(rss_kb(s.process.pid) for s in sims.values()) + postgres_rss_kb(cluster)) / 1024
        return {
            "mode": mode,
            "parallel": parallel,
            "exit": code,
            "wall_s": round(wall, 1),
            "deploy_s": round((last - first).total_seconds(), 1),
            "per_appliance_s": sorted(round(o["seconds"], 1) for o in outcomes),
            "added": sum(o["added"] or 0 for o in outcomes),
            "commits": sum(o["commits"] or 0 for o in outcomes),
            "failed": [o["name"] for o in outcomes if o["error"]],
            "peak_rss_mb": round(peak_mb),
            "peak_processes": peak.processes,
            "simulators_and_postgres_rss_mb": round(side_mb),
        }
    finally:
        for sim in sims.values():
            sim.stop()


def postgres_rss_kb(cluster: postgres.Cluster) -> int:
    pid = int((cluster.directory / "data" / "postmaster.pid").read_text().split()[0])
    return sum(rss_kb(p) for p in tree(pid))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--appliances", type=int, default=50)
    parser.add_argument("--objects", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="8 appliances x 5 objects")
    parser.add_argument("--modes", default="parallel,serial", help="which runs, in order")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fleet.json")
    args = parser.parse_args()
    appliances, objects = (8, 5) if args.quick else (args.appliances, args.objects)
    cluster = postgres.start(WORK / "pg")
    results: dict[str, Any] = {
        "appliances": appliances,
        "objects": objects,
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg(), "python": platform.python_version()},
        "runs": [],
    }
    try:
        for mode in args.modes.split(","):
            parallel = 1 if mode == "serial" else args.parallel
            result = run(mode, appliances, objects, parallel, cluster)
            results["runs"].append(result)
            print(json.dumps(result), flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(results, indent=2))
    finally:
        postgres.stop(WORK / "pg")
    results["machine"]["load_after"] = os.getloadavg()
    args.out.write_text(json.dumps(results, indent=2))
    return 0 if all(r["exit"] == 0 for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
