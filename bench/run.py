"""`make bench`: apply, no-op plan and destroy of generated workloads against simulators, side by
side with the baselines, written to docs/performance.md (+ PNG plots and the raw samples).

Variants, measured in the same run and alternated within every repetition (the order rotates
from one repetition to the next), so a noisy machine slows all of them alike:
  ours      our provider from a cdktf stack (default parallelism 10, group commit on)
  ours_p100 the same at -parallelism=100 (deep N=100 only: the "commits = depth" target)
  a         our provider with group_commit = false (one transaction per change)
  b         the same graph as terraform_data resources (Terraform's own floor; no SPS)
  c         a plain requests script: POST and commit per object (bench/script_baseline.py)
`--quick` runs a small subset (under 3 minutes) into bench/out/ instead of docs/.
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
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from handshake import time_handshake
from measure import PeakRss, counted
from report import write_report
from script_baseline import Script
from workload import Workload, terraform_data_json

from sps_harness import RunningSimulator, Terraform, start_simulator
from sps_provider.install import install
from sps_provider.plugin_cert import server_certificate

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("ours", "ours_p100", "a", "b", "c")
CREDENTIALS = {"SPS_USERNAME": "admin", "SPS_PASSWORD": "admin"}
MAX_SERIAL_SECONDS = 120.0  # skip one-commit-per-object baselines whose apply would take longer


@dataclass(frozen=True)
class Cell:
    workload: Workload
    commit: float
    reps: int

    @property
    def label(self) -> str:
        return f"{self.workload.label} commit={self.commit:g}s"


@dataclass
class Sample:
    cell: str
    n: int
    shape: str
    appliances: int
    commit: float
    variant: str
    rep: int
    apply: float | None = None
    plan: float | None = None
    destroy: float | None = None
    synth: float | None = None
    apply_commits: int | None = None
    apply_requests: int | None = None
    plan_requests: int | None = None
    destroy_commits: int | None = None
    rss_mb: float | None = None
    notes: list[str] = field(default_factory=list)


def cells(quick: bool) -> list[Cell]:
    if quick:
        return [Cell(Workload(10, "deep", 1), 0.0, 1), Cell(Workload(100, "deep", 1), 0.0, 1),
                Cell(Workload(10, "deep", 1), 1.0, 1), Cell(Workload(100, "flat", 4), 0.0, 1)]  # fmt: skip
    out = []
    for commit in (0.0, 1.0):
        for n in (10, 100, 1000):
            for shape in ("flat", "deep"):
                for appliances in (1, 4):
                    reps = {0.0: {10: 3, 100: 3, 1000: 1}, 1.0: {10: 2, 100: 1, 1000: 1}}[commit][n]
                    if (n, shape, appliances, commit) == (100, "deep", 1, 1.0):
                        reps = 2  # the cell the group-commit targets are judged on
                    out.append(Cell(Workload(n, shape, appliances), commit, reps))
    return out


def variants_for(cell: Cell) -> list[str]:
    w = cell.workload
    out = ["ours"]
    if w.shape == "deep" and w.n == 100:
        out.append("ours_p100")
    serial = w.n / w.appliances * cell.commit
    if serial <= MAX_SERIAL_SECONDS:
        out += ["a", "c"]
    if cell.commit == 0:
        out.append("b")  # no SPS involved: measured once per workload, in the commit=0 cell
    return out


class Bench:
    def __init__(self, sims: list[RunningSimulator], work: Path) -> None:
        self.sims = sims
        self.work = work
        self.appliances = [{"url": s.url, "ca": s.ca} for s in sims]

    def set_commit(self, seconds: float) -> None:
        for s in self.sims:
            s.set_faults(commit_duration=seconds)

    def synth(self, w: Workload, outdir: Path, group_commit: bool) -> tuple[Path, float]:
        env = dict(os.environ, **w.env(), BENCH_APPLIANCES=json.dumps(self.appliances),
                   BENCH_GROUP_COMMIT=str(group_commit).lower())  # fmt: skip
        outdir.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "bench" / "workload.py"), str(outdir)], env=env, check=True)
        return outdir / "stacks" / "bench", time.perf_counter() - start

    @contextmanager
    def destroy_phase(self, s: Sample, timed: bool) -> Iterator[None]:
        """Untimed clean-up runs with instant commits (then the commit duration is put back)."""
        if timed:
            yield
            return
        commit = s.commit
        self.set_commit(0.0)
        try:
            yield
        finally:
            self.set_commit(commit)

    def terraform_cycle(self, s: Sample, tf: Terraform, sims: list[RunningSimulator], *extra: str,
                        timed_destroy: bool = True) -> None:  # fmt: skip
        with PeakRss() as rss:
            with counted(sims) as c:
                start = time.perf_counter()
                tf.apply(*extra)
                s.apply = time.perf_counter() - start
            s.apply_commits, s.apply_requests = c.commits, c.requests
            with counted(sims) as c:
                start = time.perf_counter()
                if tf.plan_changes(*extra):
                    s.notes.append("plan after apply was not empty")
                s.plan = time.perf_counter() - start
            s.plan_requests = c.requests
            with self.destroy_phase(s, timed_destroy), counted(sims) as c:
                start = time.perf_counter()
                tf.destroy(*extra)
                destroyed = time.perf_counter() - start
            if timed_destroy:
                s.destroy, s.destroy_commits = destroyed, c.commits
        s.rss_mb = rss.peak_mb if sims else None

    def run_cell(self, cell: Cell, log: Callable[[str], None]) -> list[Sample]:
        w = cell.workload
        sims = self.sims[: w.appliances]
        self.set_commit(cell.commit)
        base = self.work / f"{w.shape}-{w.n}-{w.appliances}-{cell.commit:g}"
        ours_dir, _ = self.synth(w, base / "ours", True)
        a_dir, _ = self.synth(w, base / "a", False)
        b_dir = base / "b"
        b_dir.mkdir(parents=True)
        (b_dir / "main.tf.json").write_text(json.dumps(terraform_data_json(w)))
        tfs = {d: Terraform(d, env=CREDENTIALS) for d in (ours_dir, a_dir, b_dir)}
        for tf in tfs.values():
            tf.init()
        stack = json.loads((ours_dir / "cdk.tf.json").read_text())
        creds = {"username": "admin", "password": "admin"}
        by_alias = {f"a{i}": {**a, **creds} for i, a in enumerate(self.appliances[: w.appliances])}
        variants = variants_for(cell)
        samples = []
        for rep in range(cell.reps):
            order = variants[rep % len(variants) :] + variants[: rep % len(variants)]
            for v in order:
                s = Sample(cell.label, w.n, w.shape, w.appliances, cell.commit, v, rep)
                if v == "ours":
                    _, s.synth = self.synth(w, base / "ours", True)
                    self.terraform_cycle(s, tfs[ours_dir], sims)
                elif v == "ours_p100":
                    self.terraform_cycle(s, tfs[ours_dir], sims, "-parallelism=100")
                elif v == "a":
                    self.terraform_cycle(s, tfs[a_dir], sims, timed_destroy=cell.commit == 0)
                elif v == "b":
                    self.terraform_cycle(s, tfs[b_dir], [])
                else:
                    self.script_cycle(s, Script(stack, by_alias), sims, timed_destroy=cell.commit == 0)
                log(f"  {cell.label:34} {v:9} rep {rep + 1}/{cell.reps}: apply {s.apply:.2f} s, "
                    f"plan {_s(s.plan)}, destroy {_s(s.destroy)}, commits {s.apply_commits}")  # fmt: skip
                samples.append(s)
        shutil.rmtree(base)
        return samples

    def script_cycle(self, s: Sample, script: Script, sims: list[RunningSimulator], timed_destroy: bool) -> None:
        with counted(sims) as c:
            start = time.perf_counter()
            script.create()
            s.apply = time.perf_counter() - start
        s.apply_commits, s.apply_requests = c.commits, c.requests
        with self.destroy_phase(s, timed_destroy), counted(sims) as c:
            start = time.perf_counter()
            script.delete()
            destroyed = time.perf_counter() - start
        if timed_destroy:
            s.destroy, s.destroy_commits = destroyed, c.commits


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def handshakes(runs: int) -> list[float]:
    mirror = Path(tempfile.mkdtemp(prefix="sps-bench-mirror-"))
    binary = install(mirror, mirror / "sps.tfrc")
    cert = server_certificate()[1].decode()
    time_handshake(binary, cert)  # warm the page cache once
    result = [time_handshake(binary, cert) for _ in range(runs)]
    shutil.rmtree(mirror)
    return result


def machine() -> dict[str, Any]:
    tf = json.loads(subprocess.run(["terraform", "version", "-json"], capture_output=True, text=True).stdout)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))  # fmt: skip
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem / 1024 / 1024, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "terraform": tf["terraform_version"]}  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a small subset in under 3 minutes, into bench/out/")
    p.add_argument("--out", type=Path, help="directory for performance.md, plots and samples")
    args = p.parse_args()
    out = args.out or (ROOT / "bench" / "out" if args.quick else ROOT / "docs")
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def log(line: str) -> None:
        print(f"[{time.monotonic() - started:7.1f} s] {line}", flush=True)

    install(ROOT / ".mirror", ROOT / "sps.tfrc")
    log("provider start -> handshake")
    hs = handshakes(10 if args.quick else 30)
    log(f"  median {statistics.median(hs) * 1000:.0f} ms")
    work = Path(tempfile.mkdtemp(prefix="sps-bench-"))
    sims = [start_simulator(work / f"sim{i}") for i in range(4)]
    samples: list[Sample] = []
    try:
        bench = Bench(sims, work)
        plan = cells(args.quick)
        for i, cell in enumerate(plan, 1):
            log(f"cell {i}/{len(plan)}: {cell.label} x{cell.reps}")
            samples += bench.run_cell(cell, log)
            partial = out / "performance.partial.json"  # a crash late in a long run loses nothing
            partial.write_text(json.dumps([asdict(s) for s in samples]) + "\n")
    finally:
        for s in sims:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    data = {"quick": args.quick, "machine": machine(), "handshake_s": hs,
            "samples": [asdict(s) for s in samples], "duration_s": time.monotonic() - started,
            "max_serial_s": MAX_SERIAL_SECONDS}  # fmt: skip
    (out / "performance.json").write_text(json.dumps(data, indent=1) + "\n")
    (out / "performance.partial.json").unlink()
    write_report(data, out)
    log(f"wrote {out / 'performance.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
