"""What users can change about Terraform's own cost of a large state (docs/scaling.md): apply and
no-op plan of N flat `terraform_data` resources (Terraform alone, no provider) with the local
backend and with the pg backend on the project's PostgreSQL (`sps-pg`), with
TF_STATE_PERSIST_INTERVAL, with -parallelism, and one state of 2N split into two states of N
applied side by side. Per command: Terraform's CPU (wait4 rusage, exact), PostgreSQL's CPU (its
server processes, reaped ones included), wall time, load average before and after.

    python bench/tf_state.py --n 1000 2000 [--cases local pg ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpu import Cpu, run
from measure import write_json
from workload import Workload, terraform_data_json

from sps_harness import Terraform, postgres

APPLY = ("apply", "-auto-approve", "-input=false", "-no-color")
PLAN = ("plan", "-input=false", "-no-color", "-detailed-exitcode")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Case:
    backend: str
    env: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()
    states: int = 1  # the N resources split into this many states, applied side by side

    @property
    def name(self) -> str:
        extra = [f"{k}={v}" for k, v in self.env] + list(self.flags)
        split = [f"{self.states} states side by side"] if self.states > 1 else []
        return " ".join([self.backend, *extra, *split])


CASES = {
    "local": Case("local"),
    "local-persist-3600": Case("local", env=(("TF_STATE_PERSIST_INTERVAL", "3600"),)),
    "local-p1": Case("local", flags=("-parallelism=1",)),
    "local-p50": Case("local", flags=("-parallelism=50",)),
    "local-split2": Case("local", states=2),
    "pg": Case("pg"),
    "pg-persist-3600": Case("pg", env=(("TF_STATE_PERSIST_INTERVAL", "3600"),)),
    "pg-split2": Case("pg", states=2),
}


def postgres_cpu_s(cluster: postgres.Cluster) -> float:
    """CPU of the postmaster, its live children and every child it has reaped (cutime/cstime)."""
    pid = int((cluster.directory / "data" / "postmaster.pid").read_text().split()[0])
    total = sum(int(x) for x in _stat(pid)[11:15])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                total += int(fields[11]) + int(fields[12])
    return total / TICKS


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: state, ppid, ... (utime is index 11)."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def _run_into(results: list[Cpu | None], i: int, tf: Terraform, args: tuple[str, ...]) -> None:
    results[i] = run(tf, tf.workdir / "cpu.log", *args)


def measure(case: Case, n: int, work: Path, cluster: postgres.Cluster | None) -> list[dict[str, Any]]:
    per_state = n // case.states
    tfs = []
    for i in range(case.states):
        d = work / f"state{i}"
        d.mkdir(parents=True)
        config = terraform_data_json(Workload(per_state, "flat", 1))
        if cluster is not None:
            config["terraform"] = {"backend": {"pg": {"schema_name": f"tf_state_{i}"}}}
        (d / "main.tf.json").write_text(json.dumps(config))
        env = {**dict(case.env), **(cluster.env() if cluster else {})}
        tf = Terraform(d, env=env)
        tf.init()
        if cluster is not None:
            # A named workspace has its row at once, so no apply holds the database-wide
            # creation lock (docs/teams-and-fleets.md, pitfalls); -lock-timeout rides out collisions.
            tf.run("workspace", "new", "-no-color", "bench")
        tfs.append(tf)
    flags = (*case.flags, "-lock-timeout=60s") if cluster is not None else case.flags
    rows = []
    for command, args in (("apply", APPLY), ("plan", PLAN)):
        pg_before = postgres_cpu_s(cluster) if cluster else 0.0
        load_before = os.getloadavg()[0]
        results: list[Cpu | None] = [None] * len(tfs)
        threads = [
            threading.Thread(target=_run_into, args=(results, i, tf, (*args, *flags))) for i, tf in enumerate(tfs)
        ]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        done = [r for r in results if r is not None]
        if len(done) < len(results):
            raise RuntimeError(f"{case.name} N={n} {command} failed (see above)")
        time.sleep(0.5)  # let PostgreSQL reap the sessions Terraform just closed
        rows.append({
            "case": case.name, "n": n, "states": case.states, "command": command,
            "terraform_cpu_s": round(sum(r.terraform_s for r in done), 2),
            "postgres_cpu_s": round(postgres_cpu_s(cluster) - pg_before, 2) if cluster else None,
            "wall_s": round(wall, 2), "load1_before": round(load_before, 1),
            "load1_after": round(os.getloadavg()[0], 1),
            "state_mb": round(sum((tf.workdir / "terraform.tfstate").stat().st_size for tf in tfs) / 1e6, 2)
            if cluster is None else None,
        })  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=["local", "pg"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sps-tf-state-"))
    rows: list[dict[str, Any]] = []
    cluster = postgres.start(work / "pg") if any(CASES[c].backend == "pg" for c in args.cases) else None
    try:
        for n in args.n:
            for name in args.cases:
                case = CASES[name]
                where = work / f"{name}-{n}"
                for row in measure(case, n, where, cluster if case.backend == "pg" else None):
                    print(json.dumps(row), flush=True)
                    rows.append(row)
                shutil.rmtree(where)
                if cluster is not None:
                    for i in range(case.states):
                        cluster.psql(f"DROP SCHEMA IF EXISTS tf_state_{i} CASCADE")
    finally:
        if cluster is not None:
            postgres.remove(work / "pg")
        shutil.rmtree(work, ignore_errors=True)
    write_json(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
