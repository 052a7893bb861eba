"""What each appliance's deployment is doing, shown live, and the summary table at the end.

On a terminal every appliance has one line, rewritten in place as it goes; elsewhere (CI logs,
pipes) each change of phase is printed as a plain line, so the log reads top to bottom.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

# One reading of both clocks: a monotonic time (durations) maps to UTC for the report.
_WALL_AT, _MONOTONIC_AT = time.time(), time.monotonic()


@dataclass
class Outcome:
    """One appliance's stack: where it is, how far it got, what it changed."""

    name: str
    workdir: Path
    url: str | None = None
    ca: str | None = None
    phase: str = "queued"
    detail: str = ""
    started: float | None = None
    finished: float | None = None
    waited: float = 0.0
    total: int = 0
    done: int = 0
    added: int | None = None
    changed: int | None = None
    destroyed: int | None = None
    commits: int | None = None
    error: str = ""
    log: str = ""
    plan_text: str = ""

    def seconds(self) -> float:
        """Time spent on this appliance (not counting the wait for the others to be prepared)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started - self.waited


class Progress:
    """Thread-safe live view; a TTY is redrawn 4 times a second, other streams get a line per change."""

    def __init__(self, outcomes: list[Outcome], stream: TextIO) -> None:
        self.outcomes = outcomes
        self.stream = stream
        self.tty = stream.isatty()
        self.width = max(len(o.name) for o in outcomes)
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.drawn = False
        self.painter = threading.Thread(target=self.paint, daemon=True)

    def __enter__(self) -> Progress:
        if self.tty:
            self.painter.start()
        return self

    def __exit__(self, exc: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stopped.set()
        if self.tty:
            self.painter.join()
            self.redraw()

    def line(self, o: Outcome) -> str:
        """A terminal's line is cut so that it never wraps (it is redrawn in place); a log's is whole."""
        line = f"{o.name:<{self.width}}  {o.phase:<9} {o.seconds():6.1f}s  {o.detail}"
        return line[:160] if self.tty else line

    def update(self, o: Outcome, phase: str, detail: str) -> None:
        with self.lock:
            changed = (o.phase, o.detail) != (phase, detail)
            o.phase, o.detail = phase, detail
            if changed and not self.tty:
                self.stream.write(self.line(o) + "\n")
                self.stream.flush()

    def paint(self) -> None:
        while not self.stopped.wait(0.25):
            self.redraw()

    def redraw(self) -> None:
        with self.lock:
            up = f"\x1b[{len(self.outcomes)}F" if self.drawn else ""
            self.stream.write(up + "".join(f"\x1b[2K{self.line(o)}\n" for o in self.outcomes))
            self.stream.flush()
            self.drawn = True


def summary_table(outcomes: list[Outcome], command: str, wall: float) -> str:
    """added/changed/destroyed (to add/change/destroy for plan), commits, time and error per appliance."""
    verbs = ("add", "change", "destroy") if command == "plan" else ("added", "changed", "destroyed")
    head = ("appliance", "result", *verbs, "commits", "time", "error")

    def cell(v: int | None) -> str:
        return "n/a" if v is None else str(v)

    rows = [
        (
            o.name,
            "FAILED" if o.error else "ok",
            cell(o.added),
            cell(o.changed),
            cell(o.destroyed),
            cell(o.commits),
            f"{o.seconds():.1f}s",
            (o.error.splitlines()[0] + (f" (log: {o.log})" if o.log else "")) if o.error else "",
        )
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" if i in (0, 1, 7) else f"{{:>{w}}}" for i, w in enumerate(widths))
    failed = sum(1 for o in outcomes if o.error)
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths)), *(fmt.format(*r) for r in rows)]
    lines.append(f"{len(outcomes) - failed} of {len(outcomes)} appliance(s) ok, {failed} failed, {wall:.1f}s wall time")
    return "\n".join(line.rstrip() for line in lines)


def utc(monotonic: float | None) -> str | None:
    """A monotonic time of this process as ISO 8601 UTC (milliseconds)."""
    if monotonic is None:
        return None
    moment = datetime.fromtimestamp(_WALL_AT + monotonic - _MONOTONIC_AT, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def report(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """`--report`'s rows: times as ISO 8601 UTC, durations in seconds."""
    return [
        {
            **asdict(o),
            "workdir": str(o.workdir),
            "started": utc(o.started),
            "finished": utc(o.finished),
            "waited": round(o.waited, 3),
            "seconds": round(o.seconds(), 3),
        }
        for o in outcomes
    ]
