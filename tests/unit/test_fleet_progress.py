"""sps-fleet's live view and summary table (pure formatting; the runner itself is tested e2e)."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sps_fleet.progress import Outcome, Progress, report, summary_table


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def outcomes() -> list[Outcome]:
    return [Outcome("ams", Path("a")), Outcome("fra-long", Path("f"))]


def test_plain_stream_gets_one_line_per_change_of_phase() -> None:
    out, (ams, fra) = io.StringIO(), outcomes()
    with Progress([ams, fra], out) as progress:
        progress.update(ams, "init", "")
        progress.update(ams, "init", "")
        progress.update(fra, "apply", "1/3 sps_audit_policy.x")
    lines = out.getvalue().splitlines()
    assert [ln.split()[:2] for ln in lines] == [["ams", "init"], ["fra-long", "apply"]]
    assert lines[1].endswith("1/3 sps_audit_policy.x") and "\x1b" not in out.getvalue()


def test_terminal_rewrites_one_line_per_appliance_in_place() -> None:
    out, (ams, fra) = Terminal(), outcomes()
    with Progress([ams, fra], out) as progress:
        progress.update(ams, "apply", "2/3")
        progress.redraw()
    frames = out.getvalue().split("\x1b[2F")
    assert len(frames) >= 2, "later frames move the cursor up over the two lines"
    last = [ln.removeprefix("\x1b[2K") for ln in frames[-1].splitlines()]
    assert [ln.split()[:2] for ln in last] == [["ams", "apply"], ["fra-long", "queued"]]


def test_summary_marks_failures_and_unknown_counts() -> None:
    ams, fra = outcomes()
    ams.added, ams.changed, ams.destroyed, ams.commits = 3, 0, 0, None
    fra.error = "apply: sps_audit_policy.x: SPS refused\nmore"
    table = summary_table([ams, fra], "apply", 12.34).splitlines()
    assert table[0].split() == ["appliance", "result", "added", "changed", "destroyed", "commits", "time", "error"]
    assert table[2].split()[:6] == ["ams", "ok", "3", "0", "0", "n/a"]
    assert table[3].split()[:3] == ["fra-long", "FAILED", "n/a"] and table[3].endswith("SPS refused")
    assert table[-1] == "1 of 2 appliance(s) ok, 1 failed, 12.3s wall time"
    assert summary_table([ams], "plan", 1.0).splitlines()[0].split()[2:5] == ["add", "change", "destroy"]


def test_the_error_column_holds_the_whole_first_line_and_the_log() -> None:
    ams, fra = outcomes()
    first = "init: Error: Cannot reach SPS at https://sps-fra.example.net:8443 (connection refused after 3 attempts)"
    fra.error, fra.log = first + "\nmore", "/w/stacks/fra/sps-fleet-apply.log"
    table = summary_table([ams, fra], "apply", 1.0).splitlines()
    assert table[3].endswith(f"{first} (log: /w/stacks/fra/sps-fleet-apply.log)")


def test_a_log_gets_whole_lines_a_terminal_lines_that_never_wrap() -> None:
    detail = "x" * 300
    plain, terminal = io.StringIO(), Terminal()
    for stream in (plain, terminal):
        (ams, fra) = outcomes()
        with Progress([ams, fra], stream) as progress:
            progress.update(ams, "failed", detail)
    assert plain.getvalue().splitlines()[0].endswith(detail)
    assert all(len(ln.removeprefix("\x1b[2K")) <= 160 for ln in terminal.getvalue().split("\x1b[2F")[-1].splitlines())


def test_the_report_gives_times_in_utc_and_durations_in_seconds() -> None:
    ams, fra = outcomes()
    before = datetime.now(UTC)
    ams.started = time.monotonic()
    ams.finished = ams.started + 2.5
    after = datetime.now(UTC) + timedelta(seconds=2.5)
    rows = report([ams, fra])
    started, finished = (datetime.fromisoformat(rows[0][k]) for k in ("started", "finished"))
    assert rows[0]["started"].endswith("Z") and started.tzinfo is not None
    assert before - timedelta(milliseconds=1) <= started <= finished <= after + timedelta(milliseconds=1)
    assert abs(finished - started - timedelta(seconds=2.5)) <= timedelta(milliseconds=1) and rows[0]["seconds"] == 2.5
    assert (rows[1]["started"], rows[1]["finished"], rows[1]["workdir"]) == (None, None, "f")
