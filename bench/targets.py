"""`make bench-targets`: the scale and cost targets (issue 18) measured in one run, one step after
another, each by its own bench script in a child process (one step's imports, threads and
simulators do not colour the next), with the load average around every step; the results go to
docs/performance-targets.json and are rendered into docs/performance.md (report.py) beside the
tables of the last `bench/run.py` run.

Steps: simulator (transaction cost at 1,000 and 10,000 objects), crash (the two tests that kill the
simulator during a commit), startup (exec -> handshake of the shipped package), noop (CPU of a
no-op plan of 1,000 against terraform_data), group_commit (deep N=300 at 1 s commits with a busy
loop), schema (Terraform's CPU per resource for schema alternatives), scale_local (apply and no-op
plan of 1,000 with the state in a local file), scale and scale_large (1,000, 3,000 and 10,000
with the state in PostgreSQL: with a local file Terraform's apply grows with N², so 10,000 would
take hours of Terraform's CPU, docs/scaling.md). `--only`
re-measures some steps and keeps the others' results, each with its own time
and commit, so a partial re-run never passes for a complete one; `--merge other.json` takes the
steps of another run's results (e.g. `--only scale_large --out elsewhere` run beside this one),
each with its own time, commit and load.

    python bench/targets.py [--scale 1000 3000] [--only noop startup] [--merge large/performance-targets.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from report import write_report
from run import machine

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RESULTS = DOCS / "performance-targets.json"
CRASH_TESTS = [
    "tests/contract/test_simulator_contract.py::test_a_crash_during_commit_leaves_old_or_new_never_a_mix",
    "tests/e2e/test_faults.py::test_simulator_killed_mid_commit_keeps_old_config_and_recovers",
]


def steps(scale: list[int]) -> dict[str, list[str]]:
    """The command of every step (a bench script and its arguments; `--json <file>` is appended)."""
    return {
        "simulator": ["simulator_tx.py", "--n", "1000", "10000"],
        "crash": [],
        "startup": ["package.py", "--runs", "30"],
        "noop": ["noop_cpu.py", "--n", "1000", "--reps", "3"],
        "group_commit": ["group_commit.py", "--hogs", "1", "--reps", "2"],
        "schema": ["schema_cost.py", "--n", "1000", "--reps", "3"],
        "scale_local": ["scale.py", "--n", "1000", "--backends", "local"],
        "scale": ["scale.py", "--n", *map(str, scale), "--backends", "pg"],
        "scale_large": ["scale.py", "--n", "10000", "--backends", "pg"],
    }


def commit_id() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def run_step(name: str, command: list[str], work: Path) -> dict[str, Any]:
    out = work / f"{name}.json"
    if name == "crash":
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *CRASH_TESTS]
    else:
        argv = [sys.executable, str(ROOT / "bench" / command[0]), *command[1:], "--json", str(out)]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    done = subprocess.run(argv, cwd=ROOT, capture_output=name == "crash", text=True)
    result: dict[str, Any] = {
        "command": " ".join(["pytest", *CRASH_TESTS] if name == "crash" else ["bench/" + command[0], *command[1:]]),
        "started": when,
        "commit": commit_id(),
        "seconds": round(time.monotonic() - started, 1),
        "load_before": round(load_before, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "exit": done.returncode,
    }
    if name == "crash":
        result["rows"] = [{"tests": CRASH_TESTS, "passed": done.returncode == 0, "summary": done.stdout.strip()[-300:]}]
    elif done.returncode != 0:
        raise SystemExit(f"step {name} failed (exit {done.returncode}): {' '.join(argv)}")
    else:
        result["rows"] = json.loads(out.read_text())
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=int, nargs="+", default=[1000, 3000], help="N of the scale step")
    p.add_argument("--only", nargs="*", choices=tuple(steps([])), help="re-measure only these steps (none: re-render)")
    p.add_argument("--merge", nargs="+", type=Path, default=[], help="results of other runs to take steps from")
    p.add_argument("--out", type=Path, default=DOCS, help="directory of performance.md and the results")
    args = p.parse_args()
    results_file = args.out / RESULTS.name
    partial = args.only is not None
    previous = json.loads(results_file.read_text()) if partial and results_file.exists() else {"steps": {}}
    data: dict[str, Any] = {"machine": machine(), "steps": dict(previous["steps"])}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sps-bench-targets-") as tmp:
        for name, command in steps(args.scale).items():
            if partial and name not in args.only:
                continue
            print(f"[{time.monotonic() - started:7.1f} s] {name}: {' '.join(command) or 'pytest'}", flush=True)
            data["steps"][name] = run_step(name, command, Path(tmp))
            results_file.write_text(json.dumps(data, indent=1) + "\n")  # a late crash loses nothing
    merged = set()
    for other in args.merge:
        steps_there = json.loads(other.read_text())["steps"]
        data["steps"].update(steps_there)
        merged |= set(steps_there)
    if not partial and not merged:
        data["duration_s"] = round(time.monotonic() - started, 1)
    else:
        data["duration_s"] = previous.get("duration_s")
        data["partial"] = sorted(set(previous.get("partial", [])) | set(args.only or ()) | merged)
    results_file.write_text(json.dumps(data, indent=1) + "\n")
    performance = json.loads((args.out / "performance.json").read_text())
    write_report(performance, args.out)
    print(f"wrote {results_file} and {args.out / 'performance.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
