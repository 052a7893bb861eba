"""Where Terraform itself spends its CPU as the number of resources in one state grows: `perf
record -g` of `terraform apply` and of the no-op plan after it, symbolized from the released
binary's own `.gopclntab` (bench/gosym.py; no Go toolchain needed), for a flat graph of
`terraform_data` (Terraform alone) or of our resources (bench/workload.py, on a fresh
simulator), with the local or the pg backend (docs/scaling.md). Only Terraform's threads are
counted, not the provider's. Per run: Terraform's CPU (sampled with the cpu-clock event, so the
periods add up to CPU seconds), its CPU in a few named parts of Terraform (a sample counts in the
first part of BUCKETS with a function on its stack, so the parts add up to the total), and the
top functions, self and cumulative.

    python bench/tf_profile.py --n 1000 2000 [--variants terraform_data ours] [--backend local pg]

Needs `perf` (Debian: linux-perf) and permission to profile (root, or perf_event_paranoid <= 1).
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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gosym import FuncTable
from measure import write_json
from run import CREDENTIALS, Bench
from workload import Workload, terraform_data_json

from sps_harness import Terraform, postgres, start_simulator

APPLY = ("apply", "-auto-approve", "-input=false", "-no-color")
PLAN = ("plan", "-input=false", "-no-color", "-detailed-exitcode")
TF = "github.com/hashicorp/terraform/internal/"
# (part, prefix of a function name whose presence in a sample's stack puts the sample there): the
# first match wins.
BUCKETS = (
    ("state hook: compare with the last write (StatesMarshalEqual)", TF + "states/statefile.StatesMarshalEqual"),
    ("state hook: serialize and write the state file", TF + "states/statemgr.(*Filesystem).writeState"),
    ("state hook: copy the state (remote backends)", TF + "states/remote.(*State).WriteState"),
    ("state hook: persist to the remote backend", TF + "states/remote.(*State).PersistState"),
    ("state hook: rest", TF + "backend/local.(*StateHook).PostStateUpdate"),
    ("final state write", TF + "states/statefile.Write"),
    ("state deep copies elsewhere", TF + "states.(*State).DeepCopy"),
    ("garbage collection (background)", "runtime.gcBgMarkWorker"),
    ("graph building", TF + "terraform.(*BasicGraphBuilder).Build"),
    ("provider calls (gRPC)", TF + "plugin6.(*GRPCProvider)"),
    ("UI hooks (progress output)", TF + "command/views.(*UiHook)"),
    ("graph walk (evaluation, other)", TF + "dag.(*Walker).walkVertex"),
)
OTHER = "other (start-up, config loading, runtime)"


@dataclass
class Profile:
    """Terraform's CPU in one command, in seconds, from perf samples."""

    total_s: float = 0.0
    samples: int = 0
    parts: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    self_s: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    cumulative_s: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, seconds: float, stack: list[str]) -> None:
        self.total_s += seconds
        self.samples += 1
        if stack:
            self.self_s[stack[0]] += seconds
        present = set(stack)
        for name in present:
            self.cumulative_s[name] += seconds
        part = next((p for p, prefix in BUCKETS if any(name.startswith(prefix) for name in present)), OTHER)
        self.parts[part] += seconds

    def summary(self, top: int) -> dict[str, Any]:
        def table(seconds: dict[str, float]) -> list[tuple[str, float]]:
            ranked = sorted(seconds.items(), key=lambda item: -item[1])[:top]
            return [(short(name), round(s, 2)) for name, s in ranked]

        return {
            "terraform_cpu_s": round(self.total_s, 2),
            "samples": self.samples,
            "parts_s": {p: round(self.parts[p], 2) for p in [*(b for b, _ in BUCKETS), OTHER] if self.parts[p]},
            "top_self_s": table(self.self_s),
            "top_cumulative_s": table(self.cumulative_s),
        }


def short(name: str) -> str:
    return name.replace(TF, "").replace("github.com/hashicorp/", "")


def stacks(perf_data: Path, binary: Path, comm: str = "terraform") -> Iterator[tuple[float, list[str]]]:
    """(CPU seconds, frames leaf first) per sample of `comm`'s threads; kernel frames as `[k] name`."""
    funcs = FuncTable.load(binary)
    script = subprocess.run(
        ["perf", "script", "-i", str(perf_data), "-F", "comm,period,ip,sym,dso"],
        capture_output=True,
        text=True,
        check=True,
    )
    for block in script.stdout.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines or lines[0].split()[0] != comm:
            continue
        frames = []
        for line in lines[1:]:
            address, _, rest = line.strip().partition(" ")
            if "[kernel" in rest:
                frames.append("[k] " + rest.split(" (")[0].split("+")[0])
            elif str(binary) in rest:
                frames.append(funcs.name(funcs.vaddr(int(address, 16))))
        yield int(lines[0].split()[-1]) / 1e9, frames


def profiled(tf: Terraform, out: Path, freq: int, *args: str) -> tuple[Profile, float]:
    """Runs `terraform args` under perf record; Terraform's profile and the wall time."""
    binary = Path(shutil.which("terraform") or "terraform").resolve()
    cmd = ["perf", "record", "-q", "-F", str(freq), "-g", "-o", str(out), "--", str(binary), *args]
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=tf.workdir, env=tf.environ(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"terraform {' '.join(args)} exited {result.returncode}:\n{result.stdout[-3000:]}")
    profile = Profile()
    for seconds, stack in stacks(out, binary):
        profile.add(seconds, stack)
    return profile, wall


@contextmanager
def backend(kind: str, work: Path) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """The `backend` block (local, or pg on a cluster of its own) and the environment it needs."""
    if kind == "local":
        yield {"local": {"path": "terraform.tfstate"}}, {}
        return
    cluster = postgres.start(work / "pg")
    try:
        yield {"pg": {"schema_name": "tf_profile"}}, cluster.env()
    finally:
        postgres.remove(work / "pg")


@contextmanager
def configuration(variant: str, n: int, work: Path, block: dict[str, Any], env: dict[str, str]) -> Iterator[Terraform]:
    """N flat resources: terraform_data, or our stack synthesized by cdktf against a fresh simulator."""
    w = Workload(n, "flat", 1)
    if variant == "terraform_data":
        d = work / "data"
        d.mkdir()
        (d / "main.tf.json").write_text(json.dumps({**terraform_data_json(w), "terraform": {"backend": block}}))
        yield Terraform(d, env=env)
        return
    sim = start_simulator(work / "sim")
    try:
        stack, _ = Bench([sim], work).synth(w, work / "stack", True)
        config = json.loads((stack / "cdk.tf.json").read_text())
        config["terraform"]["backend"] = block
        (stack / "cdk.tf.json").write_text(json.dumps(config))
        yield Terraform(stack, env={**CREDENTIALS, **env})
    finally:
        sim.stop()


def run(variant: str, n: int, kind: str, work: Path, freq: int, top: int) -> list[dict[str, Any]]:
    rows = []
    work.mkdir(parents=True)
    with backend(kind, work) as (block, env), configuration(variant, n, work, block, env) as tf:
        tf.init()
        for command, args in (("apply", APPLY), ("plan", PLAN)):
            load_before = os.getloadavg()[0]
            profile, wall = profiled(tf, work / f"{command}.perf", freq, *args)
            rows.append({"n": n, "variant": variant, "backend": kind, "command": command, "wall_s": round(wall, 2),
                         "load1_before": round(load_before, 1), "load1_after": round(os.getloadavg()[0], 1),
                         **profile.summary(top)})  # fmt: skip
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """Parts per run side by side (one column per run), then each run's top functions."""
    heads = [f"{r['variant']} {r['backend']} {r['command']} N={r['n']}" for r in rows]
    parts = [*(b for b, _ in BUCKETS), OTHER]
    out = ["| Terraform CPU, s | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(rows)]
    out.append("| **total** | " + " | ".join(f"**{r['terraform_cpu_s']:.1f}**" for r in rows) + " |")
    for p in parts:
        if any(p in r["parts_s"] for r in rows):
            out.append(f"| {p} | " + " | ".join(f"{r['parts_s'].get(p, 0.0):.1f}" for r in rows) + " |")
    out.append("| wall, s | " + " | ".join(f"{r['wall_s']:.1f}" for r in rows) + " |")
    out.append("| load1 before/after | " + " | ".join(f"{r['load1_before']}/{r['load1_after']}" for r in rows) + " |")
    for head, r in zip(heads, rows, strict=True):
        out += ["", f"**{head}** — top functions (s of Terraform CPU): cumulative / self", ""]
        for (cname, cs), (sname, ss) in zip(r["top_cumulative_s"], r["top_self_s"], strict=False):
            out.append(f"- {cs:7.2f} `{cname}` / {ss:6.2f} `{sname}`")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--variants", nargs="+", choices=("terraform_data", "ours"), default=["terraform_data"])
    parser.add_argument("--backend", nargs="+", choices=("local", "pg"), default=["local"])
    parser.add_argument("--freq", type=int, default=199, help="samples per second of CPU (perf record -F)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", type=Path, help="write the rows here")
    parser.add_argument("--markdown", type=Path, help="write the tables here")
    args = parser.parse_args()
    if shutil.which("perf") is None:
        print("tf_profile: needs perf (Debian: apt-get install linux-perf)", file=sys.stderr)
        return 2
    rows: list[dict[str, Any]] = []
    work = Path(tempfile.mkdtemp(prefix="sps-tf-profile-"))
    try:
        for kind in args.backend:
            for variant in args.variants:
                for n in args.n:
                    for row in run(variant, n, kind, work / f"{kind}-{variant}-{n}", args.freq, args.top):
                        print(json.dumps({k: v for k, v in row.items() if not k.startswith("top_")}), flush=True)
                        rows.append(row)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_json(args.json, rows)
    text = markdown(rows)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
