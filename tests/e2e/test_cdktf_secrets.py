"""CDKTF users get what HCL users have: `ephemeral_variable` keeps a secret out of saved plan files
(a plain sensitive TerraformVariable does not), and a user's own stack run outside `make` shows no
Node end-of-life banner."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from sps_harness import RunningSimulator, Terraform

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cdktf" / "ldap_secret.py"
SECRET = "Ephemeral-Probe-7f3a91"
EPHEMERAL = 'ephemeral_variable(stack, "ldap_bind_password", description="the LDAP bind password")'
SENSITIVE = 'TerraformVariable(stack, "ldap_bind_password", type="string", sensitive=True)'


def synth(script: Path, cwd: Path, sim: RunningSimulator) -> Terraform:
    env = dict(os.environ, SPS_URL=sim.url)
    subprocess.run([sys.executable, str(script)], cwd=cwd, env=env, check=True, capture_output=True)
    return Terraform(cwd / "cdktf.out" / "stacks" / "ldap", env={
        "SPS_CA_BUNDLE": sim.ca or "", "SPS_USERNAME": "admin", "SPS_PASSWORD": "admin",
        "TF_VAR_ldap_bind_password": SECRET})  # fmt: skip


def secret_in_plan(tf: Terraform) -> list[str]:
    """Where the secret occurs: the members of the saved plan (a zip) and `terraform show -json`."""
    tf.run("plan", "-input=false", "-no-color", "-out=ldap.tfplan")
    with zipfile.ZipFile(tf.workdir / "ldap.tfplan") as zf:
        found = [name for name in zf.namelist() if SECRET.encode() in zf.read(name)]
    if SECRET in tf.run("show", "-json", "ldap.tfplan").stdout:
        found.append("terraform show -json")
    return found


def test_an_ephemeral_variable_reaches_sps_but_no_plan_file(tmp_path: Path, simulator: RunningSimulator,
                                                            provider_mirror: Path) -> None:  # fmt: skip
    tf = synth(EXAMPLE, tmp_path, simulator)
    variable = json.loads((tf.workdir / "cdk.tf.json").read_text())["variable"]["ldap_bind_password"]
    assert variable["ephemeral"] is True and variable["sensitive"] is True
    tf.init()
    assert secret_in_plan(tf) == []
    tf.run("apply", "-input=false", "-no-color", "ldap.tfplan")
    (key,) = [r["bind_password"] for address, r in tf.resources().items() if address.startswith("sps_ldap_server.")]
    expected = hashlib.sha256(json.dumps({"plain": SECRET}, sort_keys=True).encode()).hexdigest()
    assert simulator.committed()["passwords"][key]["sha256"] == expected, "SPS received the secret"
    assert SECRET not in tf.run("state", "pull").stdout


def test_a_sensitive_variable_would_be_in_the_plan_file(tmp_path: Path, simulator: RunningSimulator,
                                                        provider_mirror: Path) -> None:  # fmt: skip
    """The control: the same stack with cdktf's own sensitive variable leaks into the saved plan."""
    source = EXAMPLE.read_text()
    assert EPHEMERAL in source
    script = tmp_path / "sensitive.py"
    source = source.replace(EPHEMERAL, SENSITIVE).replace("import App,", "import App, TerraformVariable,")
    script.write_text(source)
    tf = synth(script, tmp_path, simulator)
    tf.init()
    assert secret_in_plan(tf), "a sensitive variable's value is saved in the plan"


def test_a_users_stack_outside_make_shows_no_node_banner(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"}
    result = subprocess.run([sys.executable, str(EXAMPLE)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "end-of-life" not in result.stderr and "!!" not in result.stderr, result.stderr
    assert (tmp_path / "cdktf.out" / "stacks" / "ldap" / "cdk.tf.json").exists()
