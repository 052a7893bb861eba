"""`sps-fleet --only` on stacks/fleet.py (8 appliances): the fleet file asks `sps_fleet.wanted`, so
the synth builds the selected appliance's stack alone and the run plans it through real terraform;
an unknown name is still an error that names it; `list` still sees the whole fleet; a fleet file
that does not ask (written before `wanted`), or asks about other names than its stacks', still
deploys only the selected appliance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sps_harness import RunningSimulator, postgres
from tests.support.paths import ROOT

FLEET = ROOT / "stacks" / "fleet.py"
EVERY = ["ams", "fra", "lon", "nyc", "sfo", "sin", "syd", "tyo"]


def fleet_file(skip: str) -> str:
    """A fleet file of a team's own with stacks/fleet.py's stacks: every ApplianceStack for which
    the condition `skip` (on `site`) is false; it imports `wanted` only if `skip` uses it."""
    imports = "from sps_fleet import wanted" if "wanted" in skip else ""
    return f"""\
import os
import sys

sys.path.insert(0, {str(ROOT / "stacks")!r})
from cdktf import App
from fleet import FLEET, ApplianceStack
{imports}

app = App()
for site in FLEET:
    if {skip}:
        continue
    env = site.name.upper()
    url = os.environ.get(f"SPS_{{env}}_URL", f"https://sps-{{site.name}}.example.net")
    prefix = os.environ["SPS_FLEET_SCHEMA_PREFIX"]
    ApplianceStack(app, site, url, os.environ.get(f"SPS_{{env}}_CA_BUNDLE"), f"{{prefix}}{{site.name}}")
app.synth()
"""


def sps_fleet(env: dict[str, str], app: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sps_fleet.runner", *args, "--app", str(app), "--out", str(out)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)


def built(out: Path) -> list[str]:
    """The stacks the last synth built (cdktf's manifest)."""
    return sorted(json.loads((out / "manifest.json").read_text())["stacks"])


def plan_ams(env: dict[str, str], app: Path, out: Path) -> list[Any]:
    report = out.parent / f"{out.name}.json"
    lock = str(ROOT / "stacks" / "fleet.terraform.lock.hcl")
    planned = sps_fleet(env, app, out, "plan", "--only", "ams", "--lock-file", lock, "--report", str(report))
    assert planned.returncode == 0, planned.stdout + planned.stderr
    rows: list[Any] = json.loads(report.read_text())
    return rows


@pytest.fixture
def env(simulator: RunningSimulator, pg_cluster: postgres.Cluster, provider_mirror: Path) -> dict[str, str]:
    """ams on a simulator, its state in the project's PostgreSQL; the other appliances nowhere."""
    env = dict(os.environ, **pg_cluster.env(), SPS_USERNAME="admin", SPS_PASSWORD="admin")
    env.update(TF_CLI_CONFIG_FILE=str(ROOT / "sps.tfrc"), SPS_FLEET_SCHEMA_PREFIX=f"t_only_{os.getpid()}_")
    env.update(SPS_AMS_URL=simulator.url, SPS_AMS_CA_BUNDLE=simulator.ca or "")
    return env


def test_only_builds_the_selected_stack_alone_and_a_full_synth_builds_them_all_again(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = plan_ams(env, FLEET, out)
    assert built(out) == ["ams"], "the synth built ams's stack alone"
    assert sorted(p.name for p in (out / "stacks").iterdir()) == ["ams"]
    [ams] = report
    assert (ams["name"], ams["added"], ams["error"]) == ("ams", 13, "")
    assert "Plan: 13 to add, 0 to change, 0 to destroy." in Path(ams["plan_text"]).read_text()

    listed = sps_fleet(dict(env, SPS_FLEET_ONLY="ams"), FLEET, out, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [row["name"] for row in json.loads(listed.stdout)] == EVERY, "list: the whole fleet, whatever is set"
    assert built(out) == EVERY, "the selective synth's manifest is not what the next run reads"

    [again] = plan_ams(env, FLEET, out)
    assert built(out) == ["ams"]
    log = Path(again["log"]).read_text()
    assert "$ terraform init: skipped" in log, "ams's initialized directory outlives the other synths"


def test_a_fleet_file_without_wanted_builds_every_stack_and_deploys_the_selected_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    app = tmp_path / "old_fleet.py"
    app.write_text(fleet_file(skip="False"))  # as written before `wanted`
    out = tmp_path / "out"
    [ams] = plan_ams(env, app, out)
    assert built(out) == EVERY, "a file that does not ask builds every stack"
    assert (ams["name"], ams["added"], ams["error"]) == ("ams", 13, "")


def test_an_unknown_name_is_named_with_the_fleets_stacks(tmp_path: Path) -> None:
    failed = sps_fleet(dict(os.environ), FLEET, tmp_path / "out", "plan", "--only", "ams,nope")
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "no stack named nope in" in failed.stderr
    assert f"(the fleet's stacks: {', '.join(EVERY)})" in failed.stderr
    assert not list((tmp_path / "out" / "stacks").glob("*/sps-fleet-*.log")), "no terraform ran"


def test_a_fleet_file_that_does_not_synthesize_is_an_error_not_the_last_runs_stacks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    listed = sps_fleet(dict(os.environ), FLEET, out, "list")
    assert listed.returncode == 0, listed.stderr
    forgetful = tmp_path / "forgetful.py"
    forgetful.write_text("from cdktf import App\n\napp = App()\n")
    failed = sps_fleet(dict(os.environ), forgetful, out, "list")
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert f"wrote no {out / 'manifest.json'}: does it end with app.synth()?" in failed.stderr


def test_a_fleet_file_asking_about_other_names_still_finds_the_selected_stack(tmp_path: Path) -> None:
    """`wanted` asked about other names than the stacks' (here a prefix): the selective synth builds
    nothing, so the runner synthesizes the whole fleet and takes ams from it; it gets as far as
    the missing connection string, which is checked per selected stack before terraform runs."""
    app = tmp_path / "prefixed.py"
    app.write_text(fleet_file(skip="not wanted(f'sps-{site.name}')"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    failed = sps_fleet(dict(env, SPS_FLEET_SCHEMA_PREFIX="t_"), app, tmp_path / "out", "plan", "--only", "ams")
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert failed.stderr.startswith("sps-fleet: ams: the state is kept in PostgreSQL, but PG_CONN_STR is not set")
    assert built(tmp_path / "out") == EVERY
