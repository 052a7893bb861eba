"""State storage in PostgreSQL created once, however many sps-fleet runs start at once.

Terraform's pg backend creates its schema, sequence, table and index at every command (`IF NOT
EXISTS`, which two sessions creating the same name at once still fail: `duplicate key value
violates unique constraint "pg_type_typname"`), and a workspace's row under the database-wide
advisory lock -1, which it only tries and never waits for. So two runs on a fresh database fail
(`Workspace "ams" already exists`, `Already locked for workspace creation`) whatever their
`-lock-timeout`. Every run therefore keeps one database session (`psql`) per database and holds
the advisory lock `FLEET_LOCK` on it:

- exclusively while it creates what its stacks' backends need (Terraform's own statements, so
  every `terraform` command then finds them there) and while it checks for and creates a stack's
  workspace: creations in the database happen one at a time, whichever run makes them;
- shared while its stacks plan and apply: each of their state locks takes -1 for a moment, so a
  creation in another run waits until no run is deploying rather than fail on it.

Waits end after the run's `--lock-timeout` (PostgreSQL's `lock_timeout`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from sps_harness.pgclient import Client, ClientError, QueryError, Session, find_psql

# pg_advisory_lock(int4, int4): a key space apart from the bigint keys Terraform locks (-1, row ids).
FLEET_LOCK = (0x53505346, 1)  # "SPSF"
LOCK_NOT_AVAILABLE = "55P03"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_MS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}


class StateDatabaseError(RuntimeError):
    """The state database could not be reached or prepared; the message says what to do."""


class WaitedTooLong(StateDatabaseError):
    """Another run held FLEET_LOCK for longer than --lock-timeout."""


@dataclass(frozen=True)
class PgBackend:
    """A synthesized stack's `pg` backend: its schema, what it creates, where its database is."""

    schema: str
    conn: str
    skip_schema_creation: bool = False
    skip_table_creation: bool = False
    skip_index_creation: bool = False


def pg_backend(synthesized: dict[str, Any], environ: dict[str, str] | os._Environ[str]) -> PgBackend | None:
    """The stack's pg backend (None for any other), its connection string from the configuration
    or PG_CONN_STR, else empty (libpq's PGHOST, ...) as Terraform takes it."""
    config = synthesized.get("terraform", {}).get("backend", {}).get("pg")
    if config is None:
        return None
    return PgBackend(
        schema=config.get("schema_name", "terraform_remote_state"),
        conn=config.get("conn_str") or environ.get("PG_CONN_STR", ""),
        skip_schema_creation=bool(config.get("skip_schema_creation", False)),
        skip_table_creation=bool(config.get("skip_table_creation", False)),
        skip_index_creation=bool(config.get("skip_index_creation", False)),
    )


def milliseconds(duration: str) -> int:
    """A Go duration as Terraform's -lock-timeout takes it ("120s", "2m", "1m30s") in ms."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise StateDatabaseError(f"--lock-timeout {duration!r} is not a duration such as 120s, 2m or 1m30s")
    return round(sum(float(n) * _MS[u] for n, u in parts))


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class StateDatabase:
    """This run's session on one database of states, and the lock that orders creations."""

    def __init__(self, client: Client, lock_timeout: str) -> None:
        self.client, self.lock_timeout = client, lock_timeout
        self.session: Session | None = None

    def __enter__(self) -> StateDatabase:
        try:
            self.session = self.client.session().__enter__()
            self.session.query(f"SET lock_timeout = {milliseconds(self.lock_timeout)}")
        except ClientError as exc:
            raise StateDatabaseError(f"cannot reach the state database: {exc}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.session is not None:
            self.session.__exit__(None, None, None)

    def query(self, sql: str) -> str:
        assert self.session is not None
        try:
            return self.session.query(sql)
        except QueryError as exc:
            if exc.sqlstate == LOCK_NOT_AVAILABLE:
                raise WaitedTooLong(
                    f"waited {self.lock_timeout} (--lock-timeout) for another sps-fleet run on this database "
                    "to finish creating state storage or deploying"
                ) from None
            raise StateDatabaseError(f"the state database refused: {exc}") from None
        except ClientError as exc:
            raise StateDatabaseError(str(exc)) from None

    @contextmanager
    def creating(self) -> Iterator[None]:
        """Hold FLEET_LOCK exclusively: no other run creates or deploys meanwhile."""
        self.query(f"SELECT pg_advisory_lock{FLEET_LOCK}")
        try:
            yield
        finally:
            self.query(f"SELECT pg_advisory_unlock{FLEET_LOCK}")

    @contextmanager
    def deploying(self) -> Iterator[None]:
        """Hold FLEET_LOCK shared: other runs deploy too, none creates meanwhile."""
        self.query(f"SELECT pg_advisory_lock_shared{FLEET_LOCK}")
        try:
            yield
        finally:
            self.query(f"SELECT pg_advisory_unlock_shared{FLEET_LOCK}")

    def has_workspace(self, backend: PgBackend, name: str) -> bool:
        """Whether the backend's table holds workspace `name` (the row `workspace new` writes;
        what `terraform workspace list` would list, without starting Terraform)."""
        table = f"{_identifier(backend.schema)}.states"
        return self.query(f"SELECT count(*) FROM {table} WHERE name = {_literal(name)}") != "0"

    def create_storage(self, backend: PgBackend) -> None:
        """What the backend's `init` would create, with Terraform's statements (call while
        `creating`). Like Terraform, an existing schema is not created again (a role may lack
        CREATE on the database)."""
        schema = _identifier(backend.schema)
        exists = f"SELECT count(*) FROM information_schema.schemata WHERE schema_name = {_literal(backend.schema)}"
        if not backend.skip_schema_creation and self.query(exists) == "0":
            self.query(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        if not backend.skip_table_creation:
            self.query("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint")
            self.query(
                f"CREATE TABLE IF NOT EXISTS {schema}.states (id bigint NOT NULL DEFAULT "
                "nextval('public.global_states_id_seq') PRIMARY KEY, name text UNIQUE, data text)"
            )
        if not backend.skip_index_creation:
            self.query(f"CREATE UNIQUE INDEX IF NOT EXISTS states_by_name ON {schema}.states (name)")


class StateDatabases:
    """One StateDatabase per distinct database the stacks' backends name, opened together."""

    def __init__(self, backends: list[PgBackend], lock_timeout: str) -> None:
        self.backends, self.lock_timeout = backends, lock_timeout
        self.by_conn: dict[str, StateDatabase] = {}
        self.stack = ExitStack()

    def __enter__(self) -> StateDatabases:
        conns = list(dict.fromkeys(b.conn for b in self.backends))
        if conns:
            try:
                psql = find_psql()
            except ClientError as exc:
                raise StateDatabaseError(f"sps-fleet creates the stacks' state storage with psql: {exc}") from None
            for conn in conns:
                self.by_conn[conn] = self.stack.enter_context(StateDatabase(Client(psql, conn), self.lock_timeout))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def of(self, backend: PgBackend) -> StateDatabase:
        return self.by_conn[backend.conn]

    def create_storage(self) -> None:
        """Every backend's schema, table and index, each database's under its lock."""
        for conn, database in self.by_conn.items():
            with database.creating():
                for backend in self.backends:
                    if backend.conn == conn:
                        database.create_storage(backend)

    @contextmanager
    def deploying(self) -> Iterator[None]:
        with ExitStack() as held:
            for database in self.by_conn.values():
                held.enter_context(database.deploying())
            yield
