"""`make fleet-demo`: the fleet definition (stacks/fleet.py) deployed to 8 simulators at once.

Starts a private PostgreSQL cluster (sps-pg, in .state/fleet-demo/pg) and one SPS simulator per
appliance, runs `sps-fleet apply` (one stack and one state per appliance, 4 at a time), then runs
it again: the second run must change nothing and commit nothing anywhere. Stops everything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sps_harness import postgres, provider_python, start_simulator

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".state" / "fleet-demo"
sys.path.insert(0, str(ROOT / "stacks"))
from fleet import FLEET  # noqa: E402


def fleet(env: dict[str, str], report: Path) -> list[dict[str, object]]:
    cmd = [sys.executable, "-m", "sps_fleet.runner", "apply", "--app", str(ROOT / "stacks" / "fleet.py"),
           "--out", str(WORK / "cdktf.out"), "--parallel", "4", "--report", str(report),
           "--lock-file", str(ROOT / "stacks" / "fleet.terraform.lock.hcl")]  # fmt: skip
    print("$ sps-fleet " + " ".join(cmd[3:]), flush=True)
    code = subprocess.run(cmd, env=env).returncode
    outcomes: list[dict[str, object]] = json.loads(report.read_text())
    if code != 0:
        raise SystemExit(f"sps-fleet exited {code}")
    return outcomes


def main() -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    print("==> starting PostgreSQL (sps-pg) and 8 SPS simulators", flush=True)
    cluster = postgres.start(WORK / "pg")
    sims = {}
    try:
        sims = {site.name: start_simulator(WORK / f"simulator-{site.name}") for site in FLEET}
        env = dict(os.environ, **cluster.env(), SPS_USERNAME="admin", SPS_PASSWORD="admin")
        env.update(TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"), SPS_PROVIDER_PYTHON=provider_python())
        for name, sim in sims.items():
            env[f"SPS_{name.upper()}_URL"] = sim.url
            env[f"SPS_{name.upper()}_CA_BUNDLE"] = sim.ca or ""
        print("==> first run: every appliance gets its configuration", flush=True)
        fleet(env, WORK / "first.json")
        print("==> second run: must change nothing anywhere", flush=True)
        second = fleet(env, WORK / "second.json")
        busy = [o["name"] for o in second if (o["added"], o["changed"], o["destroyed"], o["commits"]) != (0, 0, 0, 0)]
        if busy:
            print(f"FAILED: the second run changed {', '.join(map(str, busy))}", file=sys.stderr)
            return 1
        states = cluster.psql("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'sps_fleet_%'")
        print(f"fleet demo finished: 8 appliances, {states} state schemas in PostgreSQL, no changes on the second run")
        return 0
    finally:
        for sim in sims.values():
            sim.stop()
        postgres.stop(WORK / "pg")


if __name__ == "__main__":
    sys.exit(main())
