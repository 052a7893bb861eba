"""Group commit on a busy machine: commits per apply of deep N=300 at 1 s commits (`--commit`),
for the current build of the provider and optionally another one side by side (e.g. before and
after a coordinator change), alternating within every repetition, at default parallelism and at
-parallelism=300, on one and on four appliances.

The machine is made busier for the whole run by `--hogs` busy-loop processes (one core each),
on top of whatever else runs; the load average is reported. Destroys run with instant commits
and are not timed. Every apply runs with the provider's debug log (TF_LOG_PROVIDER=debug), from
which each row gets the changes per transaction, per appliance in the order committed
(`sizes`); `--logs DIR` keeps the logs.

    python bench/group_commit.py --baseline /path/to/old/terraform-provider-sps --reps 1
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import counted, write_json
from run import CREDENTIALS, Bench
from workload import Workload

from sps_harness import Terraform, start_simulator
from sps_provider.install import install

N = 300
PARALLELISM = {"default": (), "p300": ("-parallelism=300",)}
# The coordinator's debug line (builds before the appliance was named in it: one list for all)
TRANSACTION = re.compile(r"transaction for (?P<size>\d+) change\(s\)(?: on (?P<appliance>\S+))?:")


def mirror_of(binary: Path, where: Path) -> Path:
    """A filesystem mirror (and its tfrc) holding `binary` as the provider, with the package
    directory it sits in (the launcher runs the `lib/` next to it)."""
    tfrc = where / "sps.tfrc"
    installed = install(where, tfrc)
    shutil.rmtree(installed.parent)
    shutil.copytree(binary.parent, installed.parent, symlinks=True)
    return tfrc


def transaction_sizes(log: Path) -> list[list[int]]:
    """Changes per transaction, one list per appliance in the order committed, from the
    coordinator's debug lines in a Terraform log."""
    sizes: dict[str, list[int]] = {}
    for line in log.read_text(errors="replace").splitlines():
        found = TRANSACTION.search(line)
        if found:
            sizes.setdefault(found["appliance"] or "", []).append(int(found["size"]))
    return list(sizes.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="the other build's provider executable (left out: current only)")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--hogs", type=int, default=1)
    parser.add_argument("--appliances", type=int, nargs="+", choices=(1, 4), default=[1, 4])
    parser.add_argument("--parallelism", nargs="+", choices=list(PARALLELISM), default=list(PARALLELISM))
    parser.add_argument("--commit", type=float, default=1.0, help="seconds per commit (0: what gathering costs)")
    parser.add_argument("--logs", type=Path, help="keep each apply's provider debug log here")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sps-bench-gc-"))
    logs = args.logs or work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    builds = {"current": work / "current" / "sps.tfrc"}
    if args.baseline:
        builds["baseline"] = mirror_of(args.baseline, work / "baseline")
    install(builds["current"].parent, builds["current"])
    sims = [start_simulator(work / f"sim{i}") for i in range(4)]
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    results = []
    try:
        bench = Bench(sims, work)
        for appliances in args.appliances:
            w = Workload(N, "deep", appliances)
            stack_dir, _ = bench.synth(w, work / f"stack{appliances}", True)
            tfs = {}
            for build, tfrc in builds.items():
                copy = work / f"{build}{appliances}"
                shutil.copytree(stack_dir, copy)
                tfs[build] = Terraform(copy, env={**CREDENTIALS, "TF_CLI_CONFIG_FILE": str(tfrc)})
                tfs[build].init()
            for rep in range(args.reps):
                for par in args.parallelism:
                    extra = PARALLELISM[par]
                    order = list(builds) if rep % 2 == 0 else list(reversed(builds))
                    for build in order:
                        bench.set_commit(args.commit)
                        log = logs / f"{appliances}-{par}-{build}-{rep}.log"
                        tfs[build].env.update(TF_LOG_PROVIDER="debug", TF_LOG_PATH=str(log))
                        with counted(sims[:appliances]) as c:
                            start = time.perf_counter()
                            tfs[build].apply(*extra)
                            seconds = time.perf_counter() - start
                        del tfs[build].env["TF_LOG_PROVIDER"], tfs[build].env["TF_LOG_PATH"]
                        load = os.getloadavg()[0]
                        bench.set_commit(0.0)
                        tfs[build].destroy(*extra)
                        row = {"appliances": appliances, "parallelism": par, "build": build, "rep": rep,
                               "commit_s": args.commit, "commits": c.commits, "apply_s": round(seconds, 2),
                               "load1": load, "sizes": transaction_sizes(log)}  # fmt: skip
                        results.append(row)
                        print(json.dumps(row), flush=True)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
        for s in sims:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
