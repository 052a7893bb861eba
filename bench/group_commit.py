"""Group commit on a busy machine: commits per apply of deep N=300 at 1 s commits, for two builds
of the provider side by side (e.g. before and after a coordinator change), alternating within
every repetition, at default parallelism and at -parallelism=300, on one and on four appliances.

The machine is made busier for the whole run by `--hogs` busy-loop processes (one core each),
on top of whatever else runs; the load average is reported. Destroys run with instant commits
and are not timed.

    python bench/group_commit.py --baseline /path/to/old/terraform-provider-sps --reps 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import counted
from run import CREDENTIALS, Bench
from workload import Workload

from sps_harness import Terraform, start_simulator
from sps_provider.install import install

N = 300
PARALLELISM = {"default": (), "p300": ("-parallelism=300",)}


def mirror_of(binary: Path, where: Path) -> Path:
    """A filesystem mirror (and its tfrc) holding `binary` as the provider, with the package
    directory it sits in (the launcher runs the `lib/` next to it)."""
    tfrc = where / "sps.tfrc"
    installed = install(where, tfrc)
    shutil.rmtree(installed.parent)
    shutil.copytree(binary.parent, installed.parent, symlinks=True)
    return tfrc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other build's provider executable")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--hogs", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sps-bench-gc-"))
    builds = {"current": work / "current" / "sps.tfrc", "baseline": mirror_of(args.baseline, work / "baseline")}
    install(builds["current"].parent, builds["current"])
    sims = [start_simulator(work / f"sim{i}") for i in range(4)]
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    results = []
    try:
        bench = Bench(sims, work)
        for appliances in (1, 4):
            w = Workload(N, "deep", appliances)
            stack_dir, _ = bench.synth(w, work / f"stack{appliances}", True)
            tfs = {}
            for build, tfrc in builds.items():
                copy = work / f"{build}{appliances}"
                shutil.copytree(stack_dir, copy)
                tfs[build] = Terraform(copy, env={**CREDENTIALS, "TF_CLI_CONFIG_FILE": str(tfrc)})
                tfs[build].init()
            for rep in range(args.reps):
                for par, extra in PARALLELISM.items():
                    order = list(builds) if rep % 2 == 0 else list(reversed(builds))
                    for build in order:
                        bench.set_commit(1.0)
                        with counted(sims[:appliances]) as c:
                            start = time.perf_counter()
                            tfs[build].apply(*extra)
                            seconds = time.perf_counter() - start
                        load = os.getloadavg()[0]
                        bench.set_commit(0.0)
                        tfs[build].destroy(*extra)
                        row = {"appliances": appliances, "parallelism": par, "build": build, "rep": rep,
                               "commits": c.commits, "apply_s": round(seconds, 2), "load1": load}  # fmt: skip
                        results.append(row)
                        print(json.dumps(row), flush=True)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
        for s in sims:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
