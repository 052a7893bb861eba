"""The provider page's examples work as written: two appliances with different credentials, in
HCL and from CDKTF, applied by the real terraform against two simulators that accept different
users. Only the URLs and CA files are replaced by the simulators'; the credentials come in as the
examples say (TF_VAR_*), and the passwords reach no state file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, Terraform, start_simulator
from tests.support.audit_policies import AUDIT

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = {"eu": ("eu-operator", "Eu-Secret-41"), "us": ("us-operator", "Us-Secret-97")}


@pytest.fixture
def appliances(tmp_path: Path) -> Iterator[dict[str, RunningSimulator]]:
    sims: dict[str, RunningSimulator] = {}
    try:
        for site, (user, password) in CREDENTIALS.items():
            sim = start_simulator(tmp_path / f"sim-{site}", "--username", user, "--password", password)
            sims[site] = sim
        yield sims
    finally:
        for sim in sims.values():
            sim.stop()


def credentials() -> dict[str, str]:
    env = {}
    for site, (user, password) in CREDENTIALS.items():
        env[f"TF_VAR_{site}_username"], env[f"TF_VAR_{site}_password"] = user, password
    return env


def apply_and_check(tf: Terraform, sims: dict[str, RunningSimulator]) -> None:
    tf.init()
    tf.apply()
    for sim in sims.values():
        assert [b["name"] for b in sim.committed()[AUDIT].values()].count("timestamped") == 1
    assert not tf.plan_changes()
    state = tf.run("state", "pull").stdout
    assert all(password not in state for _, password in CREDENTIALS.values())


def test_the_hcl_example_applies_to_two_appliances(tmp_path: Path, appliances: dict[str, RunningSimulator],
                                                   provider_mirror: Path) -> None:  # fmt: skip
    text = (ROOT / "examples/two_appliances/main.tf").read_text()
    for site, sim in appliances.items():
        assert f"https://sps-{site}.example.net" in text and f"/etc/ssl/sps-{site}-ca.pem" in text
        text = text.replace(f"https://sps-{site}.example.net", sim.url).replace(
            f"/etc/ssl/sps-{site}-ca.pem", sim.ca or ""
        )
    work = tmp_path / "hcl"
    work.mkdir()
    (work / "main.tf").write_text(text)
    apply_and_check(Terraform(work, env=credentials()), appliances)


def test_the_cdktf_example_applies_to_two_appliances(tmp_path: Path, appliances: dict[str, RunningSimulator],
                                                     provider_mirror: Path) -> None:  # fmt: skip
    script = ROOT / "examples/cdktf/two_appliances.py"
    subprocess.run([sys.executable, str(script)], cwd=tmp_path, check=True, capture_output=True)
    workdir = tmp_path / "cdktf.out" / "stacks" / "two-appliances"
    synthesized = json.loads((workdir / "cdk.tf.json").read_text())
    assert "Secret" not in json.dumps(synthesized)
    for provider in synthesized["provider"]["sps"]:
        sim = appliances[provider["alias"]]
        assert provider["url"] == f"https://sps-{provider['alias']}.example.net"
        provider.update(url=sim.url, ca_bundle=sim.ca)
    (workdir / "cdk.tf.json").write_text(json.dumps(synthesized))
    apply_and_check(Terraform(workdir, env=credentials()), appliances)
