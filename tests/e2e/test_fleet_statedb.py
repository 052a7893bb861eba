"""The lock that orders state creations between sps-fleet runs (sps_fleet.statedb) on the
project's PostgreSQL: a creation waits while another run deploys and gives up after the run's
--lock-timeout; the storage it creates is Terraform's, made once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from sps_fleet.statedb import PgBackend, StateDatabase, StateDatabaseError, WaitedTooLong, milliseconds, pg_backend
from sps_harness import postgres
from sps_harness.pgclient import Client, find_psql
from tests.support.children import record_children


def database(cluster: postgres.Cluster, lock_timeout: str = "60s") -> StateDatabase:
    return StateDatabase(Client(find_psql(), cluster.conn_str), lock_timeout)


def test_a_creation_waits_for_deploying_runs_and_gives_up_after_the_lock_timeout(
    pg_cluster: postgres.Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = record_children(monkeypatch)
    with database(pg_cluster) as deploying, database(pg_cluster, "1s") as impatient, database(pg_cluster) as patient:
        with deploying.deploying(), pytest.raises(WaitedTooLong, match="waited 1s"), impatient.creating():
            pass
        with impatient.deploying():
            created = threading.Event()

            def create() -> None:
                with patient.creating():
                    created.set()

            waiter = threading.Thread(target=create)
            waiter.start()
            assert not created.wait(1.5), "a creation waits while another run deploys"
        waiter.join(30)
        assert created.is_set(), "and goes on once no run deploys"
        impatient.query("SELECT 1")
    assert len(started) == 3 and all(Path(argv[0]).name == "psql" for argv, _ in started)
    assert not any(pg_cluster.password in arg for argv, _ in started for arg in argv), "no password on a command line"
    assert all(env["PGPASSWORD"] == pg_cluster.password for _, env in started)


def test_the_storage_is_terraforms_and_made_once(pg_cluster: postgres.Cluster) -> None:
    schema = f't_"odd" {os.getpid()}'
    backend = PgBackend(schema=schema, conn=pg_cluster.conn_str)
    with database(pg_cluster) as db, db.creating():
        db.create_storage(backend)
        db.create_storage(backend)
        quoted = '"' + schema.replace('"', '""') + '"'
        db.query(f"INSERT INTO {quoted}.states (name, data) VALUES ('ams', '')")
        assert db.query(f"SELECT id > 0 FROM {quoted}.states") == "t", "ids from public.global_states_id_seq"
        with pytest.raises(StateDatabaseError, match="duplicate key"):
            db.query(f"INSERT INTO {quoted}.states (name, data) VALUES ('ams', '')")
        db.query(f"DROP SCHEMA {quoted} CASCADE")


def test_lock_timeouts_and_backends_are_read_as_terraform_reads_them() -> None:
    assert [milliseconds(d) for d in ("120s", "2m", "1m30s", "0s", "250ms", "1.5s")] == [
        120000, 120000, 90000, 0, 250, 1500,
    ]  # fmt: skip
    with pytest.raises(StateDatabaseError, match="not a duration"):
        milliseconds("2 minutes")
    synthesized = {"terraform": {"backend": {"pg": {"schema_name": "sps_fleet_ams"}}}}
    assert pg_backend(synthesized, {"PG_CONN_STR": "postgres://x"}) == PgBackend("sps_fleet_ams", "postgres://x")
    assert pg_backend({"terraform": {"backend": {"local": {}}}}, {}) is None
    own = {"terraform": {"backend": {"pg": {"conn_str": "host=db", "skip_index_creation": True}}}}
    assert pg_backend(own, {"PG_CONN_STR": "postgres://x"}) == PgBackend(
        "terraform_remote_state", "host=db", skip_index_creation=True
    )
