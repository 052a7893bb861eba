"""`psql` as a client of the database a libpq connection string names, the password kept off its
command line.

A process's command line is world-readable (`/proc/<pid>/cmdline`), its environment only by its
own user (`/proc/<pid>/environ` is 0400). So the password is taken out of the connection string
(a `postgres://` URL or `key=value` pairs, both as libpq and Terraform's pg backend read them)
and handed to the child alone as `PGPASSWORD`. Every psql that sps-pg and sps-fleet start is
built by `Client.command`, the one place that decides what a command line holds.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import unquote, urlsplit, urlunsplit

_URL_SCHEMES = ("postgres://", "postgresql://")
_PAIR = re.compile(r"\s*([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)*)")


class ClientError(RuntimeError):
    """psql failed or ended; the message holds its error output (never the password)."""


def split_password(conn: str) -> tuple[str, str | None]:
    """The connection string without its password, and the password (None when it has none)."""
    if conn.startswith(_URL_SCHEMES):
        parts = urlsplit(conn)
        if parts.password is None:
            return conn, None
        userinfo, _, host = parts.netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        return urlunsplit(parts._replace(netloc=f"{user}@{host}")), unquote(parts.password)
    pairs: list[str] = []
    password, pos, read = None, 0, 0
    for match in _PAIR.finditer(conn):
        if match.start() != pos or not match.group(0).strip():
            break
        pos, read = match.end(), read + 1
        key, value = match.group(1), match.group(2)
        if key == "password":
            password = _unquote_value(value)
        else:
            pairs.append(f"{key}={value}")
    if conn[pos:].strip():
        raise ClientError(f"cannot read the connection string after {read} key=value pair(s)")
    return " ".join(pairs), password


def _unquote_value(value: str) -> str:
    if value.startswith("'"):
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value)


@dataclass(frozen=True)
class Client:
    """psql (`executable`) connected by `conn`, which may hold a password; an empty `conn` leaves
    the target to the libpq variables (PGHOST, PGUSER, PGPASSWORD, ...) as Terraform does."""

    executable: Path
    conn: str = field(repr=False)

    def command(self, *args: str, stop_on_error: bool = True) -> tuple[list[str], dict[str, str]]:
        """The argv and environment of a psql run: tuples only, unaligned, by default stopping at
        the first error; the connection string's password, if any, only in the environment."""
        target, password = split_password(self.conn)
        argv = [str(self.executable), "-X", "-q", "-A", "-t"]
        argv += ["-v", "ON_ERROR_STOP=1"] if stop_on_error else []
        argv += ["-d", target] if target else []
        env = dict(os.environ)
        if password is not None:
            env["PGPASSWORD"] = password
        return [*argv, *args], env

    def run(self, sql: str) -> str:
        """Run SQL in one session and return its output."""
        argv, env = self.command("-c", sql)
        result = subprocess.run(argv, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise ClientError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def session(self) -> Session:
        return Session(self)


class QueryError(ClientError):
    """A statement of a session failed; `sqlstate` is PostgreSQL's error code (55P03: a lock
    wait ran out of lock_timeout)."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class Session:
    """One psql kept open: a database session whose advisory locks last until it is closed (or
    its process ends, which PostgreSQL sees as the session's end). A failed statement raises
    QueryError and leaves the session usable. Statements go one at a time, from any thread."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.proc: subprocess.Popen[str] | None = None
        self.errors: IO[bytes] | None = None
        self.errors_read = 0
        self.one_at_a_time = threading.Lock()

    def __enter__(self) -> Session:
        argv, env = self.client.command(stop_on_error=False)
        self.errors = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True
        )
        try:
            self.query("SET client_min_messages = warning")
        except ClientError:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait()
        if self.errors is not None:
            self.errors.close()

    def query(self, sql: str) -> str:
        """Run one statement and return its output, once psql has answered it."""
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        marker = f"sps-session-{secrets.token_hex(8)}"
        with self.one_at_a_time:
            try:
                self.proc.stdin.write(f"{sql};\n\\echo {marker} :SQLSTATE\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                raise ClientError(f"psql ended: {self._error_output()}") from None
            lines: list[str] = []
            for line in self.proc.stdout:
                if line.startswith(marker + " "):
                    sqlstate = line.split()[-1]
                    if sqlstate != "00000":
                        raise QueryError(sqlstate, self._error_output() or f"SQLSTATE {sqlstate}")
                    return "\n".join(lines).strip()
                lines.append(line.rstrip("\n"))
            self.proc.wait()
            raise ClientError(f"psql ended ({self.proc.returncode}): {self._error_output()}")

    def _error_output(self) -> str:
        """What psql wrote to stderr since the last call (it shares the file's offset: pread)."""
        assert self.errors is not None
        fd = self.errors.fileno()
        size = os.fstat(fd).st_size
        text = os.pread(fd, size - self.errors_read, self.errors_read).decode(errors="replace")
        self.errors_read = size
        return text.strip()


def find_psql() -> Path:
    """psql from PATH, else the newest of Debian's /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("psql")
    if on_path:
        return Path(on_path)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise ClientError("the PostgreSQL client psql is not installed (Debian: apt-get install postgresql-client)")
    return Path(found[-1])
