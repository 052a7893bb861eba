"""CPU accounting for benchmarks on a shared machine, where wall time mostly measures the queue for
a core: the CPU (user + system) of Terraform itself and of every provider process it starts, and
the providers' peak RSS, exactly, from the kernel's own counters.

A *metered mirror* is a filesystem mirror holding a provider package (the current build, or a copy
of another build's installed package) whose executable is wrapped: the wrapper starts the real
launcher as its child, waits for it (wait4 returns the child's exact rusage, so nothing is lost to
sampling), and appends one JSON line per provider process to a log. `run()` waits for terraform
with wait4 too, which returns terraform's CPU plus that of every descendant it reaped; Terraform's
own CPU is that total minus the providers and the wrappers (each wrapper logs its own).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from sps_harness import Terraform, provider_python
from sps_provider.install import install, tfrc_text

REAL_SUFFIX = ".real"
WRAPPER = """#!{python} -IS
# Benchmark wrapper (bench/cpu.py): runs the real provider launcher and logs its rusage.
import json, os, signal, sys
real = os.path.abspath(__file__) + "{suffix}"
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, signal.SIG_IGN)  # like the provider: Terraform decides when it stops
pid = os.posix_spawn(real, sys.argv, os.environ)
_, status, ru = os.wait4(pid, 0)
me = os.times()
line = {{"cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_kb": ru.ru_maxrss, "wrapper_cpu_s": me.user + me.system}}
with open(os.environ["SPS_BENCH_CPU_LOG"], "a") as log:
    log.write(json.dumps(line) + "\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def metered_mirror(where: Path, package: Path | None = None) -> Path:
    """A mirror in `where` with the current build (or a copy of the installed `package` directory,
    e.g. another checkout's `.mirror/.../linux_amd64`), its executable wrapped; returns its tfrc."""
    tfrc = where / "sps.tfrc"
    launcher = install(where, tfrc)
    if package is not None:
        shutil.rmtree(launcher.parent)
        shutil.copytree(package, launcher.parent, symlinks=True)
    launcher.rename(launcher.with_name(launcher.name + REAL_SUFFIX))
    launcher.write_text(WRAPPER.format(python=provider_python(), suffix=REAL_SUFFIX))
    launcher.chmod(0o755)
    tfrc.write_text(tfrc_text(where))
    return tfrc


@dataclass
class Cpu:
    """One terraform command: seconds of CPU, the providers' peak RSS, wall time, load average."""

    terraform_s: float = 0.0
    providers_s: float = 0.0
    provider_starts: int = 0
    provider_peak_mb: float = 0.0
    wall_s: float = 0.0
    load1: float = 0.0
    per_provider_s: list[float] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return self.terraform_s + self.providers_s


def run(tf: Terraform, log: Path, *args: str, ok: tuple[int, ...] = (0,)) -> Cpu:
    """Runs `terraform args` in tf's directory; the provider must come from a metered mirror whose
    wrappers write to `log`."""
    log.write_text("")
    env = {**tf.environ(), "SPS_BENCH_CPU_LOG": str(log)}
    start = time.perf_counter()
    proc = subprocess.Popen(["terraform", *args], cwd=tf.workdir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)  # fmt: skip
    assert proc.stdout is not None
    out = proc.stdout.read()  # EOF: terraform and its providers have closed the pipe
    _, status, ru = os.wait4(proc.pid, 0)  # its rusage includes every descendant it reaped
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode not in ok:
        tail = out.decode(errors="replace")[-4000:]
        raise RuntimeError(f"terraform {' '.join(args)} exited {proc.returncode}:\n{tail}")
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    providers = sum(r["cpu_s"] for r in rows)
    wrappers = sum(r["wrapper_cpu_s"] for r in rows)
    return Cpu(
        terraform_s=ru.ru_utime + ru.ru_stime - providers - wrappers,
        providers_s=providers,
        provider_starts=len(rows),
        provider_peak_mb=max((r["maxrss_kb"] for r in rows), default=0) / 1024,
        wall_s=wall,
        load1=os.getloadavg()[0],
        per_provider_s=[r["cpu_s"] for r in rows],
    )
