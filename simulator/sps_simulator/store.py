"""Committed configuration in SQLite.

A commit rewrites the changed collections inside one SQLite transaction, so a crash during a
commit leaves either the old or the new configuration, never a mix.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
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
CREATE TABLE IF NOT EXISTS info (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def is_initialized(self) -> bool:
        row = self._db.execute("SELECT value FROM info WHERE name='initialized'").fetchone()
        return row is not None

    def load(self) -> Config:
        config: Config = {}
        rows = self._db.execute("SELECT type_path, key, body FROM objects ORDER BY type_path, position")
        for type_path, key, body in rows:
            config.setdefault(type_path, {})[key] = json.loads(body)
        return config

    def save(
        self,
        config: Mapping[str, Mapping[str, Any]],
        changed: set[str] | None = None,
        midway: Callable[[], None] | None = None,
    ) -> None:
        """Write the collections in `changed` (all when None) atomically. `midway` runs after the
        old rows are deleted and before the new ones are written (the crash fault switch)."""
        paths = set(config) if changed is None else changed
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for type_path in sorted(paths):
                cur.execute("DELETE FROM objects WHERE type_path=?", (type_path,))
            if midway is not None:
                midway()
            for type_path in sorted(paths):
                cur.executemany(
                    "INSERT INTO objects (type_path, position, key, body) VALUES (?, ?, ?, ?)",
                    [
                        (type_path, i, key, json.dumps(body, sort_keys=True))
                        for i, (key, body) in enumerate(config.get(type_path, {}).items())
                    ],
                )
            cur.execute("INSERT OR REPLACE INTO info (name, value) VALUES ('initialized', '1')")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()
