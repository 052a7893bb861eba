"""`cdktf synth` (the real cdktf-cli, installed by `make`) works with the project's cdktf.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"


def without_metadata(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("//", "terraform")}


def test_cdktf_cli_synth_matches_plain_python_synth(tmp_path: Path, provider_mirror: Path) -> None:
    assert CDKTF.exists(), "cdktf-cli is missing: run `make install` (npm ci)"
    env = dict(os.environ, CI="1", TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"), SPS_DEMO_STATE="demo.tfstate")
    cli_out = tmp_path / "cli"
    result = subprocess.run([str(CDKTF), "synth", "--output", str(cli_out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    subprocess.run([sys.executable, str(ROOT / "stacks" / "demo.py")], cwd=tmp_path, env=env, check=True)
    by_cli = json.loads((cli_out / "stacks" / "demo" / "cdk.tf.json").read_text())
    by_python = json.loads((tmp_path / "cdktf.out" / "stacks" / "demo" / "cdk.tf.json").read_text())
    assert without_metadata(by_cli) == without_metadata(by_python)
    assert set(by_cli["resource"]) == {
        "sps_audit_policy",
        "sps_mssql_connection_policy",
        "sps_mssql_options",
        "sps_rdp_connection_policy",
        "sps_ssh_channel_policy",
        "sps_ssh_connection_policy",
        "sps_telnet_channel_policy",
        "sps_telnet_connection_policy",
        "sps_time_policy",
        "sps_usermapping_policy",
    }
