"""`sps-fleet apply` on three appliances of stacks/fleet.py (three simulators, state in the project's
PostgreSQL, one schema per appliance) through real terraform: one appliance refuses its commit,
the others are deployed anyway, the exit status and the last line name the failed one; once it
is fixed, a second run deploys only it and changes nothing elsewhere."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_harness import RunningSimulator, postgres, start_simulator
from tests.support.paths import ROOT

SITES = ("ams", "fra", "lon")


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[dict[str, RunningSimulator]]:
    started: dict[str, RunningSimulator] = {}
    try:
        for site in SITES:
            started[site] = start_simulator(tmp_path / f"sim-{site}")
        yield started
    finally:
        for sim in started.values():
            sim.stop()


def run_fleet(
    tmp_path: Path, env: dict[str, str], run: str, command: str = "apply", *extra: str,
    lock_file: Path = ROOT / "stacks" / "fleet.terraform.lock.hcl",
) -> tuple[subprocess.CompletedProcess[str], list[Any]]:  # fmt: skip
    report = tmp_path / f"{run}.json"
    app, out = str(ROOT / "stacks" / "fleet.py"), str(tmp_path / "out")
    cmd = [sys.executable, "-m", "sps_fleet.runner", command, "--app", app, "--out", out,
           "--only", ",".join(SITES), "--parallel", "2", "--report", str(report),
           "--lock-file", str(lock_file), *extra]  # fmt: skip
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    return result, json.loads(report.read_text()) if report.exists() else []


def row(report: list[Any], name: str) -> dict[str, Any]:
    return next(o for o in report if o["name"] == name)


def test_fleet_deploys_every_appliance_and_reports_the_failed_one(
    sims: dict[str, RunningSimulator], pg_cluster: postgres.Cluster, provider_mirror: Path, tmp_path: Path
) -> None:
    env = dict(os.environ, **pg_cluster.env(), SPS_USERNAME="admin", SPS_PASSWORD="admin")
    env.update(TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"), SPS_FLEET_SCHEMA_PREFIX=f"t_fleet_{os.getpid()}_")
    for site, sim in sims.items():
        env[f"SPS_{site.upper()}_URL"], env[f"SPS_{site.upper()}_CA_BUNDLE"] = sim.url, sim.ca or ""
    sims["fra"].set_faults(reject_at_commit=["fra_timestamped"])

    planned, report = run_fleet(tmp_path, env, "planned", "plan", "--show-diff")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    for site in SITES:
        text = Path(row(report, site)["plan_text"])
        assert f"==> {site}: {text}" in planned.stdout, "each appliance's plan text and where it is"
        diff = text.read_text()
        assert diff.count(" will be created") == 13 and "Plan: 13 to add, 0 to change, 0 to destroy." in diff
        assert diff.strip() in planned.stdout
        assert not (text.parent / "sps-fleet.tfplan").exists(), "the plan file (configuration values) is gone"
    assert planned.stdout.splitlines()[-1].startswith("3 of 3 appliance(s) ok")

    first, report = run_fleet(tmp_path, env, "first")
    assert first.returncode == 1, first.stdout + first.stderr
    assert first.stderr.strip().splitlines()[-1] == "sps-fleet: 1 of 3 appliance(s) failed: fra"
    for site in ("ams", "lon"):
        assert (row(report, site)["added"], row(report, site)["error"]) == (13, "")
        # how many commits 13 resources take depends on how Terraform's parallel walk meets the
        # group commit (2 on an idle machine, 3 under load): the report counts what the appliance saw
        assert row(report, site)["commits"] == sims[site].stats()["commits"] >= 2, "counted as the appliance saw them"
        assert sims[site].committed()["network/dns"]["dns"] == {"primary": "10.1.0.53", "secondary": "10.2.0.53"}
        assert sims[site].committed()["network/naming"]["naming"]["hostname"] == f"sps-{site}"
        receivers = sims[site].committed()["management/syslog"]["syslog"]["receivers"]
        assert receivers == [{"address": "10.1.0.14", "port": 6514, "protocol": "syslog-tls"}], "the region's server"
        assert {b["name"] for b in sims[site].committed()["mssql/connections"].values()} == {"finance_db"}
        alerts = sims[site].committed()["alerting/system_alerts"]["system_alerts"]
        assert alerts["xcbLoginFailure"] == {"email": True, "snmp": True} and alerts["xcbLogin"]["email"] is False
        traffic = sims[site].committed()["alerting/traffic_alerts"]["traffic_alerts"]
        assert traffic["scbSshHostKeyMismatch"] == {"email": True, "snmp": True}
    assert "sps_audit_policy.fra_signed" in row(report, "fra")["error"], "the error names the refused resource"
    assert row(report, "fra")["commits"] == sims["fra"].stats()["commits"], "counted, though the apply failed"
    assert not sims["fra"].committed().get("mssql/connections"), "nothing that needs the refused policy"
    lines = first.stdout.splitlines()
    assert any(ln.split()[:2] == ["ams", "apply"] for ln in lines), "plain progress lines when not a TTY"
    header = next(i for i, ln in enumerate(lines) if ln.startswith("appliance"))
    assert lines[header].split() == ["appliance", "result", "added", "changed", "destroyed", "commits", "time", "error"]
    assert lines[header + 3].split()[:2] == ["fra", "FAILED"]
    assert lines[-1].startswith("2 of 3 appliance(s) ok, 1 failed")

    sims["fra"].set_faults(reject_at_commit=[])
    second, report = run_fleet(tmp_path, env, "second")
    assert second.returncode == 0, second.stdout + second.stderr
    assert (row(report, "fra")["added"], row(report, "fra")["commits"]) == (2, 2), "the options were applied before"
    assert sims["fra"].committed()["network/dns"]["dns"]["primary"] == "10.2.0.53", "fra's own resolver first"
    assert sims["fra"].committed()["datetime/timezone"]["timezone"] == "Europe/Berlin"
    assert sims["ams"].committed()["datetime/ntp_servers"]["ntp_servers"] == ["10.1.0.123", "10.2.0.123"]
    for site in ("ams", "lon"):
        assert (row(report, site)["added"], row(report, site)["changed"], row(report, site)["commits"]) == (0, 0, 0)
    for site in SITES:
        log = Path(row(report, site)["log"]).read_text()
        assert "$ terraform init: skipped" in log and "$ terraform init " not in log, "initialized by the runs before"
        assert "$ terraform workspace" not in log, "found in the database, selected by the runs before"
    third, report = run_fleet(tmp_path, env, "third", "plan")
    assert third.returncode == 0, third.stdout + third.stderr
    assert "appliance  result  add  change  destroy  commits" in third.stdout
    for site in SITES:
        assert f"{site}: plan text in {row(report, site)['plan_text']}" in third.stdout
        assert "No changes." in Path(row(report, site)["plan_text"]).read_text()
        assert "$ terraform show: skipped" in Path(row(report, site)["log"]).read_text(), "nothing to show"
    assert [(o["added"], o["changed"], o["destroyed"], o["commits"]) for o in report] == [(0, 0, 0, 0)] * 3
    schemas = pg_cluster.psql(f"SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't_fleet_{os.getpid()}_%'")
    assert schemas == "3", "one state schema per appliance"


def test_two_concurrent_applies_on_a_fresh_database_both_succeed(
    sims: dict[str, RunningSimulator], pg_cluster: postgres.Cluster, provider_mirror: Path, tmp_path: Path
) -> None:
    """Two runs at once (two CI pipelines) on a database that holds nothing yet, not even the
    sequence sps-pg start creates: the schemas, tables and workspaces are created once, the second
    run waits for the first's state locks and then finds nothing to do."""
    database = f"t_fresh_{os.getpid()}"
    pg_cluster.psql(f"DROP DATABASE IF EXISTS {database}", database="postgres")
    pg_cluster.psql(f"CREATE DATABASE {database}", database="postgres")
    env = dict(os.environ, SPS_USERNAME="admin", SPS_PASSWORD="admin", TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"))
    env["PG_CONN_STR"] = pg_cluster.conn_str.replace("/terraform?", f"/{database}?")
    for site, sim in sims.items():
        env[f"SPS_{site.upper()}_URL"], env[f"SPS_{site.upper()}_CA_BUNDLE"] = sim.url, sim.ca or ""
    runs = []
    for run in ("a", "b"):
        cmd = [sys.executable, "-m", "sps_fleet.runner", "apply", "--app", str(ROOT / "stacks" / "fleet.py"),
               "--out", str(tmp_path / f"out-{run}"), "--only", ",".join(SITES), "--parallel", "3",
               "--report", str(tmp_path / f"{run}.json"), "--lock-timeout", "300s",
               "--lock-file", str(ROOT / "stacks" / "fleet.terraform.lock.hcl")]  # fmt: skip
        runs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = [proc.communicate(timeout=900)[0] for proc in runs]
    assert [proc.returncode for proc in runs] == [0, 0], "\n".join(outputs)
    reports = [json.loads((tmp_path / f"{run}.json").read_text()) for run in ("a", "b")]
    for site in SITES:
        assert sorted(row(report, site)["added"] for report in reports) == [0, 13], "one run applied, one found it done"
        applied = max((row(report, site) for report in reports), key=lambda r: int(r["added"]))
        # (the report counts the appliance's commits while a run lasts, so the run that waited for
        # the lock may count some of the other's; how many 13 resources take depends on timing)
        assert sims[site].stats()["commits"] == applied["commits"], "every commit is the applying run's"
        assert {b["name"] for b in sims[site].committed()["mssql/connections"].values()} == {"finance_db"}
        states = pg_cluster.psql(f"SELECT name FROM sps_fleet_{site}.states", database=database)
        assert states.split() == [site], "one workspace per stack, created once"
    pg_cluster.psql(f"DROP DATABASE {database} WITH (FORCE)", database="postgres")


def test_a_changed_lock_file_brings_init_back_and_its_failure_counts_no_commits(
    sims: dict[str, RunningSimulator], pg_cluster: postgres.Cluster, provider_mirror: Path, tmp_path: Path
) -> None:
    env = dict(os.environ, **pg_cluster.env(), SPS_USERNAME="admin", SPS_PASSWORD="admin")
    env.update(TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"), SPS_FLEET_SCHEMA_PREFIX=f"t_fleet_init_{os.getpid()}_")
    for site, sim in sims.items():
        env[f"SPS_{site.upper()}_URL"], env[f"SPS_{site.upper()}_CA_BUNDLE"] = sim.url, sim.ca or ""
    good, _ = run_fleet(tmp_path, env, "good", "plan")
    assert good.returncode == 0, good.stdout + good.stderr
    stale = tmp_path / "stale.terraform.lock.hcl"
    locked = (ROOT / "stacks" / "fleet.terraform.lock.hcl").read_text()
    stale.write_text(re.sub(r'"h1:[^"]+"', '"h1:' + "A" * 43 + '="', locked))
    failed, report = run_fleet(tmp_path, env, "stale", "plan", lock_file=stale)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    for site in SITES:
        assert (row(report, site)["commits"], row(report, site)["error"].split(":")[0]) == (None, "init")
        log = row(report, site)["log"]
        assert Path(log).read_text().startswith("$ terraform init")
        line = next(ln for ln in failed.stdout.splitlines() if ln.split()[:2] == [site, "FAILED"])
        assert line.split()[5] == "n/a", "no commit counted: nothing was planned or applied"
        assert line.endswith(f"init: Error: Failed to install provider (log: {log})")
        assert (row(report, site)["started"] or "").endswith("Z"), "report times are ISO 8601 UTC"


def test_a_missing_connection_string_is_named_before_terraform_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    failed, report = run_fleet(tmp_path, env, "unset", "plan")
    assert failed.returncode == 2 and report == [], failed.stdout + failed.stderr
    assert "PG_CONN_STR is not set" in failed.stderr and 'eval "$(sps-pg env)"' in failed.stderr
    assert not list((tmp_path / "out" / "stacks").glob("*/sps-fleet-*.log")), "no terraform ran"
