"""Committed configuration in SQLite.

A commit writes only the rows it changed, inside one SQLite transaction, so a crash during a
commit leaves either the old or the new configuration, never a mix, and its cost follows the
size of the change, not of the configuration.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# type path -> ordered {key: body}
Config = dict[str, dict[str, Any]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    type_path TEXT NOT NULL,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (type_path, key)
);
CREATE INDEX IF NOT EXISTS objects_order ON objects (type_path, position);
CREATE TABLE IF NOT EXISTS info (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS set_aside (type_path TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL);
"""

UPSERT = """
INSERT INTO objects (type_path, position, key, body) VALUES (?, ?, ?, ?)
ON CONFLICT (type_path, key) DO UPDATE SET body = excluded.body
"""


@dataclass(frozen=True)
class Delta:
    """One collection's change: bodies written (a new key goes after the others), keys deleted,
    and, after a reorder, the collection's whole order."""

    path: str
    written: Mapping[str, Any]
    deleted: Collection[str]
    order: Sequence[str] | None = None


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self.set_aside_now: list[tuple[str, str]] = []

    def is_initialized(self) -> bool:
        row = self._db.execute("SELECT value FROM info WHERE name='initialized'").fetchone()
        return row is not None

    def load(self) -> Config:
        """The committed configuration. A row whose body is not JSON (only an edit of the file
        makes one) is moved to the `set_aside` table, so it can neither stop the start nor fail
        a list; `set_aside_now` names those of this load."""
        config: Config = {}
        unreadable: list[tuple[str, str, str]] = []
        rows = self._db.execute("SELECT type_path, key, body FROM objects ORDER BY type_path, position")
        for type_path, key, body in rows.fetchall():
            try:
                config.setdefault(type_path, {})[key] = json.loads(body)
            except (ValueError, TypeError):
                unreadable.append((type_path, key, str(body)))
        if unreadable:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany("INSERT INTO set_aside (type_path, key, body) VALUES (?, ?, ?)", unreadable)
            cur.executemany("DELETE FROM objects WHERE type_path=? AND key=?", [row[:2] for row in unreadable])
            cur.execute("COMMIT")
        self.set_aside_now = [(type_path, key) for type_path, key, _ in unreadable]
        return config

    def initialize(self, config: Config) -> None:
        """Write a whole configuration (the factory state) into the empty store."""
        self.save([Delta(path, objs, ()) for path, objs in config.items()])

    def save(self, deltas: Iterable[Delta], midway: Callable[[], None] | None = None) -> None:
        """Write the changes atomically. `midway` runs after the deleted rows are gone and before
        the written ones are stored (the crash fault switch)."""
        deltas = sorted(deltas, key=lambda d: d.path)
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for d in deltas:
                cur.executemany("DELETE FROM objects WHERE type_path=? AND key=?", [(d.path, k) for k in d.deleted])
            if midway is not None:
                midway()
            for d in deltas:
                end = cur.execute("SELECT COALESCE(MAX(position), -1) FROM objects WHERE type_path=?", (d.path,))
                after = int(end.fetchone()[0]) + 1
                cur.executemany(
                    UPSERT,
                    [
                        (d.path, after + i, key, json.dumps(body, sort_keys=True))
                        for i, (key, body) in enumerate(d.written.items())
                    ],
                )
                if d.order is not None:
                    cur.executemany(
                        "UPDATE objects SET position=? WHERE type_path=? AND key=?",
                        [(i, d.path, key) for i, key in enumerate(d.order)],
                    )
            cur.execute("INSERT OR REPLACE INTO info (name, value) VALUES ('initialized', '1')")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()
