"""`make demo`: the whole path on real components, against two embedded simulators.

Starts two SPS simulators (eu, us), synthesizes stacks/demo.py, runs `terraform init` and
`apply`, then a second `plan` that must show no changes for either appliance, prints what is
now on each appliance (read back over the REST API) and stops the simulators.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sps_harness import RunningSimulator, Terraform, TerraformError, start_simulator

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".state" / "demo"
SITES = ("eu", "us")


def step(message: str) -> float:
    print(f"==> {message}", flush=True)
    return time.monotonic()


def changes_per_appliance(tf: Terraform) -> dict[str, list[str]]:
    tf.run("plan", "-input=false", "-no-color", "-out=demo.tfplan")
    plan = json.loads(tf.run("show", "-json", "demo.tfplan").stdout)
    provider_of = {
        r["address"]: r.get("provider_config_key", "")
        for r in plan.get("configuration", {}).get("root_module", {}).get("resources", [])
    }
    changes: dict[str, list[str]] = defaultdict(list)
    for rc in plan.get("resource_changes", []):
        actions = rc["change"]["actions"]
        if actions not in (["no-op"], ["read"]):
            changes[provider_of.get(rc["address"], "?")].append(f"{rc['address']}: {'/'.join(actions)}")
    return changes


def summary(site: str, sim: RunningSimulator) -> None:
    s = sim.session()

    def get(path: str) -> Any:
        resp = s.get(f"{sim.url}/api/configuration/{path}")
        resp.raise_for_status()
        return resp.json()

    def name_of(collection: str, ref: Any) -> str:
        return str(get(f"{collection}/{ref['key']}")["body"]["name"])

    audits = [i["body"]["name"] for i in get("policies/audit_policies")["items"]]
    print(f"  {site} ({sim.url}):")
    print(f"    audit policies:       {', '.join(audits)}")
    for item in get("mssql/connections")["items"]:
        body = item["body"]
        server = body["server_address"]
        target = (
            f"{server.get('address')}:{server.get('port')}" if server["selection"] == "fix" else server["selection"]
        )
        print(
            f"    mssql connection:     {body['name']} -> {target}, audit policy "
            f"{name_of('policies/audit_policies', body['policies']['audit_policy'])}, "
            f"clients {', '.join(body['network']['clients'])}"
        )
    options = get("mssql/options")["body"]
    print(f"    mssql options:        service {json.dumps(options['service'])}")

    for protocol in ("ssh", "rdp", "telnet"):
        for item in get(f"{protocol}/connections")["items"]:
            body = item["body"]
            policies = body["policies"]
            channel = get(f"{protocol}/channel_policies/{policies['channel_policy']['key']}")["body"]
            times = [rule.get("allowed_for", {}).get("time_policy") for rule in channel["rules"]]
            rules = ", ".join(
                f"{rule['channel']} when {name_of('policies/time_policies', time) if time else 'always'}"
                for rule, time in zip(channel["rules"], times, strict=True)
            )
            print(
                f"    {protocol + ' connection:':<22}{body['name']} -> {', '.join(body['network']['targets'])}, "
                f"audit policy {name_of('policies/audit_policies', policies['audit_policy'])}, "
                f"channel policy {channel['name']} ({rules})"
            )


def main() -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    t = step("starting two SPS simulators (eu, us)")
    sims = {site: start_simulator(WORK / f"simulator-{site}") for site in SITES}
    try:
        for site, sim in sims.items():
            print(f"    {site}: {sim.url}")
        env = dict(
            os.environ,
            SPS_USERNAME="admin",
            SPS_PASSWORD="admin",
            SPS_DEMO_STATE=str(WORK / "terraform.tfstate"),
            JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="18,20",
        )
        for site, sim in sims.items():
            env[f"SPS_{site.upper()}_URL"] = sim.url
            env[f"SPS_{site.upper()}_CA_BUNDLE"] = sim.ca or ""
        t = step("cdktf synth (python stacks/demo.py)")
        subprocess.run([sys.executable, str(ROOT / "stacks" / "demo.py")], cwd=ROOT, env=env, check=True)
        synth_seconds = time.monotonic() - t
        print(f"    synthesized in {synth_seconds:.2f}s -> cdktf.out/stacks/demo/cdk.tf.json")
        workdir = ROOT / "cdktf.out" / "stacks" / "demo"
        tf = Terraform(workdir, env={k: env[k] for k in env if k.startswith("SPS_")})
        t = step("terraform init")
        # The committed lock file (`make lock`): init verifies the mirror's package against it.
        shutil.copyfile(ROOT / "stacks" / "demo.terraform.lock.hcl", workdir / ".terraform.lock.hcl")
        try:
            tf.run("init", "-input=false", "-no-color")
        except TerraformError as exc:
            if "checksums previously recorded" in exc.stderr:
                print("the provider changed since stacks/demo.terraform.lock.hcl was written: run `make lock` and "
                      "commit the lock files with the change (make demo verifies them, never rewrites them)",
                      file=sys.stderr)  # fmt: skip
            raise
        t = step("terraform apply")
        out = tf.apply().stdout
        print("    " + [ln for ln in out.splitlines() if ln.startswith("Apply complete")][-1])
        print(f"    applied in {time.monotonic() - t:.2f}s")
        step("terraform plan (must show no changes)")
        changes = changes_per_appliance(tf)
        for site in SITES:
            pending = changes.get(f"sps.{site}", [])
            print(f"    {site}: " + ("no changes" if not pending else f"{len(pending)} change(s): {pending}"))
        step("what is on each appliance now (read back over the REST API)")
        for site, sim in sims.items():
            summary(site, sim)
        if any(changes.values()):
            print("FAILED: the second plan is not empty", file=sys.stderr)
            return 1
        print("demo finished: no changes on eu and us")
        return 0
    finally:
        for sim in sims.values():
            sim.stop()


if __name__ == "__main__":
    sys.exit(main())
