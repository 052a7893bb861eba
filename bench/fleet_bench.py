"""Fleet benchmark: A appliances x N objects (bench/fleet_app.py: connection policies with their
channel, content, audit and settings references), for each --parallel P on fresh simulators and
fresh state schemas in the project's PostgreSQL: `sps-fleet apply`, then a second `plan` that
finds nothing to change. First one appliance alone (the floor: A times its CPU, its own wall time
per round of P, the machine's cores).

Per step: wall time, CPU of the runner and every process it reaped (terraform, providers, the
synth's node), and the peak of the summed RSS of that process tree, sampled every 0.25 s;
simulators and PostgreSQL (the appliances and the database, not part of a real run) are reported
beside it, at their end-of-run RSS.

    .venv/bin/python bench/fleet_bench.py                   # 32 x 100, --parallel 2,4,8
    .venv/bin/python bench/fleet_bench.py --quick           # 8 x 100, --parallel 2,4
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
from datetime import UTC, datetime
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


def step(command: str, work: Path, env: dict[str, str], parallel: int) -> dict[str, Any]:
    """One `sps-fleet <command>` of the whole fleet: wall, the CPU of the runner and every process
    it reaped (terraform, providers, the synth's node: wait4's rusage), the peak of its tree's RSS.
    `list` only synthesizes: its CPU is the synth's part of the others."""
    report = work / f"report-{command}.json"
    cmd = [sys.executable, "-m", "sps_fleet.runner", command, "--app", str(ROOT / "bench" / "fleet_app.py"),
           "--out", str(work / "out")]  # fmt: skip
    cmd += ["--json"] if command == "list" else ["--parallel", str(parallel), "--report", str(report)]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    with open(work / f"runner-{command}.log", "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        peak = PeakTreeRss(proc.pid)
        _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    peak_mb = peak.stop()
    result: dict[str, Any] = {
        "command": command,
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 1),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 1),
        "peak_rss_mb": round(peak_mb),
        "peak_processes": peak.processes,
        "load1": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    if command == "list":
        return result
    outcomes = json.loads(report.read_text())
    first, last = min(utc(o["started"]) for o in outcomes), max(utc(o["finished"]) for o in outcomes)
    result.update(
        deploy_s=round((last - first).total_seconds(), 1),
        per_appliance_s=sorted(round(o["seconds"], 1) for o in outcomes),
        added=sum(o["added"] or 0 for o in outcomes),
        changed=sum((o["changed"] or 0) + (o["destroyed"] or 0) for o in outcomes),
        commits=sum(o["commits"] or 0 for o in outcomes),
        failed=[o["name"] for o in outcomes if o["error"]],
    )
    return result


def run(mode: str, appliances: int, objects: int, parallel: int, cluster: postgres.Cluster) -> dict[str, Any]:
    """Fresh simulators and state schemas; `sps-fleet apply`, then a second `plan` (no changes)."""
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
        steps = [step(command, work, env, parallel) for command in ("list", "apply", "plan")]
        side_mb = (sum(rss_kb(s.process.pid) for s in sims.values()) + postgres_rss_kb(cluster)) / 1024
        return {
            "mode": mode,
            "appliances": appliances,
            "parallel": parallel,
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "steps": steps,
            "simulators_and_postgres_rss_mb": round(side_mb),
        }
    finally:
        for sim in sims.values():
            sim.stop()


def floors(solo: dict[str, Any], fleet: dict[str, Any], cores: int) -> dict[str, Any]:
    """What the fleet's steps would cost if nothing grew with the number of appliances, the synth
    (`list`, one per run) taken out of both: A times one appliance's CPU run alone, and for the
    wall the larger of that CPU spread over the machine's cores and one appliance's own wall time
    per round of `parallel`."""
    out: dict[str, Any] = {}
    a, p = fleet["appliances"], fleet["parallel"]
    one_synth, many_synth = solo["steps"][0], fleet["steps"][0]
    for one, many in zip(solo["steps"][1:], fleet["steps"][1:], strict=True):
        cpu_floor = a * (one["cpu_s"] - one_synth["cpu_s"])
        wall_floor = max(cpu_floor / cores, -(-a // p) * one["deploy_s"])
        cpu, wall = many["cpu_s"] - many_synth["cpu_s"], many["deploy_s"]
        out[many["command"]] = {
            "cpu_without_synth_s": round(cpu, 1),
            "cpu_floor_s": round(cpu_floor, 1),
            "cpu_vs_floor": round(cpu / cpu_floor, 2) if cpu_floor > 0 else None,
            "deploy_floor_s": round(wall_floor, 1),
            "deploy_vs_floor": round(wall / wall_floor, 2) if wall_floor > 0 else None,
        }
    return out


def postgres_rss_kb(cluster: postgres.Cluster) -> int:
    pid = int((cluster.directory / "data" / "postmaster.pid").read_text().split()[0])
    return sum(rss_kb(p) for p in tree(pid))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--appliances", type=int, default=32)
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--parallel", default="2,4,8", help="comma-separated: one fleet run per value")
    parser.add_argument("--quick", action="store_true", help="8 appliances x 100 objects, --parallel 2,4")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fleet.json")
    args = parser.parse_args()
    appliances, objects, parallels = args.appliances, args.objects, [int(p) for p in args.parallel.split(",")]
    if args.quick:
        appliances, objects, parallels = 8, 100, [2, 4]
    cores = os.cpu_count() or 1
    cluster = postgres.start(WORK / "pg")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    results: dict[str, Any] = {
        "appliances": appliances,
        "objects": objects,
        "commit": commit.stdout.strip(),
        "machine": {"cpus": cores, "load_before": os.getloadavg(), "python": platform.python_version()},
        "runs": [],
    }
    try:
        solo = run("solo", 1, objects, 1, cluster)
        results["runs"].append(solo)
        print(json.dumps(solo), flush=True)
        for parallel in parallels:
            result = run(f"parallel{parallel}", appliances, objects, parallel, cluster)
            result["floors"] = floors(solo, result, cores)
            results["runs"].append(result)
            print(json.dumps(result), flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(results, indent=2))
    finally:
        postgres.stop(WORK / "pg")
    results["machine"]["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    return 0 if all(s["exit"] == 0 for r in results["runs"] for s in r["steps"]) else 1


if __name__ == "__main__":
    sys.exit(main())
