"""The README's commands: `sps-provider-install` into a mirror, `sps-simulator` started by hand,
and a plain HCL configuration applied by terraform through TF_CLI_CONFIG_FILE."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path


def console_script(name: str) -> str:
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is not installed next to {sys.executable}"
    return str(path)


def test_hand_started_simulator_and_installed_provider_run_plain_hcl(tmp_path: Path) -> None:
    mirror, tfrc = tmp_path / "mirror", tmp_path / "sps.tfrc"
    out = subprocess.run([console_script("sps-provider-install"), "--mirror", str(mirror), "--tfrc", str(tfrc)],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert f"export TF_CLI_CONFIG_FILE={tfrc}" in out
    sim = subprocess.Popen(
        [console_script("sps-simulator"), "--port", "0", "--state", str(tmp_path / "sim" / "sps.sqlite3")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert sim.stdout is not None
        line = sim.stdout.readline()
        m = re.match(r"sps-simulator listening on (https://127\.0\.0\.1:\d+) \(state .*, CA (.*)\)$", line.strip())
        assert m, line
        url, ca = m.groups()
        work = tmp_path / "hcl"
        work.mkdir()
        (work / "main.tf").write_text(f"""
terraform {{
  required_providers {{
    sps = {{ source = "oneidentity/sps" }}
  }}
}}
provider "sps" {{
  url       = "{url}"
  ca_bundle = "{ca}"
}}
data "sps_audit_policy" "default" {{
  name = "default"
}}
resource "sps_mssql_options" "this" {{
  service = {{ enabled = true, log_level = 5 }}
}}
output "default_audit_policy" {{
  value = data.sps_audit_policy.default.key
}}
""")
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(tfrc), CHECKPOINT_DISABLE="1", SPS_USERNAME="admin",
                   SPS_PASSWORD="admin")  # fmt: skip
        terraform = shutil.which("terraform") or "terraform"
        for args in (["init", "-no-color"], ["apply", "-auto-approve", "-no-color"]):
            result = subprocess.run([terraform, *args], cwd=work, env=env, capture_output=True, text=True)
            assert result.returncode == 0, result.stdout + result.stderr
        assert 'default_audit_policy = "78101850949e47437dd91d"' in result.stdout
        plan = subprocess.run([terraform, "plan", "-detailed-exitcode", "-no-color"], cwd=work, env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert plan.returncode == 0, plan.stdout + plan.stderr
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait(15)
