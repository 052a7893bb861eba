"""A private PostgreSQL cluster for Terraform's `pg` backend (`sps-pg start|stop|status|env`).

The binaries come from Debian's `postgresql` package (tools/install-postgres.sh installs it when
missing); the cluster is the project's own: `initdb` in a state directory (`.state/pg` below the
current directory by default, like `sps-simulator --state`), listening on 127.0.0.1 on a free
port, no Unix socket, password authentication (scram-sha-256), never the system service. initdb
and the server refuse to run as root, so under root they run as Debian's unprivileged `postgres`
user (`runuser`), which then owns the state directory; where that user cannot reach it, the
cluster lives in the temporary directory and the state directory is a symbolic link to it.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sps_harness.pgclient import Client, ClientError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = Path(".state/pg")
DIR_VARIABLE = "SPS_PG_DIR"
INSTALLER = ROOT / "tools" / "install-postgres.sh"
SERVER_USER_UNDER_ROOT = "postgres"
DATABASE = "terraform"
SUPERUSER = "terraform"


class PostgresError(RuntimeError):
    """The cluster could not be installed, created, started or stopped; the message says why."""


@dataclass(frozen=True)
class Cluster:
    directory: Path
    port: int
    password: str

    @property
    def conn_str(self) -> str:
        """The libpq URL Terraform's pg backend takes as `conn_str` or `PG_CONN_STR`."""
        return f"postgres://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{DATABASE}?sslmode=disable"

    def env(self) -> dict[str, str]:
        return {"PG_CONN_STR": self.conn_str}

    def client(self, database: str = DATABASE) -> Client:
        """psql connected to `database`; the password reaches it through its environment only."""
        return Client(bin_dir() / "psql", self.conn_str.replace(f"/{DATABASE}?", f"/{database}?"))

    def psql(self, sql: str, database: str = DATABASE) -> str:
        """Run SQL with psql and return its unaligned, tuples-only output."""
        try:
            return self.client(database).run(sql)
        except ClientError as exc:
            raise PostgresError(str(exc)) from None

    def lock_holders(self, schema: str, state: str = "default") -> list[int]:
        """Server pids of the sessions holding the advisory lock of one state (its row id)."""
        table, name = '"' + schema.replace('"', '""') + '".states', "'" + state.replace("'", "''") + "'"
        out = self.psql(
            "SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND "
            f"((l.classid::bigint << 32) | l.objid::bigint) = (SELECT id FROM {table} WHERE name = {name})"
        )
        return [int(pid) for pid in out.split()]

    def unlock(self, schema: str, state: str = "default") -> list[int]:
        """Release a state lock that `terraform force-unlock` cannot: the pg backend's lock is a
        session advisory lock, so it ends with the session holding it (of a hung terraform)."""
        holders = self.lock_holders(schema, state)
        for pid in holders:
            self.psql(f"SELECT pg_terminate_backend({pid})")
        return holders


def bin_dir(install: bool = False) -> Path:
    """The newest /usr/lib/postgresql/<ver>/bin; with install, apt-get installs it first if absent."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found and install and INSTALLER.exists():
        subprocess.run([str(INSTALLER)], check=True)
        return bin_dir()
    if not found:
        raise PostgresError(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql "
            "(in this project's checkout: make postgres)"
        )
    return Path(found[-1]).parent


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER_UNDER_ROOT, "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(_as_server_user(cmd), capture_output=True, text=True)
    if result.returncode != 0:
        raise PostgresError(f"{what} failed ({result.returncode}): {(result.stderr or result.stdout).strip()}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _prepare_directory(directory: Path) -> Path:
    """Create the state directory owned by the user the server runs as, readable by no one else,
    and return where the cluster lives. Under root, when that user cannot reach `directory` (a
    checkout below a 0700 home or `mktemp -d`), the cluster lives in the temporary directory
    instead and `directory` becomes a symbolic link to it."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, SERVER_USER_UNDER_ROOT, SERVER_USER_UNDER_ROOT)
        if not _server_user_can_write(directory):
            directory.rmdir()
            outside = Path(tempfile.gettempdir()) / "sps-pg" / hashlib.sha256(str(directory).encode()).hexdigest()[:16]
            outside.parent.mkdir(mode=0o755, exist_ok=True)
            shutil.rmtree(outside, ignore_errors=True)  # a cluster left there earlier: start afresh
            outside.mkdir()
            shutil.chown(outside, SERVER_USER_UNDER_ROOT, SERVER_USER_UNDER_ROOT)
            if not _server_user_can_write(outside):
                raise PostgresError(
                    f"user {SERVER_USER_UNDER_ROOT!r} can write neither {directory} nor {outside}: a parent "
                    "directory is not searchable by it; choose a state directory under a world-searchable path"
                )
            directory.symlink_to(outside, target_is_directory=True)
            directory = outside
    directory.chmod(0o700)
    return directory


def _server_user_can_write(directory: Path) -> bool:
    return subprocess.run(_as_server_user(["test", "-w", str(directory)])).returncode == 0


def _write_private(path: Path, text: str) -> None:
    """Create a file only its owner can read, from its first byte (not chmod after the write)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(text)


def _initdb(directory: Path, password: str) -> None:
    pwfile = directory / "initdb.pw"
    _write_private(pwfile, password + "\n")
    if os.geteuid() == 0:
        shutil.chown(pwfile, SERVER_USER_UNDER_ROOT, SERVER_USER_UNDER_ROOT)
    try:
        _run(
            [
                str(bin_dir() / "initdb"),
                "-D",
                str(directory / "data"),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ],
            "initdb",
        )
    finally:
        pwfile.unlink()
    with open(directory / "data" / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# sps-pg: loopback only, no Unix socket\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
        )


def running(directory: Path = DEFAULT_DIR) -> Cluster | None:
    """The cluster in directory (relative to the current one) if its server is up, else None."""
    directory = directory.resolve()
    data = directory / "data"
    if not (data / "postmaster.pid").exists():
        return None
    status = subprocess.run(
        _as_server_user([str(bin_dir() / "pg_ctl"), "status", "-D", str(data)]), capture_output=True
    )
    if status.returncode != 0:
        return None
    return Cluster(directory, int((directory / "port").read_text()), (directory / "password").read_text().strip())


def start(directory: Path = DEFAULT_DIR) -> Cluster:
    """Install PostgreSQL if missing, create the cluster on first use, start it (idempotent)."""
    bins = bin_dir(install=True)
    directory = directory.resolve()
    existing = running(directory)
    if existing is not None:
        return existing
    password_file = directory / "password"
    if not (directory / "data" / "PG_VERSION").exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory = _prepare_directory(directory)
        password_file = directory / "password"
        _write_private(password_file, secrets.token_urlsafe(24) + "\n")
        _initdb(directory, password_file.read_text().strip())
    port_file = directory / "port"
    port = int(port_file.read_text()) if port_file.exists() else 0
    if not port or not _port_is_free(port):
        port = _free_port()
    port_file.write_text(f"{port}\n")
    _run(
        [
            str(bins / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(directory / "data"),
            "-l",
            str(directory / "server.log"),
            "-o",
            f"-p {port}",
        ],
        "pg_ctl start",
    )
    cluster = Cluster(directory, port, password_file.read_text().strip())
    if not cluster.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'", database="postgres"):
        cluster.psql(f"CREATE DATABASE {DATABASE}", database="postgres")
    # Every pg backend's first `init` runs CREATE SEQUENCE IF NOT EXISTS on this one name; parallel
    # first inits (a fleet) race on it and fail with a duplicate key, so it exists before them.
    cluster.psql("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint")
    return cluster


def stop(directory: Path = DEFAULT_DIR) -> None:
    """Stop the server cleanly (fast shutdown: sessions are ended, their advisory locks released)."""
    directory = directory.resolve()
    if running(directory) is not None:
        _run(
            [str(bin_dir() / "pg_ctl"), "stop", "-w", "-t", "60", "-m", "fast", "-D", str(directory / "data")],
            "pg_ctl stop",
        )


def remove(directory: Path) -> None:
    """Stop the cluster and delete it, also where the state directory links to (_prepare_directory)."""
    stop(directory)
    shutil.rmtree(directory.resolve(), ignore_errors=True)
    if directory.is_symlink():
        directory.unlink()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sps-pg", description=__doc__.splitlines()[0] if __doc__ else None)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get(DIR_VARIABLE) or DEFAULT_DIR),
        help=f"the cluster's state directory, relative to the current one (env {DIR_VARIABLE}; default {DEFAULT_DIR})",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("start", parents=[where], help="create the cluster on first use and start it")
    commands.add_parser("stop", parents=[where], help="stop it (fast shutdown: sessions and their locks end)")
    commands.add_parser("status", parents=[where], help="say whether it runs (exit status 3 when not)")
    commands.add_parser("env", parents=[where], help="print `export PG_CONN_STR=...` for Terraform's pg backend")
    unlock = commands.add_parser(
        "unlock", parents=[where], help="release a state's lock by ending the session that holds it"
    )
    unlock.add_argument("schema", help="the backend's schema_name")
    unlock.add_argument("--state", default="default", help="the workspace (default: default)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    directory: Path = args.dir.resolve()
    try:
        if args.command == "start":
            cluster = start(directory)
            print(f"PostgreSQL {bin_dir().parts[-2]} on 127.0.0.1:{cluster.port}, data in {cluster.directory}/data")
        elif args.command == "stop":
            stop(directory)
        elif args.command == "status":
            up = running(directory)
            print(f"running on 127.0.0.1:{up.port} ({directory})" if up else f"stopped ({directory})")
            return 0 if up else 3
        else:
            up = running(directory)
            if up is None:
                print(f"sps-pg: no cluster runs in {directory} (sps-pg start, or --dir)", file=sys.stderr)
                return 3
            if args.command == "env":
                print(f"export PG_CONN_STR='{up.conn_str}'")
            else:
                ended = up.unlock(args.schema, args.state)
                print(f"ended session(s) {ended}: lock released" if ended else "the state is not locked")
    except PostgresError as exc:
        print(f"sps-pg: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
