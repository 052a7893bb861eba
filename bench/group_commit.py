"""Count SPS commits for one apply with group commit on and off; record them in docs/transactions.md.

Workload: N independent `sps_audit_policy` resources, `terraform apply -parallelism=P`, against a
simulator whose commits take C seconds (real appliances take seconds to commit). Commits and
HTTP requests are read from the simulator's counters; wall time is the apply's.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from sps_harness import Terraform, start_simulator
from sps_provider.install import install

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "transactions.md"
START, END = "<!-- bench:group-commit:start -->", "<!-- bench:group-commit:end -->"


def config(url: str, ca: str, n: int, group_commit: bool) -> str:
    head = (
        'terraform {\n  required_providers {\n    sps = { source = "oneidentity/sps" }\n  }\n}\n'
        f'provider "sps" {{\n  url = "{url}"\n  username = "admin"\n  password = "admin"\n'
        f'  ca_bundle = "{ca}"\n  group_commit = {str(group_commit).lower()}\n}}\n'
    )
    return head + "".join(
        f'resource "sps_audit_policy" "p{i}" {{\n  name = "p{i}"\n  encryption = {{ enabled = false }}\n'
        f"  signing = {{ enabled = false }}\n}}\n"
        for i in range(n)
    )


def run(n: int, parallelism: int, commit_duration: float, group_commit: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        sim = start_simulator(Path(tmp) / "sim", "--commit-duration", str(commit_duration))
        try:
            work = Path(tmp) / "tf"
            work.mkdir()
            (work / "main.tf").write_text(config(sim.url, sim.ca or "", n, group_commit))
            tf = Terraform(work)
            tf.init()
            before = sim.stats()
            start = time.monotonic()
            tf.apply(f"-parallelism={parallelism}")
            seconds = time.monotonic() - start
            after = sim.stats()
            return {"commits": after["commits"] - before["commits"], "requests": after["requests"] - before["requests"],
                    "seconds": seconds}  # fmt: skip
        finally:
            sim.stop()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("-n", type=int, default=50)
    p.add_argument("--parallelism", type=int, default=10)
    p.add_argument("--commit-duration", type=float, default=0.5)
    args = p.parse_args()
    install(ROOT / ".mirror", ROOT / "sps.tfrc")
    rows = []
    for group_commit in (True, False):
        r = run(args.n, args.parallelism, args.commit_duration, group_commit)
        label = "on (default)" if group_commit else "off (one transaction per change)"
        rows.append(f"| {label} | {r['commits']:.0f} | {r['requests']:.0f} | {r['seconds']:.1f} s |")
        print(rows[-1], flush=True)
    block = (
        f"{START}\n"
        f"Measured by `python bench/group_commit.py` ({args.n} independent `sps_audit_policy` resources, "
        f"`terraform apply -parallelism={args.parallelism}`, simulator commit duration {args.commit_duration} s):\n\n"
        "| group_commit | SPS commits | HTTP requests | apply wall time |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n{END}"
    )
    text = DOC.read_text()
    DOC.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))
    return 0


if __name__ == "__main__":
    sys.exit(main())
