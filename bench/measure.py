"""Measuring helpers: provider peak RSS from /proc, simulator counters, sample summaries, and the
`--json` file every bench script can write its results to."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sps_harness import RunningSimulator

PROVIDER_MARK = b"terraform-provider-sps"


class PeakRss:
    """The largest peak RSS (VmHWM) of any provider process started while active, in MB.

    Terraform starts the provider several times per command (validate, plan, apply); each is a
    separate process, so this reports the worst one. VmHWM is the kernel's own high-water mark,
    so polling every 20 ms loses nothing but the last 20 ms of a process's life.
    """

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.wait(0.02):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if PROVIDER_MARK not in f.read():
                            continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                except OSError:
                    continue

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Counts:
    commits: int = 0
    requests: int = 0


@contextmanager
def counted(sims: Sequence[RunningSimulator]) -> Iterator[Counts]:
    """SPS commits and HTTP requests the block caused, summed over the appliances."""
    before = [s.stats() for s in sims]
    counts = Counts()
    yield counts
    for s, b in zip(sims, before, strict=True):
        after = s.stats()
        counts.commits += after["commits"] - b["commits"]
        counts.requests += after["requests"] - b["requests"]


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Summary | None:
        if not samples:
            return None
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))

    def seconds(self) -> str:
        if self.n == 1:
            return f"{self.median:.2f} s"
        return f"{self.median:.2f} s ({self.low:.2f}–{self.high:.2f})"

    def count(self) -> str:
        if self.low == self.high:
            return f"{self.median:.0f}"
        return f"{self.median:.0f} ({self.low:.0f}–{self.high:.0f})"


def write_json(path: Path | None, data: object) -> None:
    """A bench script's results as indented JSON at `path` (its `--json`; nothing when not given)."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1) + "\n")


def per_call_us(walk: Callable[[], None], calls: int, reps: int) -> str:
    """`walk` (which makes `calls` calls) timed `reps` times in process CPU, after one warm-up run:
    "min X us, median Y us" per call."""
    walk()
    times = []
    for _ in range(reps):
        started = time.process_time()
        walk()
        times.append((time.process_time() - started) / calls * 1e6)
    times.sort()
    return f"min {times[0]:.1f} us, median {times[len(times) // 2]:.1f} us"
