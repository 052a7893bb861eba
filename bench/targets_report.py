"""The scale and cost targets' section of docs/performance.md (and its plot), from the results of
one `bench/targets.py` run: each target marked met or not by the numbers of that run, with the
time, commit and load average of the step that measured it."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from markdown import table
from workload import limit

GROUP_COMMIT_N = 300
PARALLELISM = {"default": 10, "p300": 300}
SCALE_STEPS = ("scale_local", "scale", "scale_large")


def verdict(ok: bool | None, note: str = "") -> str:
    word = {True: "**met**", False: "**not met**", None: "measured"}[ok]
    return f"{word} ({note})" if note else word


def when(step: dict[str, Any]) -> str:
    return f"{step['started']}, `{step['commit']}`, load {step['load_before']:g} → {step['load_after']:g}"


def median(rows: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in rows))


def group_commit_rows(step: dict[str, Any]) -> list[list[str]]:
    """Item 1: every repetition of every cell must stay within the floor + 10 %."""
    cells: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in step["rows"]:
        if r.get("build", "current") == "current":
            cells[(r["appliances"], r["parallelism"])].append(r)
    out = []
    for (appliances, par), rows in sorted(cells.items()):
        depth = limit(("deep", GROUP_COMMIT_N, appliances, 1.0))[0]
        floor = max(depth, math.ceil(GROUP_COMMIT_N / PARALLELISM[par]))
        cap = floor * 1.1
        commits = [r["commits"] for r in rows]
        over = sum(c > cap for c in commits)
        loads = ", ".join(f"{r['load1']:.1f}" for r in rows)
        out.append([
            "1", f"deep N=300, 1 s commits, {appliances} appliance{'s' if appliances > 1 else ''}, "
            f"{'default parallelism' if par == 'default' else '-parallelism=300'}: commits ≤ {cap:g} "
            f"(floor {floor} + 10 %)",
            f"{', '.join(map(str, commits))} commits in {len(rows)} applies (load {loads}); apply "
            f"{median(rows, 'apply_s'):.1f} s median",
            verdict(over == 0, f"{over} of {len(rows)} above" if over else f"all {len(rows)}"),
        ])  # fmt: skip
    return out


def simulator_rows(step: dict[str, Any]) -> list[list[str]]:
    by_n = {r["n"]: r for r in step["rows"]}
    out = []
    big, small = by_n.get(10000), by_n.get(1000)
    if big is not None:
        out.append(["2", "simulator open+revert at 10,000 objects < 5 ms",
                    f"{big['open_revert_wall_ms']:.1f} ms wall over HTTPS (median of {big['reps']}); simulator CPU "
                    f"{big['open_revert_cpu_ms']:.1f} ms; in process {big['open_revert_cpu_ms_in_process']:.3f} ms CPU",
                    verdict(big["open_revert_wall_ms"] < 5)])  # fmt: skip
    if big is not None and small is not None:
        ratio = big["write_cpu_ms_in_process"] / small["write_cpu_ms_in_process"]
        out.append(["2", "a write transaction independent of the objects held (10,000 vs 1,000)",
                    f"in process {small['write_cpu_ms_in_process']:.2f} → {big['write_cpu_ms_in_process']:.2f} ms "
                    f"CPU ({ratio:.2f}×); over HTTPS {small['write_wall_ms']:.1f} → {big['write_wall_ms']:.1f} ms "
                    f"wall, simulator CPU {small['write_cpu_ms']:.1f} → {big['write_cpu_ms']:.1f} ms",
                    verdict(ratio <= 1.5, "within 1.5×" if ratio <= 1.5 else "grows")])  # fmt: skip
    return out


def crash_rows(step: dict[str, Any]) -> list[list[str]]:
    passed = step["rows"][0]["passed"]
    return [["2", "restart and crash safety unchanged",
             "the SIGKILL-during-commit tests (simulator contract and e2e): " + ("passed" if passed else "FAILED"),
             verdict(passed)]]  # fmt: skip


def startup_rows(step: dict[str, Any]) -> list[list[str]]:
    r = step["rows"]
    real, shim = r["handshake_s"], r["handshake_on_path_s"]
    med = statistics.median(real)
    return [["3", "provider start → handshake ≤ 150 ms median (the shipped package, as `terraform init` installs it)",
             f"{med * 1000:.0f} ms median, min {min(real) * 1000:.0f} ms ({r['runs']} runs, SPS_PROVIDER_PYTHON = the "
             f"real interpreter); through `{r['on_path']}` on PATH {statistics.median(shim) * 1000:.0f} ms",
             verdict(med <= 0.150)]]  # fmt: skip


def noop_rows(step: dict[str, Any]) -> list[list[str]]:
    rows = [r for r in step["rows"] if r["build"] == "current"]
    data = [r for r in step["rows"] if r["build"] == "terraform_data"]
    n = rows[0]["n"]
    provider, terraform = median(rows, "providers_s"), median(rows, "terraform_s")
    per = provider / n * 1000
    base = median(data, "total_s")
    ratio = (provider + terraform) / base
    starts = rows[0]["provider_starts"]
    runs = ", ".join(f"{r['providers_s'] / n * 1000:.3f}" for r in rows)
    return [
        ["4", "provider CPU per resource in a no-op plan ≤ 1.5 ms",
         f"{per:.3f} ms, the median of {len(rows)} runs ({runs} ms; {n:,} flat resources, {starts} provider "
         "processes each)", verdict(per <= 1.5)],
        ["4", f"no-op plan of {n:,}: ≤ 3× `terraform_data` in CPU",
         f"{ratio:.2f}× (Terraform {terraform:.2f} s + provider {provider:.3f} s against {base:.2f} s)",
         verdict(ratio <= 3)],
    ]  # fmt: skip


def schema_rows(step: dict[str, Any]) -> list[list[str]]:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in step["rows"]:
        by[r["variant"]].append(r)
    n = step["rows"][0]["n"]
    per = ", ".join(f"{v} {median(rs, 'terraform_cpu_s') / n * 1000:.1f}" for v, rs in by.items())
    return [["5", "the schema's cost to Terraform (ADR 0015)",
             f"Terraform's CPU per resource in a no-op plan of {n:,} {step['rows'][0]['type']}, ms: {per}",
             verdict(None, "nothing cheaper that keeps the configuration: ADR 0015")]]  # fmt: skip


def scale_rows(step: dict[str, Any]) -> list[list[str]]:
    ns = sorted({r["n"] for r in step["rows"] if r["variant"] == "ours"})
    return [["6", "apply, no-op plan and provider RSS at N = 1,000, 3,000 and 10,000",
             f"measured at N = {', '.join(f'{n:,}' for n in ns)} (table and plot below)",
             verdict(None if {1000, 3000, 10000} <= set(ns) else False,
                     "" if {1000, 3000, 10000} <= set(ns) else "10,000 missing")]]  # fmt: skip


def scale_table(step: dict[str, Any]) -> str:
    rows = []
    for r in sorted(step["rows"], key=lambda r: (r.get("backend", "local"), r["n"], r["variant"], r["command"])):
        ours = r["variant"] == "ours"
        rows.append([r.get("backend", "local"), f"{r['n']:,}", "ours" if ours else "`terraform_data`", r["command"],
                     f"{r['wall_s']:,.1f} s",
                     f"{r['terraform_cpu_s']:,.1f} s", f"{r['provider_cpu_s']:,.1f} s ({r['provider_starts']})" if ours
                     else "–", f"{r['provider_peak_mb']:.0f} MB" if ours else "–",
                     f"{r['state_mb']:.2f} MB" if r["command"] == "apply" else "", f"{r['load1']:g}"])  # fmt: skip
    head = ["state", "N", "variant", "command", "wall", "Terraform CPU", "provider CPU (processes)",
            "provider peak RSS", "state size", "load"]  # fmt: skip
    return table(head, rows)


def scale_plot(step: dict[str, Any], out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def series(backend: str, variant: str, command: str, key: str) -> tuple[list[int], list[float]]:
        pts = sorted((r["n"], r[key]) for r in step["rows"] if r.get("backend", "local") == backend
                     and r["variant"] == variant and r["command"] == command)  # fmt: skip
        return [p[0] for p in pts], [p[1] for p in pts]

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    lines = {"local": "--", "pg": "-"}
    for ax, command in zip(axes[:2], ("apply", "plan"), strict=True):
        for (variant, key, name), color in zip((("ours", "terraform_cpu_s", "Terraform CPU (ours)"),
                                                ("ours", "provider_cpu_s", "provider CPU"),
                                                ("terraform_data", "terraform_cpu_s", "terraform_data CPU")),
                                               ("C0", "C1", "C2"), strict=True):  # fmt: skip
            for backend, style in lines.items():
                xs, ys = series(backend, variant, command, key)
                if xs:
                    ax.plot(xs, ys, style, color=color, marker="o", label=f"{name}, {backend} state")
        ax.set(xscale="log", yscale="log", xlabel="resources in one state (N)", ylabel="CPU seconds",
               title=f"{'apply' if command == 'apply' else 'no-op plan'}, flat, commit 0 s")  # fmt: skip
    for command, color in (("apply", "C0"), ("plan", "C1")):
        for backend, style in lines.items():
            xs, ys = series(backend, "ours", command, "provider_peak_mb")
            if xs:
                axes[2].plot(xs, ys, style, color=color, marker="o", label=f"{command}, {backend} state")
    axes[2].set(xscale="log", xlabel="resources in one state (N)", ylabel="MB", title="provider peak RSS")
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "performance-scale.png", dpi=110)
    plt.close(fig)
    return "performance-scale.png"


def group_commit_table(step: dict[str, Any]) -> str:
    rows = [[str(r["appliances"]), r["parallelism"], str(r["rep"] + 1), str(r["commits"]), f"{r['apply_s']:.1f} s",
             f"{r['load1']:.1f}"] for r in step["rows"] if r.get("build", "current") == "current"]  # fmt: skip
    return table(["appliances", "parallelism", "run", "commits", "apply", "load"], rows)


def scale_step(steps: dict[str, Any]) -> dict[str, Any] | None:
    """The rows of every scale step as one step (None when none ran)."""
    parts = [steps[k] for k in SCALE_STEPS if k in steps]
    if not parts:
        return None
    return {"rows": [r for p in parts for r in p["rows"]]}


def section(data: dict[str, Any], out: Path) -> str:
    """The markdown section (and the scale plot in `out`) for one targets run."""
    steps = data["steps"]
    rows: list[list[str]] = []
    scale = scale_step(steps)
    for name, render in (("group_commit", group_commit_rows), ("simulator", simulator_rows), ("crash", crash_rows),
                         ("startup", startup_rows), ("noop", noop_rows), ("schema", schema_rows)):  # fmt: skip
        if name in steps:
            rows += [[*r, when(steps[name])] for r in render(steps[name])]
    if scale is not None:
        stamp = "; ".join(when(steps[k]) for k in SCALE_STEPS if k in steps)
        rows += [[*r, stamp] for r in scale_rows(scale)]
    starts = sorted(step["started"] for step in steps.values())
    duration = (f" in one run of {data['duration_s'] / 60:.0f} minutes" if data.get("duration_s") and not
                data.get("partial") else f", its steps started between {starts[0]} and {starts[-1]} (several runs: "
                "`--only`, `--merge`)")  # fmt: skip
    text = f"""## Scale and cost targets (issue 18)

Measured by `make bench-targets` (`bench/targets.py`){duration}; the raw rows are in
`performance-targets.json` next to this file. Every row says when its step started, the commit it
measured and the machine's 1-minute load average before and after the step (two cores: a load of
1 is one core busy). CPU times are the kernel's exact counters (`bench/cpu.py`), not samples. The
sections above this one come from the last `bench/run.py` run, which `bench/targets.py` does not
repeat.

{table(["item", "target", "measured", "result", "when, commit, load"], rows)}
"""
    if "group_commit" in steps:
        text += f"""
### Group commit under load (item 1)

`bench/group_commit.py`: deep N = 300 at 1 s commits, destroy untimed with instant commits, one
busy-loop process (`while True: pass`, one core) started with the step and running throughout.

{group_commit_table(steps["group_commit"])}
"""
    if scale is not None:
        text += f"""
### Scale (item 6)

`bench/scale.py`: flat N objects on one appliance at commit 0 s, apply then no-op plan, and the
same graph as `terraform_data`, with the state in PostgreSQL (Terraform's `pg` backend on the
project's cluster) at 1,000, 3,000 and 10,000 and in a local file at 1,000 only: a local file
makes Terraform's apply grow with N² ([scaling.md](scaling.md) profiles it). Provider CPU counts
every provider process Terraform started; peak RSS is the largest of them; the simulator's and
PostgreSQL's CPU are not counted.

![scale]({scale_plot(scale, out)})

{scale_table(scale)}
"""
    return text
