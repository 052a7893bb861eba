"""Scale: apply and no-op plan (refresh included) of flat N-object stacks on one appliance at
commit 0 s, and the same graph as `terraform_data`, at each N given. For every command: wall time,
Terraform's own CPU, the CPU of every provider process it started, their largest peak RSS
(bench/cpu.py, exact kernel counters) and the load average; plus the size of the state file.
`terraform_data` shows what Terraform itself costs at that N (its per-resource state handling),
apart from anything SPS-specific. Objects are left on a fresh simulator that is thrown away (no
destroy).

    python bench/scale.py --n 1000 3000 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from cpu import metered_mirror, run
from run import CREDENTIALS, Bench
from workload import Workload, terraform_data_json

from sps_harness import Terraform, start_simulator

APPLY = ("apply", "-auto-approve", "-input=false", "-no-color")
PLAN = ("plan", "-input=false", "-no-color", "-detailed-exitcode")


VARIANTS = ("ours", "terraform_data")


def measure(n: int, work: Path, log: Any, variants: tuple[str, ...] = VARIANTS) -> list[dict[str, Any]]:
    sim = start_simulator(work / f"sim{n}")
    rows: list[dict[str, Any]] = []
    try:
        w = Workload(n, "flat", 1)
        stack, synth_s = Bench([sim], work).synth(w, work / f"stack{n}", True)
        tfrc = metered_mirror(work / "mirror")
        ours = Terraform(stack, env={**CREDENTIALS, "TF_CLI_CONFIG_FILE": str(tfrc)})
        data_dir = work / f"data{n}"
        data_dir.mkdir()
        (data_dir / "main.tf.json").write_text(json.dumps(terraform_data_json(w)))
        data = Terraform(data_dir)
        cpu_log = work / "cpu.log"
        for variant, tf in (("ours", ours), ("terraform_data", data)):
            if variant not in variants:
                continue
            tf.init()
            for command, args in (("apply", APPLY), ("plan", PLAN)):
                cpu = run(tf, cpu_log, *args)
                row = {"n": n, "variant": variant, "command": command, "wall_s": round(cpu.wall_s, 2),
                       "terraform_cpu_s": round(cpu.terraform_s, 2), "provider_cpu_s": round(cpu.providers_s, 2),
                       "provider_starts": cpu.provider_starts, "provider_peak_mb": round(cpu.provider_peak_mb, 1),
                       "state_mb": round((tf.workdir / "terraform.tfstate").stat().st_size / 1e6, 2),
                       "load1": round(cpu.load1, 1)}  # fmt: skip
                if variant == "ours" and command == "apply":
                    row["synth_s"] = round(synth_s, 2)
                rows.append(row)
                log(row)
    finally:
        sim.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=list(VARIANTS),
        help="measure only these (e.g. run the two variants of a large N side by side)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sps-bench-scale-"))
    rows: list[dict[str, Any]] = []
    try:
        for n in args.n:
            rows += measure(n, work, lambda row: print(json.dumps(row), flush=True), tuple(args.variants))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
