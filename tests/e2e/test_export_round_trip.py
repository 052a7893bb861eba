"""`sps-export` round trip through the real terraform and a real simulator process.

A simulator holding every managed type the catalog has (from the examples, over REST: objects
referencing each other, built-ins referenced, singletons changed from their defaults, write-only
secrets) and, with `--extra-fields`, fields the catalog does not model in every object, is
exported; the code passes its checks (`terraform fmt -check`; ruff and mypy --strict); the first
plan only imports; apply; the plan is then empty; a change made in the generated code applies.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_catalog import load_catalog
from sps_catalog.firmware import DEFAULT_FIRMWARE
from sps_harness import RunningSimulator, Terraform, start_simulator
from sps_harness.populate import populate
from tests.support.firmware import firmware_for
from tests.support.paths import ROOT

CATALOG = load_catalog()
BIN = Path(sys.executable).parent
CREDENTIALS = {"SPS_USERNAME": "admin", "SPS_PASSWORD": "admin"}
RENAMED = "tf_audit_full"  # the audit policy example the change renames
FIRMWARE = firmware_for(CATALOG.managed)
TYPED = ("--typed-only",)
"""The typed resources' round trip; the whole tree's (generic resources too) is test_export_tree's."""


@pytest.fixture
def appliance(tmp_path: Path) -> Iterator[RunningSimulator]:
    sim = start_simulator(tmp_path / "simulator", "--extra-fields", *FIRMWARE)
    made = populate(CATALOG, sim.session(), sim.url, FIRMWARE[1] if FIRMWARE else DEFAULT_FIRMWARE).made
    ordered = {ref.split("/")[0] for ref in made if CATALOG[ref.split("/")[0]].is_ordered}
    sim.objects_made = len(made) + len(ordered)  # type: ignore[attr-defined]  # + one order resource each
    yield sim
    sim.stop()


def export(sim: RunningSimulator, out: Path, *extra: str, password: str = "admin") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "sps-export"), "--url", sim.url, "--ca-bundle", str(sim.ca), "--out", str(out), *TYPED, *extra],
        env={**os.environ, **CREDENTIALS, "SPS_PASSWORD": password},
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_round_trip(tf: Terraform, sim: RunningSimulator) -> None:
    """The first plan imports every object populated and changes nothing; after apply it is empty."""
    tf.init()
    plan = tf.run("plan", "-no-color", "-input=false").stdout
    imports = sim.objects_made  # type: ignore[attr-defined]
    assert f"Plan: {imports} to import, 0 to add, 0 to change, 0 to destroy" in plan, plan
    tf.apply()
    assert not tf.plan_changes(), "after adopting, the plan must be empty"


def test_export_writes_checked_code_and_reports_every_type(appliance: RunningSimulator, tmp_path: Path) -> None:
    result = export(appliance, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    for t in CATALOG.managed:  # progress names every managed type, the summary each one written
        assert f"{t.resource_type}: " in result.stderr
    hcl, py = tmp_path / "out" / "hcl", tmp_path / "out" / "python"
    subprocess.run(["terraform", "fmt", "-check", "-diff", str(hcl)], check=True, capture_output=True, text=True)
    # the editable install's import hook is invisible to mypy: it is shown where the packages are
    env = {**os.environ, "MYPYPATH": f"{ROOT / 'constructs'}:{ROOT / 'catalog'}"}
    for tool in (["ruff", "check", "main.py"], ["mypy", "main.py"]):
        checked = subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=py, env=env, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "secret-for" not in (py / "main.py").read_text()
    main_tf, main_py = (hcl / "main.tf").read_text(), (py / "main.py").read_text()
    for t in (CATALOG["timezone"], CATALOG["ntp_servers"]):  # bare-value bodies are exported typed too
        assert f'resource "{t.resource_type}" ' in main_tf
    assert 'timezone = "America/Argentina/Buenos_Aires"' in main_tf and '"ntp2.example.net",' in main_tf
    assert 'timezone="America/Argentina/Buenos_Aires"' in main_py and "NtpServers(" in main_py
    readme = (hcl / "README.md").read_text()
    for name in re.findall(r'variable "(\w+)"', (hcl / "variables.tf").read_text()):
        assert f"`{name}`" in readme, f"the README lists the secret {name}"


def test_hcl_round_trip(appliance: RunningSimulator, tmp_path: Path, provider_mirror: Path) -> None:
    assert export(appliance, tmp_path / "out", "--format", "hcl").returncode == 0
    work = tmp_path / "out" / "hcl"
    assert 'variable "' in (work / "variables.tf").read_text(), "the populated appliance holds secrets"
    tf = Terraform(work, env=dict(CREDENTIALS))  # adopting needs no secret values: nothing is sent
    assert_round_trip(tf, appliance)
    main, renamed = re.subn(rf'(\n  name\s+= )"{RENAMED}"\n', r'\1"renamed_by_hcl"\n', (work / "main.tf").read_text())
    assert renamed == 1
    (work / "main.tf").write_text(main)
    assert "0 to add, 1 to change, 0 to destroy" in tf.run("plan", "-no-color").stdout
    tf.apply()
    names = [o["name"] for o in appliance.committed()[CATALOG["audit_policy"].path].values()]
    assert "renamed_by_hcl" in names and RENAMED not in names


def test_python_round_trip(appliance: RunningSimulator, tmp_path: Path, provider_mirror: Path) -> None:
    assert export(appliance, tmp_path / "out", "--format", "python", "--appliance-name", "adopted").returncode == 0
    work = tmp_path / "out" / "python"

    def synth() -> Terraform:
        env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "18,20"}
        subprocess.run([sys.executable, "main.py"], cwd=work, env=env, check=True, capture_output=True, text=True)
        stack = work / "cdktf.out" / "stacks" / "adopted"
        variables = json.loads((stack / "cdk.tf.json").read_text()).get("variable", {})
        assert variables and all(v["default"] is None for v in variables.values()), variables
        return Terraform(stack, env=dict(CREDENTIALS))  # adopting needs no secret values

    tf = synth()
    assert_round_trip(tf, appliance)
    main = (work / "main.py").read_text()
    assert main.count(f'name="{RENAMED}"') == 1
    (work / "main.py").write_text(main.replace(f'name="{RENAMED}"', 'name="renamed_by_python"'))
    tf = synth()
    assert "0 to add, 1 to change, 0 to destroy" in tf.run("plan", "-no-color").stdout
    tf.apply()
    names = [o["name"] for o in appliance.committed()[CATALOG["audit_policy"].path].values()]
    assert "renamed_by_python" in names and RENAMED not in names
    shutil.rmtree(work / "cdktf.out", ignore_errors=True)


def test_a_type_that_cannot_be_read_is_reported_and_the_others_are_written(
    appliance: RunningSimulator, tmp_path: Path
) -> None:
    audit = CATALOG["audit_policy"]
    appliance.set_faults(drop=[{"method": "GET", "path": audit.api_path, "when": "before", "count": 10}])
    result = export(appliance, tmp_path / "out", "--format", "hcl")
    assert result.returncode == 1, result.stderr
    assert f"not read: {audit.resource_type}: " in result.stderr
    main = (tmp_path / "out" / "hcl" / "main.tf").read_text()
    assert f'resource "{audit.resource_type}"' not in main
    assert 'resource "sps_content_policy"' in main, "the other types are written"
    assert f"`{audit.resource_type}`: could not be read" in (tmp_path / "out" / "hcl" / "README.md").read_text()


def test_check_runs_the_baseline_against_the_appliance(appliance: RunningSimulator, tmp_path: Path) -> None:
    result = export(appliance, tmp_path / "out", "--check", "--json")
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)
    audit = {f["object"].split("'")[1] for f in found if f["rule"] == "SPS-AUDIT-1"}
    assert "tf_audit_minimal" in audit and "tf_audit_full" not in audit
    assert all(f["statement"] and f["severity"] in ("high", "medium", "low") for f in found)
    assert not (tmp_path / "out").exists(), "--check writes no code"
    text = export(appliance, tmp_path / "out", "--check", "--fail-on", "high")
    assert "SPS-AUDIT-1 sps_audit_policy 'tf_audit_minimal'" in text.stdout


def test_a_refused_login_writes_nothing_and_is_not_repeated(appliance: RunningSimulator, tmp_path: Path) -> None:
    before = appliance.stats()
    result = export(appliance, tmp_path / "o", password="wrong")
    assert result.returncode == 2, result.stderr
    assert "sps-export: " in result.stderr and not (tmp_path / "o").exists()
    after = appliance.stats()
    assert after["failed_logins"] - before["failed_logins"] == 1, (before, after)


def test_only_the_types_asked_for_are_exported_and_the_rest_are_looked_up(
    appliance: RunningSimulator, tmp_path: Path
) -> None:
    result = export(appliance, tmp_path / "out", "--format", "hcl", "--only", "sps_system_backup")
    assert result.returncode == 0, result.stderr
    assert "[1/1] sps_system_backup: 1 objects" in result.stderr
    main = (tmp_path / "out" / "hcl" / "main.tf").read_text()
    assert re.findall(r'^resource "(\w+)"', main, re.M) == ["sps_system_backup"]
    assert 'data "sps_backup_policy"' in main, "the referenced backup policy is looked up by key"


def test_an_untrusted_certificate_names_the_command_line_options(simulator: RunningSimulator, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "sps-export"), "--url", simulator.url, "--out", str(tmp_path / "out")],
        env={**os.environ, **CREDENTIALS, "SPS_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": "", "SSL_CERT_FILE": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "--ca-bundle" in result.stderr and "--insecure" in result.stderr, result.stderr
    assert "`ca_bundle`" not in result.stderr and not (tmp_path / "out").exists()
