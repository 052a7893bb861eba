"""docs/performance.md and its plots, from the samples of one `bench/run.py` run and the results
of one `bench/targets.py` run (bench/targets_report.py), followed by bench/analysis.md."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from markdown import table
from measure import Summary
from targets_report import section
from workload import limit

LABELS = {
    "ours": "ours",
    "ours_p100": "ours, -parallelism=100",
    "a": "(a) group_commit off",
    "b": "(b) terraform_data",
    "c": "(c) requests script",
}
PARALLELISM = 10  # terraform's default: at most this many changes in flight, so per commit
TARGETS_NOTE = "Targets are reported, never asserted in tests: they depend on the machine."


class Results:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.by: dict[tuple[str, int, int, float, str], list[dict[str, Any]]] = defaultdict(list)
        for s in data["samples"]:
            self.by[(s["shape"], s["n"], s["appliances"], s["commit"], s["variant"])].append(s)

    def cells(self) -> list[tuple[str, int, int, float]]:
        return sorted({k[:4] for k in self.by}, key=lambda c: (c[3], c[1], c[0] == "deep", c[2]))

    def get(self, cell: tuple[str, int, int, float], variant: str, metric: str) -> Summary | None:
        samples = self.by.get((*cell, variant), [])
        if variant == "b" and not samples:  # terraform_data does not touch SPS: measured at commit=0
            samples = self.by.get((*cell[:3], 0.0, "b"), [])
        return Summary.of([s[metric] for s in samples if s.get(metric) is not None])


def p10_floor(cell: tuple[str, int, int, float]) -> int:
    """Commits at Terraform's default parallelism: at most PARALLELISM changes per commit."""
    return max(limit(cell)[0], -(-cell[1] // PARALLELISM))


def fmt(s: Summary | None, kind: str = "seconds") -> str:
    if s is None:
        return "–"
    return s.seconds() if kind == "seconds" else s.count()


def ratio(a: Summary | None, b: Summary | None) -> str:
    if a is None or b is None or b.median == 0:
        return "–"
    return f"{a.median / b.median:.1f}×"


CELL_HEAD = ["shape", "N", "appliances", "commit"]


def label(cell: tuple[str, int, int, float]) -> list[str]:
    shape, n, appliances, commit = cell
    return [shape, str(n), str(appliances), f"{commit:g} s"]


def targets(r: Results) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, how, met) per target of the issue."""
    out: list[tuple[str, str, str, bool | None]] = []
    deep100 = ("deep", 100, 1, 1.0)
    ours, a = r.get(deep100, "ours", "apply"), r.get(deep100, "a", "apply")
    commits = r.get(deep100, "ours", "apply_commits")
    if commits is not None:
        out.append(("deep N=100, 1 s commits, default parallelism: ≤ 12 commits", fmt(commits, "count"),
                    "simulator counter", commits.median <= 12))  # fmt: skip
    if ours is not None and a is not None:
        speed = a.median / ours.median
        out.append(("… and ≥ 7× faster than (a)", f"{speed:.1f}× ({ours.median:.1f} s vs {a.median:.1f} s)",
                    "apply wall time, medians", speed >= 7))  # fmt: skip
    p100 = r.get(deep100, "ours_p100", "apply_commits")
    if p100 is not None:
        out.append(("… at -parallelism=100: commits = depth (3)", fmt(p100, "count"), "simulator counter",
                    p100.high <= limit(deep100)[0]))  # fmt: skip
    plan_cells = [c for c in r.cells() if c[1] == 1000 and c[3] == 0.0]
    for c in plan_cells:
        ours_plan, b_plan = r.get(c, "ours", "plan"), r.get(c, "b", "plan")
        if ours_plan is not None and b_plan is not None:
            out.append((f"no-op plan, {c[0]} N=1000 A={c[2]}: ≤ 2× (b)", f"{ours_plan.median / b_plan.median:.1f}× "
                        f"({ours_plan.median:.2f} s vs {b_plan.median:.2f} s)", "wall time, medians",
                        ours_plan.median <= 2 * b_plan.median))  # fmt: skip
    hs = Summary.of(r.data["handshake_s"])
    if hs is not None:
        out.append(("provider start → handshake ≤ 150 ms", f"{hs.median * 1000:.0f} ms (min {hs.low * 1000:.0f}, "
                    f"max {hs.high * 1000:.0f}, n={hs.n})", "mirror executable, go-plugin env",
                    hs.median <= 0.150))  # fmt: skip
    rss = [r.get(c, "ours", "rss_mb") for c in r.cells() if c[1] == 1000]
    worst = max((s.high for s in rss if s is not None), default=None)
    if worst is not None:
        out.append(("provider peak RSS ≤ 120 MB at N=1000", f"{worst:.0f} MB (worst process, any N=1000 cell)",
                    "VmHWM of every provider process", worst <= 120))  # fmt: skip
    synth = Summary.of([s["synth"] for s in r.data["samples"] if s["n"] == 1000 and s.get("synth") is not None])
    if synth is not None:
        out.append(("synth of 1,000 constructs ≤ 3 s", f"{synth.median:.2f} s (min {synth.low:.2f}, max "
                    f"{synth.high:.2f}, n={synth.n}: every N=1000 cell)",
                    "fresh `python` process: Python, jsii/Node, constructs, JSON", synth.median <= 3))  # fmt: skip
    return out


def plots(r: Results, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    ns = sorted({c[1] for c in r.cells()})
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, commit in zip(axes, (0.0, 1.0), strict=True):
        for v in ("ours", "a", "b", "c"):
            pts = [(n, s.median) for n in ns if (s := r.get(("deep", n, 1, commit), v, "apply")) is not None]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", label=LABELS[v])
        lim = [(n, max(limit(("deep", n, 1, commit))[1], 1e-2)) for n in ns]
        if commit:
            ax.plot(*zip(*lim, strict=True), linestyle="--", color="grey", label="limit: depth × commit")
            ax.plot(ns, [p10_floor(("deep", n, 1, commit)) * commit for n in ns], linestyle=":", color="grey",
                    label="floor at parallelism 10")  # fmt: skip
        ax.set(xscale="log", yscale="log", xlabel="resources (N)", ylabel="apply wall time (s)",
               title=f"deep, 1 appliance, commit {commit:g} s")  # fmt: skip
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "performance-apply.png", dpi=110)
    names.append("performance-apply.png")
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for v in ("ours", "b"):
        pts = [(n, s.median) for n in ns if (s := r.get(("deep", n, 1, 0.0), v, "plan")) is not None]
        if pts:
            axes[0].plot(*zip(*pts, strict=True), marker="o", label=LABELS[v])
    axes[0].set(xscale="log", yscale="log", xlabel="resources (N)", ylabel="no-op plan wall time (s)",
                title="no-op plan (refresh), deep, 1 appliance")  # fmt: skip
    for v in ("ours", "a", "c"):
        pts = [(n, s.median) for n in ns if (s := r.get(("deep", n, 1, 1.0), v, "apply_commits")) is not None]
        if pts:
            axes[1].plot(*zip(*pts, strict=True), marker="o", label=LABELS[v])
    axes[1].plot(ns, [limit(("deep", n, 1, 1.0))[0] for n in ns], linestyle="--", color="grey", label="limit: depth")
    axes[1].plot(ns, [p10_floor(("deep", n, 1, 1.0)) for n in ns], linestyle=":", color="grey",
                 label="floor at parallelism 10")  # fmt: skip
    axes[1].set(xscale="log", yscale="log", xlabel="resources (N)", ylabel="SPS commits per apply",
                title="commits, deep, 1 appliance, commit 1 s")  # fmt: skip
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "performance-plan-commits.png", dpi=110)
    names.append("performance-plan-commits.png")
    plt.close(fig)
    return names


def write_report(data: dict[str, Any], out: Path) -> None:
    r = Results(data)
    m = data["machine"]
    head = [*CELL_HEAD, "limit (commits / time)", "commits at parallelism 10"]
    apply_rows = []
    for c in r.cells():
        lc, lt = limit(c)
        o, a = r.get(c, "ours", "apply"), r.get(c, "a", "apply")
        apply_rows.append([*label(c), f"≥ {lc} / ≥ {lt:g} s", f"≥ {p10_floor(c)}", fmt(o),
                           fmt(r.get(c, "ours", "apply_commits"), "count"),
                           fmt(r.get(c, "ours", "apply_requests"), "count"), fmt(a),
                           fmt(r.get(c, "a", "apply_commits"), "count"), fmt(r.get(c, "b", "apply")),
                           fmt(r.get(c, "c", "apply")), fmt(r.get(c, "c", "apply_commits"), "count"),
                           ratio(a, o)])  # fmt: skip
    p100_rows = [[*label(c), fmt(r.get(c, "ours_p100", "apply")), fmt(r.get(c, "ours_p100", "apply_commits"), "count"),
                  str(limit(c)[0])] for c in r.cells() if r.get(c, "ours_p100", "apply") is not None]  # fmt: skip
    plan_rows = [[*label(c), fmt(r.get(c, "ours", "plan")), fmt(r.get(c, "ours", "plan_requests"), "count"),
                  fmt(r.get(c, "a", "plan")), fmt(r.get(c, "b", "plan")),
                  ratio(r.get(c, "ours", "plan"), r.get(c, "b", "plan"))]
                 for c in r.cells() if c[3] == 0.0]  # fmt: skip
    destroy_rows = [[*label(c), fmt(r.get(c, "ours", "destroy")), fmt(r.get(c, "ours", "destroy_commits"), "count"),
                     fmt(r.get(c, "a", "destroy")), fmt(r.get(c, "b", "destroy")), fmt(r.get(c, "c", "destroy"))]
                    for c in r.cells()]  # fmt: skip
    mem_rows = [[*label(c), fmt(r.get(c, "ours", "synth")), fmt(r.get(c, "ours", "rss_mb"), "count") + " MB",
                 fmt(r.get(c, "a", "rss_mb"), "count") + " MB"] for c in r.cells() if c[3] == 0.0]  # fmt: skip
    target_rows = [[t, got, how, {True: "**met**", False: "**not met**", None: "–"}[ok]]
                   for t, got, how, ok in targets(r)]  # fmt: skip
    pictures = plots(r, out)
    text = f"""# Performance

Measured by `make bench` (`bench/run.py`{" --quick" if data["quick"] else ""}) in one run of
{data["duration_s"] / 60:.0f} minutes; the raw samples are in `performance.json` next to this file.
{TARGETS_NOTE}

Machine: {m["cpu"]}, {m["cores"]} cores, {m["memory_gb"]} GB RAM, {m["os"]}, Python {m["python"]},
Terraform {m["terraform"]}. Everything (terraform, the provider, the simulators) shares these cores.

## How it is measured

- Workloads are generated (`bench/workload.py`): N objects in units of four (audit policy, content
  policy, MSSQL channel policy, MSSQL connection policy). **deep**: the channel policy references
  the content policy and the connection policy references the audit and channel policies, so
  references chain three levels; **flat**: every reference points at a built-in, so all N are
  independent. With 4 appliances, unit u goes to appliance u mod 4; N is the total.
- The simulators (one per appliance) take `commit` seconds per commit, as real appliances take
  seconds. Commits and HTTP requests are the simulators' own counters (`/_sim/stats`).
- Each variant runs apply → no-op plan (with refresh) → destroy, in the same run, alternating
  within each repetition (the order rotates between repetitions). Cells show the median and, with
  more than one repetition, min–max. Repetitions: 3 per cell for N ≤ 100 at commit 0 s; 2 for
  N = 10 and for deep N = 100 on one appliance at commit 1 s; 1 otherwise (N = 1,000 and the other
  N = 100 cells at 1 s, where one baseline apply alone takes 100 s).
- At commit 1 s, (a) and (c) are cleaned up with instant commits and their destroy is not timed
  (it is one commit per object again, N / appliances × 1 s at least).
- Variants: **ours** (cdktf stack, default parallelism 10, group commit on); **(a)** the same with
  `group_commit = false`, one transaction per change, what appliance providers do today; **(b)**
  the same graph as `terraform_data` resources, Terraform's own floor (it never talks to SPS, so
  it is measured in the commit = 0 s cells and shown for both); **(c)** a plain `requests` script
  doing the documented workflow, POST + commit per object, one thread per appliance.
- (a) and (c) are skipped where their one-commit-per-object apply would exceed
  {data["max_serial_s"]:g} s (N / appliances × commit); their time there is at least that by construction.
- The limit: an object can only be committed after the objects it references, so each
  appliance needs one commit per dependency level among the objects it holds (commits ≥ the sum
  of those depths; a partial last unit may hold only level-1 objects), and the time is at least
  depth × commit duration. Default parallelism adds its own floor: Terraform has at most 10
  changes in flight, so N changes need at least N / 10 commits.

## Targets

{table(["target", "measured", "how", "result"], target_rows)}

## Apply

![apply wall time]({pictures[0]})

{
        table(
            [*head, "ours", "commits", "requests", "(a)", "(a) commits", "(b)", "(c)", "(c) commits", "ours vs (a)"],
            apply_rows,
        )
    }

At `-parallelism=100` (deep N = 100):

{table([*CELL_HEAD, "apply", "commits", "limit (commits)"], p100_rows)}

## No-op plan (refresh of every resource)

![plan and commits]({pictures[1]})

{table([*CELL_HEAD, "ours", "ours requests", "(a)", "(b)", "ours / (b)"], plan_rows)}

## Destroy

{table([*CELL_HEAD, "ours", "ours commits", "(a)", "(b)", "(c)"], destroy_rows)}

## Synth and memory

Synth is a fresh `python bench/workload.py` process (Python start, jsii and Node start,
constructs, JSON output). RSS is the largest peak (VmHWM) of any provider process terraform
started during apply, plan and destroy.

{table([*CELL_HEAD, "synth", "provider peak RSS (ours)", "provider peak RSS (a)"], mem_rows)}
"""
    measured = out / "performance-targets.json"
    if measured.exists():
        text += "\n" + section(json.loads(measured.read_text()), out)
    analysis = (Path(__file__).parent / "analysis.md").read_text()
    (out / "performance.md").write_text(text + "\n" + analysis)
