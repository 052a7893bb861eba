"""Refresh reads served from one GET per collection instead of one GET per object.

Terraform refreshes every resource before planning, one ReadResource call each. SPS list answers
carry every item's body (7.x and 8.0), so the first read of a type fetches its collection once and
later reads of that type are answered from it: refreshing N objects of T types costs T requests.
A snapshot lives until this provider process writes anything (the apply walk invalidates it) or
for `MAX_AGE` seconds, so a refresh sees the appliance as of its first read of each type, a
consistent view rather than N moments. Types whose list cannot serve a read (singletons,
write-once secrets, list items without key or body) are read object by object, as before.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from sps_catalog import TypeDef
from sps_provider.client import errors

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient

MAX_AGE = 60.0


class RefreshReader:
    def __init__(self, client: SpsClient, max_age: float = MAX_AGE) -> None:
        self.client = client
        self.max_age = max_age
        self._lock = threading.Lock()
        self._type_locks: dict[str, threading.Lock] = {}
        self._snapshots: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._names: dict[str, tuple[dict[str, Any], dict[str, list[str]]]] = {}
        self._generation = 0

    def invalidate(self) -> None:
        """Forget every snapshot (called after this process changed the appliance)."""
        with self._lock:
            self._snapshots.clear()
            self._names.clear()
            self._generation += 1

    def get(self, t: TypeDef, path: str, key: str) -> dict[str, Any]:
        """The object document at `path` (`{"key", "body"}`); NotFound when it is gone."""
        items = None if t.is_singleton or t.is_write_once else self._collection(t)
        if items is None:
            doc: dict[str, Any] = self.client.get(path)
            return doc
        if key not in items:
            raise errors.NotFound(f"{t.title} {key!r} is not in {t.api_path}", status=404, method="GET", path=path)
        return {"key": key, "body": items[key]}

    def objects(self, t: TypeDef) -> dict[str, Any] | None:
        """key -> body of every object of `t` (from the snapshot), or None when its list cannot say."""
        return None if t.is_singleton or t.is_write_once else self._collection(t)

    def named(self, t: TypeDef, name: str) -> list[tuple[str, Any]] | None:
        """(key, body) of every object of `t` whose name field holds `name`, in the list's order
        (from the snapshot), or None when its list cannot say. Indexed once per snapshot: a plan
        looks a name up for every resource, and scanning the collection each time was O(N) each."""
        items = self.objects(t)
        if items is None or not t.name_field:
            return None
        with self._lock:
            indexed = self._names.get(t.api_path)
        if indexed is None or indexed[0] is not items:
            index: dict[str, list[str]] = {}
            for key, body in items.items():
                if isinstance(body, dict) and isinstance(value := body.get(t.name_field), str):
                    index.setdefault(value, []).append(key)
            indexed = (items, index)
            with self._lock:
                self._names[t.api_path] = indexed
        return [(key, items[key]) for key in indexed[1].get(name, ())]

    def _collection(self, t: TypeDef) -> dict[str, Any] | None:
        with self._lock:
            type_lock = self._type_locks.setdefault(t.api_path, threading.Lock())
        with type_lock:  # one fetch per type, however many reads arrive at once
            with self._lock:
                cached = self._snapshots.get(t.api_path)
                generation = self._generation
            if cached is not None and time.monotonic() - cached[0] < self.max_age:
                return cached[1]
            items = _items_by_key(self.client.get(t.api_path))
            with self._lock:
                if generation == self._generation:  # a write during the fetch makes it stale
                    self._snapshots[t.api_path] = (time.monotonic(), items)
            return items


def _items_by_key(doc: Any) -> dict[str, Any] | None:
    """key -> body from a list answer, or None when its items do not carry both (SPS 6.x)."""
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return None
    result: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict) or "key" not in item or "body" not in item:
            return None
        result[str(item["key"])] = item["body"]
    return result
