"""`sps-pg` as a user runs it from their own repository: the cluster lives in `./.state/pg` below
the current directory (or where --dir / SPS_PG_DIR say), and every subcommand has its --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sps_harness import postgres

COMMANDS = ("start", "stop", "status", "env", "unlock")


def sps_pg(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != postgres.DIR_VARIABLE} | env
    return subprocess.run(
        [sys.executable, "-m", "sps_harness.postgres", *args], cwd=cwd, env=environ, capture_output=True, text=True
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_its_own_help(command: str, tmp_path: Path) -> None:
    shown = sps_pg(tmp_path, command, "--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"usage: sps-pg {command} [-h] [--dir DIR]"), shown.stdout
    assert "SPS_PG_DIR" in shown.stdout
    assert ("--state" in shown.stdout) == (command == "unlock")


def test_status_names_the_folder_below_the_current_one_or_the_chosen_one(tmp_path: Path) -> None:
    stopped = sps_pg(tmp_path, "status")
    assert (stopped.returncode, stopped.stdout.strip()) == (3, f"stopped ({tmp_path / '.state' / 'pg'})")
    chosen = sps_pg(tmp_path, "status", SPS_PG_DIR="elsewhere")
    assert chosen.stdout.strip() == f"stopped ({tmp_path / 'elsewhere'})"
    given = sps_pg(tmp_path, "status", "--dir", "db", SPS_PG_DIR="elsewhere")
    assert given.stdout.strip() == f"stopped ({tmp_path / 'db'})", "--dir wins over the environment"
    missing = sps_pg(tmp_path, "env")
    assert missing.returncode == 3 and f"no cluster runs in {tmp_path / '.state' / 'pg'}" in missing.stderr


def test_a_cluster_started_in_the_current_folder_serves_from_there(tmp_path: Path) -> None:
    here = tmp_path / "team-repo"
    here.mkdir()
    try:
        started = sps_pg(here, "start")
        assert started.returncode == 0, started.stderr
        cluster = postgres.running(here / ".state" / "pg")
        assert cluster is not None and f"127.0.0.1:{cluster.port}" in started.stdout
        exported = sps_pg(here, "env").stdout.strip()
        assert exported == f"export PG_CONN_STR='{cluster.conn_str}'"
        assert cluster.psql("SELECT current_database()") == "terraform"
        assert sps_pg(here, "stop").returncode == 0 and postgres.running(here / ".state" / "pg") is None
    finally:
        postgres.remove(here / ".state" / "pg")
