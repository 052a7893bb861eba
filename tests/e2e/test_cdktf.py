"""The CDKTF path: a Python stack with two appliances, synthesized and applied by the real terraform."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sps_harness import Terraform, start_simulator

ROOT = Path(__file__).resolve().parents[2]


def test_demo_stack_drives_two_appliances(tmp_path: Path, provider_mirror: Path) -> None:
    sims = {site: start_simulator(tmp_path / site) for site in ("eu", "us")}
    try:
        env = dict(os.environ, SPS_DEMO_STATE=str(tmp_path / "terraform.tfstate"), SPS_USERNAME="admin",
                   SPS_PASSWORD="admin")  # fmt: skip
        for site, sim in sims.items():
            env[f"SPS_{site.upper()}_URL"] = sim.url
            env[f"SPS_{site.upper()}_CA_BUNDLE"] = sim.ca or ""
        subprocess.run([sys.executable, str(ROOT / "stacks" / "demo.py")], cwd=tmp_path, env=env, check=True)
        workdir = tmp_path / "cdktf.out" / "stacks" / "demo"
        tf = Terraform(workdir, env={k: v for k, v in env.items() if k.startswith("SPS_")})
        tf.init()
        tf.apply()
        assert not tf.plan_changes()
        for site, sim in sims.items():
            committed = sim.committed()
            audits = {k: b["name"] for k, b in committed["policies/audit_policies"].items()}
            (conn,) = committed["mssql/connections"].values()
            assert audits[conn["policies"]["audit_policy"]] == f"{site}_timestamped", (
                "references stay on their appliance"
            )
            assert conn["server_address"]["selection"] == "fix"
            assert committed["mssql/options"]["options"]["service"] == {"enabled": True, "log_level": 4}
            (ssh,) = committed["ssh/connections"].values()
            (rdp,) = committed["rdp/connections"].values()
            audit_keys = {c["policies"]["audit_policy"] for c in (conn, ssh, rdp)}
            assert len(audit_keys) == 1, "the three connection policies are recorded by the site's audit policy"
            (rule,) = committed["ssh/channel_policies"][ssh["policies"]["channel_policy"]]["rules"]
            assert committed["policies/time_policies"][rule["allowed_for"]["time_policy"]]["name"] == "office_hours"
            assert rdp["policies"]["channel_policy"] == "-20100", "the built-in RDP channel policy"
        tf.destroy()
        for sim in sims.values():
            left = sim.committed()
            assert left["mssql/connections"] == left["ssh/connections"] == left["rdp/connections"] == {}
    finally:
        for sim in sims.values():
            sim.stop()
