"""sps-pg's cluster from creation to removal, every child process recorded as it is started: no
command line holds the database password (a command line is readable by every local user in
/proc/<pid>/cmdline), and each psql gets it through its own environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sps_harness import postgres
from sps_harness.pgclient import Client, ClientError, find_psql
from tests.support.children import Started, record_children
from tests.support.paths import ROOT


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Started:
    return record_children(monkeypatch)


def test_no_command_line_of_sps_pg_holds_the_password(started: Started) -> None:
    directory = ROOT / ".state" / "pytest-pg-argv" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    postgres.remove(directory)
    try:
        cluster = postgres.start(directory)
        password = (Path(cluster.directory) / "password").read_text().strip()
        assert postgres.start(directory) == cluster, "a second start finds it running"
        cluster.psql("CREATE SCHEMA held; CREATE TABLE held.states (id bigint PRIMARY KEY, name text)")
        cluster.psql("INSERT INTO held.states VALUES (7, 'default')")
        with Client(postgres.bin_dir() / "psql", cluster.conn_str).session() as holder:
            holder.query("SELECT pg_advisory_lock(7)")
            assert cluster.lock_holders("held") and postgres.main(["unlock", "held", "--dir", str(directory)]) == 0
        assert not cluster.lock_holders("held")
        assert postgres.main(["status", "--dir", str(directory)]) == 0
        postgres.stop(directory)
    finally:
        postgres.remove(directory)

    programs = {Path(argv[0]).name for argv, _ in started}
    assert {"initdb", "pg_ctl", "psql"} <= programs or {"runuser", "psql"} <= programs, programs
    psqls = [(argv, env) for argv, env in started if Path(argv[0]).name == "psql"]
    assert len(psqls) >= 8, "start, psql, lock_holders, the session, unlock and status each ran psql"
    for argv, _ in started:
        assert not any(password in arg for arg in argv), f"the password is on the command line of {argv[0]}"
    assert all(env["PGPASSWORD"] == password for _, env in psqls)


def test_a_session_that_cannot_connect_says_why() -> None:
    nowhere = Client(find_psql(), "postgres://tf:s3cret@127.0.0.1:1/x?connect_timeout=5")
    with pytest.raises(ClientError, match="psql ended") as failed, nowhere.session():
        pass
    assert "127.0.0.1" in str(failed.value) and "s3cret" not in str(failed.value)
