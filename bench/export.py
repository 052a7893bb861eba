"""`sps-export` of a large appliance: wall time of the whole command against the simulator.

A simulator is populated over REST with every managed type's examples, then copies of the
collection types' `minimal` examples (round robin over the types) until it holds `--objects`
objects, and every opaque endpoint gets content (`populate_opaque`: the whole tree is exported,
generic resources too); `sps-export --format both` then runs `--reps` times. Reported: objects exported and the
median, min and max wall time of the command (login, reads, rendering, writing, process start).
Target (issue 16): 1,000 objects in under 10 s.

    python bench/export.py --objects 1000 --reps 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sps_catalog import load_catalog
from sps_catalog.endpoints import load_endpoints
from sps_catalog.firmware import DEFAULT_FIRMWARE
from sps_harness import start_simulator
from sps_harness.populate import populate, populate_opaque


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    cat = load_catalog()
    bulk = [
        t
        for t in cat.managed
        if not t.is_singleton and t.name_field and "minimal" in t.examples and t.versions.writable_on(DEFAULT_FIRMWARE)
    ]
    with tempfile.TemporaryDirectory(prefix="sps-bench-export-") as tmp:
        sim = start_simulator(Path(tmp) / "simulator")
        try:
            # The copies go through the same Populator: it knows the objects their references name
            # (another one would create them again, and SPS refuses a second object of a name).
            p = populate(cat, sim.session(), sim.url, DEFAULT_FIRMWARE)
            p.call("POST", "/api/transaction")
            for i in range(max(0, args.objects - len(p.made))):
                t = bulk[i % len(bulk)]
                p.named(t, f"bulk_{i}", "minimal")
                if i % 200 == 199:
                    p.commit()
                    p.call("POST", "/api/transaction")
            p.commit()
            populate_opaque(p, load_endpoints(), DEFAULT_FIRMWARE)
            env = {**os.environ, "SPS_USERNAME": sim.username, "SPS_PASSWORD": sim.password}
            exe = str(Path(sys.executable).parent / "sps-export")
            seconds = []
            for rep in range(args.reps):
                out = Path(tmp) / f"out{rep}"
                start = time.perf_counter()
                result = subprocess.run(
                    [exe, "--url", sim.url, "--ca-bundle", str(sim.ca), "--out", str(out)],
                    env=env, capture_output=True, text=True, check=False,
                )  # fmt: skip
                seconds.append(time.perf_counter() - start)
                if result.returncode != 0:
                    raise SystemExit(result.stderr)
            written = (Path(tmp) / "out0" / "hcl" / "imports.tf").read_text().count("import {")
        finally:
            sim.stop()
    print(
        json.dumps(
            {
                "objects_exported": written,
                "median_s": round(statistics.median(seconds), 2),
                "min_s": round(min(seconds), 2),
                "max_s": round(max(seconds), 2),
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
