"""The constructs on cdktn (CDK Terrain, the maintained fork of cdktf) through sps_constructs.cdk, in
a virtualenv of its own that has cdktn and no cdktf, installed from requirements-cdktn.lock with
every hash checked. The virtualenv is cached under ~/.cache/sps-as-code (XDG_CACHE_HOME), keyed by
that lock, so CI can keep it between runs; the checkout's code comes in through PYTHONPATH."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PTH = ROOT / "constructs" / "sps_constructs_node.pth"
LOCK = ROOT / "requirements-cdktn.lock"
STACK = """
import sys
from cdktn import App, TerraformStack
from sps_constructs import Appliance, AuditPolicy, AuditPolicyEncryptionDisabled, AuditPolicySigningDisabled
from sps_constructs import ephemeral_variable
from sps_constructs.cdk import cdk

app = App(outdir=sys.argv[1])
stack = TerraformStack(app, "tn")
sps = Appliance(stack, "eu", url="https://sps-eu.example.net")
AuditPolicy(sps, "signed", name="signed", timestamping_enabled=True,
            encryption=AuditPolicyEncryptionDisabled(), signing=AuditPolicySigningDisabled())
ephemeral_variable(stack, "bind_password")
app.synth()
print(cdk.__name__)
"""


def cdktn_venv() -> Path:
    """A virtualenv with only cdktn (and what it requires) plus the package's .pth, built once per lock."""
    key = hashlib.sha256("\n".join([sys.version, PTH.read_text(), LOCK.read_text()]).encode()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sps-as-code"
    venv = cache / f"cdktn-{key}"
    if (venv / ".complete").exists():
        return venv
    stage = cache / f".cdktn-{key}-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(stage)], check=True)
    subprocess.run([str(stage / "bin" / "python"), "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps",
                    "--only-binary", ":all:", "-r", str(LOCK)], check=True)  # fmt: skip
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([str(stage / "bin" / "python"), "-c", where], capture_output=True, text=True, check=True)
    shutil.copy(PTH, purelib.stdout.strip())
    (stage / ".complete").touch()
    try:
        stage.rename(venv)
    except OSError:  # another run finished first
        shutil.rmtree(stage, ignore_errors=True)
    return venv


def test_the_constructs_synthesize_on_cdktn(tmp_path: Path) -> None:
    python = str(cdktn_venv() / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "SPS_CDK")}
    env["PYTHONPATH"] = f"{ROOT / 'constructs'}:{ROOT / 'catalog'}"
    no_cdktf = subprocess.run([python, "-c", "import cdktf"], env=env, capture_output=True, text=True)
    assert no_cdktf.returncode != 0, "the cdktn virtualenv must not have cdktf"
    script = tmp_path / "stack.py"
    script.write_text(STACK)
    result = subprocess.run([python, str(script), str(tmp_path / "out")], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["cdktn"]
    assert "end-of-life" not in result.stderr, result.stderr
    synth = json.loads((tmp_path / "out" / "stacks" / "tn" / "cdk.tf.json").read_text())
    (policy,) = synth["resource"]["sps_audit_policy"].values()
    assert policy["name"] == "signed" and policy["provider"] == "sps.eu"
    assert synth["variable"]["bind_password"]["ephemeral"] is True
    assert synth["terraform"]["required_providers"]["sps"]["source"] == "oneidentity/sps"
