"""CPU of a no-op plan (refresh included): Terraform's own CPU and that of every provider process it
starts (bench/cpu.py), for the current build and optionally another build's installed package,
against the same graph as `terraform_data` resources, alternating within every repetition. Each
row carries the 1-minute load average it was taken at.

    python bench/noop_cpu.py --n 1000 --reps 3 [--baseline /other/.mirror/.../linux_amd64]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from cpu import Cpu, metered_mirror, run
from measure import write_json
from run import CREDENTIALS, Bench
from workload import Workload, terraform_data_json

from sps_harness import Terraform, start_simulator

PLAN = ("plan", "-input=false", "-no-color", "-detailed-exitcode")


def summary(rows: list[dict[str, Any]], build: str, n: int) -> str:
    mine = [r for r in rows if r["build"] == build]
    if not mine:
        return ""
    med = {k: statistics.median(r[k] for r in mine) for k in ("terraform_s", "providers_s", "total_s", "load1")}
    per = med["providers_s"] / n * 1000 if build != "terraform_data" else 0.0
    return (f"{build:15} terraform {med['terraform_s']:.2f} s, providers {med['providers_s']:.2f} s "
            f"({per:.2f} ms per resource), total {med['total_s']:.2f} s, load {med['load1']:.1f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--shape", default="flat", choices=("flat", "deep"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another build's installed package directory")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sps-bench-noop-"))
    sim = start_simulator(work / "sim")
    rows: list[dict[str, Any]] = []
    try:
        bench = Bench([sim], work)
        w = Workload(args.n, args.shape, 1)
        stack, _ = bench.synth(w, work / "stack", True)
        builds = {"current": metered_mirror(work / "current")}
        if args.baseline:
            builds["baseline"] = metered_mirror(work / "baseline", args.baseline)
        tfs: dict[str, Terraform] = {}
        for build, tfrc in builds.items():
            copy = work / build / "stack"
            shutil.copytree(stack, copy)
            tfs[build] = Terraform(copy, env={**CREDENTIALS, "TF_CLI_CONFIG_FILE": str(tfrc)})
            tfs[build].init()
        tfs["current"].apply()
        for build in builds:  # every build plans against the objects the current build created
            if build != "current":
                shutil.copy2(tfs["current"].workdir / "terraform.tfstate", tfs[build].workdir / "terraform.tfstate")
        data = work / "terraform_data"
        data.mkdir()
        (data / "main.tf.json").write_text(json.dumps(terraform_data_json(w)))
        tfs["terraform_data"] = Terraform(data)
        tfs["terraform_data"].init()
        tfs["terraform_data"].apply()
        log = work / "cpu.log"
        names = list(tfs)
        for rep in range(args.reps):
            order = names[rep % len(names) :] + names[: rep % len(names)]
            for build in order:
                cpu: Cpu = run(tfs[build], log, *PLAN)
                row = {"build": build, "rep": rep, "n": args.n, "shape": args.shape,
                       "terraform_s": round(cpu.terraform_s, 3), "providers_s": round(cpu.providers_s, 3),
                       "total_s": round(cpu.total_s, 3), "provider_starts": cpu.provider_starts,
                       "per_provider_s": [round(x, 3) for x in cpu.per_provider_s],
                       "provider_peak_mb": round(cpu.provider_peak_mb, 1), "wall_s": round(cpu.wall_s, 2),
                       "load1": round(cpu.load1, 1)}  # fmt: skip
                rows.append(row)
                print(json.dumps(row), flush=True)
        tfs["current"].destroy()
    finally:
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)
    for build in tfs:
        print(summary(rows, build, args.n))
    write_json(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
