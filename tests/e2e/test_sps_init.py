"""A team's own repository, end to end, as a new user meets it: `sps-init` in an empty folder outside
this checkout, the wheel `make dist` builds, `make setup` (a new virtualenv from the hash-pinned
requirements, the provider into the repository's own mirror), `make apply` against two simulators
with the state in PostgreSQL, a second `make plan` that changes nothing, `mypy --strict main.py`,
and CI files that parse and name every appliance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from sps_harness import postgres, start_simulator
from sps_harness.wheel import build as build_wheel
from tests.support.paths import ROOT

APPLIANCES = ("lab", "prod")


def make(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["make", "-C", str(repo), *args], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"make {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def counts(report: Path) -> dict[str, tuple[Any, ...]]:
    rows = json.loads(report.read_text())
    return {r["name"]: (r["error"] or None, r["added"], r["changed"], r["destroyed"]) for r in rows}


def test_sps_init_gives_a_repository_that_plans_applies_and_type_checks(
    tmp_path: Path, pg_cluster: postgres.Cluster
) -> None:
    wheel = build_wheel(tmp_path / "dist")
    repo = tmp_path / "team-sps"
    init = subprocess.run(
        [sys.executable, "-m", "sps_init.cli", str(repo), "--wheel", str(wheel), "--appliances", ",".join(APPLIANCES)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    written = [p for p in repo.rglob("*") if p.is_file()]
    assert {p.relative_to(repo).as_posix() for p in written} >= {
        "cdktf.json", "main.py", "Makefile", ".gitignore", "README.md", "requirements.txt",
        ".terraform.lock.hcl", ".github/workflows/sps.yml", ".gitlab-ci.yml", f"vendor/{wheel.name}",
    }  # fmt: skip
    for path in written:
        data = path.read_bytes()
        assert str(ROOT).encode() not in data and str(tmp_path).encode() not in data, f"{path} holds a local path"
    assert (repo / ".terraform.lock.hcl").read_text() == (ROOT / "examples" / "hcl" / ".terraform.lock.hcl").read_text()

    github = yaml.safe_load((repo / ".github" / "workflows" / "sps.yml").read_text())
    gitlab = yaml.safe_load((repo / ".gitlab-ci.yml").read_text())
    for name in APPLIANCES:
        assert f"SPS_{name.upper()}_URL" in github["env"]
    assert "sps-fleet list --app main.py --json" in github["jobs"]["fleet"]["steps"][-1]["run"]
    assert "fromJSON(needs.fleet.outputs.appliances)" in github["jobs"]["deploy"]["strategy"]["matrix"]["appliance"]
    assert gitlab["deploy"]["parallel"]["matrix"] == [{"APPLIANCE": list(APPLIANCES)}]
    for script in (github["jobs"]["fleet"]["steps"][-1]["run"], " ".join(gitlab["fleet"]["script"])):
        assert f"--expect {','.join(APPLIANCES)}" in script

    sims = {name: start_simulator(tmp_path / f"sim-{name}") for name in APPLIANCES}
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "SPS_", "TF_CLI"))}
        env.update(pg_cluster.env(), SPS_USERNAME="admin", SPS_PASSWORD="admin", SPS_STATE_SCHEMA_PREFIX="team_")
        for name, sim in sims.items():
            env[f"SPS_{name.upper()}_URL"] = sim.url
            env[f"SPS_{name.upper()}_CA_BUNDLE"] = sim.ca or ""
        make(repo, env, "setup")
        fleet = [str(repo / ".venv" / "bin" / "sps-fleet"), "list", "--app", "main.py", "--json", "--expect"]
        listed = subprocess.run([*fleet, ",".join(APPLIANCES)], cwd=repo, env=env, capture_output=True, text=True)
        assert listed.returncode == 0, listed.stderr
        assert [row["name"] for row in json.loads(listed.stdout)] == list(APPLIANCES)

        make(repo, env, "apply", "ARGS=--report first.json")
        first = counts(repo / "first.json")
        assert first == {name: (None, 2, 0, 0) for name in APPLIANCES}, first
        for sim in sims.values():
            names = {o["name"] for o in sim.committed().get("mssql/connections", {}).values()}
            assert names == {"finance_db"}
        make(repo, env, "plan", "ARGS=--report second.json")
        assert counts(repo / "second.json") == {name: (None, 0, 0, 0) for name in APPLIANCES}
    finally:
        for sim in sims.values():
            sim.stop()

    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-executable", str(repo / ".venv" / "bin" / "python"), "--strict",
         "--no-incremental", "main.py"],
        cwd=repo, capture_output=True, text=True,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout


def test_sps_init_refuses_a_folder_with_files_and_bad_names(tmp_path: Path) -> None:
    wheel = tmp_path / "sps_as_code-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "main.py").write_text("# mine\n")
    cases = [
        ([str(taken), "--wheel", str(wheel)], "is not an empty folder"),
        ([str(tmp_path / "new"), "--wheel", str(wheel), "--appliances", "eu,EU-1"], "appliance name 'EU-1' must match"),
        ([str(tmp_path / "new"), "--wheel", str(wheel), "--appliances", "eu,eu"], "names an appliance twice"),
        ([str(tmp_path / "new"), "--wheel", str(tmp_path / "missing.whl")], "not a wheel file"),
    ]
    for args, message in cases:
        result = subprocess.run([sys.executable, "-m", "sps_init.cli", *args], capture_output=True, text=True)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert (taken / "main.py").read_text() == "# mine\n"
    assert not (tmp_path / "new").exists()
