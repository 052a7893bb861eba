"""Scale: apply and no-op plan (refresh included) of flat N-object stacks on one appliance at
commit 0 s, and the same graph as `terraform_data`, at each N given, with the state in a local file
and/or in PostgreSQL (Terraform's `pg` backend on the project's private cluster, `sps-pg`). For
every command: wall time, Terraform's own CPU, the CPU of every provider process it started, their
largest peak RSS (bench/cpu.py, exact kernel counters) and the load average; plus the size of the
state. `terraform_data` shows what Terraform itself costs at that N (its per-resource state
handling), apart from anything SPS-specific. Objects are left on a fresh simulator that is thrown
away (no destroy). With a local file Terraform rewrites the whole state after every resource
(docs/scaling.md), so an apply grows with N²: `--n 10000 --backends pg` is the large cell.

    python bench/scale.py --n 1000 3000 [--backends local pg] [--json out.json]
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
from measure import write_json
from run import CREDENTIALS, Bench
from workload import Workload, terraform_data_json

from sps_harness import Terraform, postgres, start_simulator

APPLY = ("apply", "-auto-approve", "-input=false", "-no-color")
PLAN = ("plan", "-input=false", "-no-color", "-detailed-exitcode")


VARIANTS = ("ours", "terraform_data")
BACKENDS = ("local", "pg")


def use_pg(config: Path, schema: str) -> None:
    """Point a stack's Terraform JSON at the pg backend (connection from PG_CONN_STR)."""
    doc = json.loads(config.read_text())
    doc.setdefault("terraform", {})["backend"] = {"pg": {"schema_name": schema}}
    config.write_text(json.dumps(doc))


def state_mb(tf: Terraform, backend: str) -> float:
    if backend == "local":
        return (tf.workdir / "terraform.tfstate").stat().st_size / 1e6
    return len(tf.run("state", "pull").stdout.encode()) / 1e6


def measure(n: int, work: Path, log: Any, variants: tuple[str, ...] = VARIANTS, backend: str = "local",
            cluster: postgres.Cluster | None = None) -> list[dict[str, Any]]:  # fmt: skip
    sim = start_simulator(work / f"sim-{backend}{n}")
    rows: list[dict[str, Any]] = []
    try:
        w = Workload(n, "flat", 1)
        stack, synth_s = Bench([sim], work).synth(w, work / f"stack-{backend}{n}", True)
        tfrc = metered_mirror(work / "mirror")
        pg = cluster.env() if cluster is not None else {}
        ours = Terraform(stack, env={**CREDENTIALS, **pg, "TF_CLI_CONFIG_FILE": str(tfrc)})
        data_dir = work / f"data-{backend}{n}"
        data_dir.mkdir()
        (data_dir / "main.tf.json").write_text(json.dumps(terraform_data_json(w)))
        data = Terraform(data_dir, env=pg)
        cpu_log = work / "cpu.log"
        extra = ("-lock-timeout=60s",) if cluster is not None else ()
        for variant, tf in (("ours", ours), ("terraform_data", data)):
            if variant not in variants:
                continue
            if cluster is not None:
                config = tf.workdir / ("cdk.tf.json" if variant == "ours" else "main.tf.json")
                use_pg(config, f"scale_{variant}_{n}")
            tf.init()
            if cluster is not None:
                tf.run("workspace", "new", "-no-color", "bench")  # its row at once: no creation lock later
            for command, args in (("apply", APPLY), ("plan", PLAN)):
                cpu = run(tf, cpu_log, *args, *extra)
                row = {"n": n, "backend": backend, "variant": variant, "command": command,
                       "wall_s": round(cpu.wall_s, 2), "terraform_cpu_s": round(cpu.terraform_s, 2),
                       "provider_cpu_s": round(cpu.providers_s, 2), "provider_starts": cpu.provider_starts,
                       "provider_peak_mb": round(cpu.provider_peak_mb, 1), "state_mb": round(state_mb(tf, backend), 2),
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
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=["local"], help="where the state lives")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sps-bench-scale-"))
    rows: list[dict[str, Any]] = []
    cluster = postgres.start(work / "pg") if "pg" in args.backends else None
    try:
        for backend in args.backends:
            for n in args.n:
                rows += measure(n, work, lambda row: print(json.dumps(row), flush=True), tuple(args.variants),
                                backend, cluster if backend == "pg" else None)  # fmt: skip
    finally:
        if cluster is not None:
            postgres.remove(work / "pg")
        shutil.rmtree(work, ignore_errors=True)
    write_json(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
