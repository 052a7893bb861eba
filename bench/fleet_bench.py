"""Fleet benchmark: A appliances x N objects (bench/fleet_app.py: connection policies with their
channel, content, audit and settings references), for each --parallel P on fresh simulators and
fresh state schemas in the project's PostgreSQL: `sps-fleet apply`, then a second `plan` that
finds nothing to change. First one appliance alone, --solo-runs times (the floor: A times the
median of its CPU, its own wall time per round of P, the machine's cores).

Per step: wall time, CPU of the runner and every process it reaped (terraform, providers, the
synth's node), and the peak of the summed RSS of that process tree, sampled every 0.25 s;
simulators and PostgreSQL (the appliances and the database, not part of a real run) are reported
beside it, with the CPU they used during the step and their end-of-run RSS. Where the runner's CPU
goes: every `terraform` it starts and every provider process go through a shim (bench/fleet_shim.sh,
first on PATH and SPS_PROVIDER_PYTHON) that records their CPU (bash's `time`) by stack and
subcommand; the runner's own CPU is read from /proc until it exits.

    .venv/bin/python bench/fleet_bench.py                   # 32 x 100, --parallel 2,4,8
    .venv/bin/python bench/fleet_bench.py --quick           # 8 x 100, --parallel 2,4
    .venv/bin/python bench/fleet_bench.py --burners 2 ...   # also the lone appliance beside 2 CPU burners

The burners are the control for contention: the lone appliance's CPU when the two cores are
shared, as they are by the fleet's own stacks, with the work unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
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
SHIM = ROOT / "bench" / "fleet_shim.sh"
TICKS = os.sysconf("SC_CLK_TCK")


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


def cpu_s(pid: int, reaped: bool = False) -> float:
    """A process's own CPU (user + system) so far; with `reaped`, also that of the children it
    has waited for."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(v) for v in fields[11 : 15 if reaped else 13])
    return ticks / TICKS


def tree_cpu_s(root: int) -> float:
    """The CPU of a server and its processes: every live one's, and what the root has reaped."""
    return sum(cpu_s(pid, reaped=pid == root) for pid in tree(root))


class Burners:
    """`count` busy loops (the contention control), stopped on exit."""

    def __init__(self, count: int) -> None:
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]

    def __enter__(self) -> Burners:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()


class PeakTreeRss:
    """The largest sum of VmRSS over a process tree, sampled every 0.25 s; and the root's own CPU
    at the last sample (the runner itself, without what it reaped)."""

    def __init__(self, root: int) -> None:
        self.root, self.peak_kb, self.processes, self.root_cpu_s = root, 0, 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.wait(0.25):
            pids = tree(self.root)
            self.peak_kb = max(self.peak_kb, sum(rss_kb(p) for p in pids))
            self.processes = max(self.processes, len(pids))
            self.root_cpu_s = max(self.root_cpu_s, cpu_s(self.root))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def utc(iso: str) -> datetime:
    """A time of sps-fleet's report (ISO 8601 UTC)."""
    return datetime.fromisoformat(iso)


def commands_cpu(log: Path) -> dict[str, dict[str, float]]:
    """The shim's records summed by terraform subcommand (their providers included) and for the
    provider processes apart: CPU and count."""
    out: dict[str, dict[str, float]] = {}
    if not log.exists():
        return out
    records = [line.split("\t") for line in log.read_text().splitlines()]
    serving: dict[str, float] = {}  # per stack, its costliest provider process serves the plan or apply
    for stack, sub, user, system, _ in records:
        if sub == "provider":
            serving[stack] = max(serving.get(stack, 0.0), float(user) + float(system))
    for stack, sub, user, system, _ in records:
        cpu = float(user) + float(system)
        if sub == "provider":
            sub = "provider (serving)" if serving.get(stack) == cpu else "provider (schema only)"
            if sub == "provider (serving)":
                del serving[stack]
        entry = out.setdefault(sub, {"cpu_s": 0.0, "runs": 0})
        entry["cpu_s"] = round(entry["cpu_s"] + cpu, 3)
        entry["runs"] += 1
    return out


def step(command: str, work: Path, env: dict[str, str], parallel: int, side: dict[str, int]) -> dict[str, Any]:
    """One `sps-fleet <command>` of the whole fleet: wall, the CPU of the runner and every process
    it reaped (terraform, providers, the synth's node: wait4's rusage), the peak of its tree's RSS,
    the CPU by terraform subcommand (the shim's log) and of the runner itself, and that of the
    processes in `side` (name: pid of PostgreSQL and the simulators) meanwhile.
    `list` only synthesizes: its CPU is the synth's part of the others."""
    report, cpu_log = work / f"report-{command}.json", work / f"cpu-{command}.tsv"
    env = dict(env, SPS_BENCH_CPU_LOG=str(cpu_log))
    side_before = {name: tree_cpu_s(pid) for name, pid in side.items()}
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
    side_cpu = {name: tree_cpu_s(pid) - side_before[name] for name, pid in side.items()}
    result: dict[str, Any] = {
        "command": command,
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 1),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "runner_own_cpu_s": round(peak.root_cpu_s, 2),
        "terraform_cpu_by_command": commands_cpu(cpu_log),
        "postgres_cpu_s": round(side_cpu.pop("postgres"), 2),
        "simulators_cpu_s": round(sum(side_cpu.values()), 2),
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


def run(
    mode: str, appliances: int, objects: int, parallel: int, cluster: postgres.Cluster, burners: int = 0
) -> dict[str, Any]:
    """Fresh simulators and state schemas; `sps-fleet apply`, then a second `plan` (no changes),
    beside `burners` busy loops."""
    work = WORK / mode
    shutil.rmtree(work, ignore_errors=True)
    names = [f"a{i:02d}" for i in range(appliances)]
    with ThreadPoolExecutor(8) as pool:
        sims: dict[str, RunningSimulator] = dict(
            zip(names, pool.map(lambda n: start_simulator(work / n), names), strict=True)
        )
    try:
        env = dict(os.environ, **cluster.env(), SPS_USERNAME="admin", SPS_PASSWORD="admin")
        shim = work / "shim"
        shim.mkdir()
        (shim / "terraform").symlink_to(SHIM)
        (shim / "python").symlink_to(SHIM)
        real = shutil.which("terraform", path=env.get("PATH"))
        assert real, "terraform is not on PATH"
        env.update(
            PATH=f"{shim}{os.pathsep}{env.get('PATH', '')}",
            SPS_BENCH_TERRAFORM=real,
            SPS_BENCH_PYTHON=provider_python(),
            TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"),
            SPS_PROVIDER_PYTHON=str(shim / "python"),
            SPS_FLEET_SCHEMA_PREFIX=f"bench_{mode}_{int(time.time())}_",
            SPS_BENCH_APPLIANCES=str(appliances),
            SPS_BENCH_OBJECTS=str(objects),
        )
        for name, sim in sims.items():
            env[f"SPS_{name.upper()}_URL"], env[f"SPS_{name.upper()}_CA_BUNDLE"] = sim.url, sim.ca or ""
        side = {"postgres": postgres_pid(cluster)} | {name: sim.process.pid for name, sim in sims.items()}
        with Burners(burners):
            steps = [step(command, work, env, parallel, side) for command in ("list", "apply", "plan")]
        side_mb = (sum(rss_kb(s.process.pid) for s in sims.values()) + postgres_rss_kb(cluster)) / 1024
        return {
            "mode": mode,
            "appliances": appliances,
            "parallel": parallel,
            "burners": burners,
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "steps": steps,
            "simulators_and_postgres_rss_mb": round(side_mb),
        }
    finally:
        for sim in sims.values():
            sim.stop()


def floors(solos: list[dict[str, Any]], fleet: dict[str, Any], cores: int) -> dict[str, Any]:
    """What the fleet's steps would cost if nothing grew with the number of appliances, the synth
    (`list`, one per run) taken out of both: A times one appliance's CPU run alone (the median of
    the lone runs), and for the wall the larger of that CPU spread over the machine's cores and one
    appliance's own wall time per round of `parallel`. Beside it the work alone: A times the lone
    appliance's `terraform plan`/`apply` (with its providers), against the fleet's."""
    out: dict[str, Any] = {}
    a, p = fleet["appliances"], fleet["parallel"]
    many_synth = fleet["steps"][0]
    for index, many in enumerate(fleet["steps"][1:], start=1):
        command = many["command"]
        ones = [solo["steps"][index] for solo in solos]
        cpu_floor = a * statistics.median(solo["steps"][index]["cpu_s"] - solo["steps"][0]["cpu_s"] for solo in solos)
        wall_floor = max(cpu_floor / cores, -(-a // p) * statistics.median(one["deploy_s"] for one in ones))
        work_floor = a * statistics.median(main_cpu(one) for one in ones)
        cpu, wall, work = many["cpu_s"] - many_synth["cpu_s"], many["deploy_s"], main_cpu(many)
        out[command] = {
            "cpu_without_synth_s": round(cpu, 1),
            "cpu_floor_s": round(cpu_floor, 1),
            "cpu_vs_floor": round(cpu / cpu_floor, 3),
            "deploy_floor_s": round(wall_floor, 1),
            "deploy_vs_floor": round(wall / wall_floor, 2),
            "work_s": round(work, 1),
            "work_floor_s": round(work_floor, 1),
            "work_vs_floor": round(work / work_floor, 3),
            "cpu_vs_work_floor": round(cpu / work_floor, 3),
        }
    return out


def main_cpu(step: dict[str, Any]) -> float:
    """The CPU of the step's own terraform command (plan or apply, its providers included)."""
    entry: dict[str, float] = step["terraform_cpu_by_command"].get(step["command"], {"cpu_s": 0.0})
    return entry["cpu_s"]


def postgres_pid(cluster: postgres.Cluster) -> int:
    return int((cluster.directory / "data" / "postmaster.pid").read_text().split()[0])


def postgres_rss_kb(cluster: postgres.Cluster) -> int:
    return sum(rss_kb(p) for p in tree(postgres_pid(cluster)))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--appliances", type=int, default=32)
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--parallel", default="2,4,8", help="comma-separated: one fleet run per value")
    parser.add_argument("--quick", action="store_true", help="8 appliances x 100 objects, --parallel 2,4")
    parser.add_argument("--solo-runs", type=int, default=3, help="lone runs of one appliance (the floor: their median)")
    parser.add_argument("--burners", type=int, default=0, help="also the lone appliance beside N busy loops")
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
        solos = []
        for _ in range(args.solo_runs):
            solos.append(run("solo", 1, objects, 1, cluster))
            results["runs"].append(solos[-1])
            print(json.dumps(solos[-1]), flush=True)
        if args.burners:
            burnt = run("solo_burners", 1, objects, 1, cluster, args.burners)
            results["runs"].append(burnt)
            print(json.dumps(burnt), flush=True)
        for parallel in parallels:
            result = run(f"parallel{parallel}", appliances, objects, parallel, cluster)
            result["floors"] = floors(solos, result, cores)
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
