"""Refresh reads served from one GET per collection instead of one GET per object.

Terraform refreshes every resource before planning, one ReadResource call each. SPS list answers
carry every item's body (7.x and 8.0), so the first read of a type fetches its collection once and
later reads of that type are answered from it: refreshing N objects of T types costs T requests.
The plan-time lookups (`engine/lookups.py`: keys, names) read the same snapshots.

A snapshot lives for `MAX_AGE` seconds from the moment its GET was sent. This process's own
committed writes are applied to it (`committed`: the body read back after the commit, or the
deletion), so an apply, where Terraform plans each resource again just before applying it, does
not fetch the whole collection again after every write (that was O(N²) over an apply of N, in the
provider and on the appliance). Whatever this process cannot account for drops the type's
snapshot instead (`invalidate`): a write that failed, was reverted or whose commit outcome is
unknown, an adoption, a reordering, an unexpected error. Writes of other sessions are seen when a
snapshot is next fetched, as before: the plan-time lookups only move errors earlier, and the apply
checks everything inside its transaction. SPS changes only the object a write names (a deletion of
a referenced object is refused, not cascaded), so a write touches no other type's snapshot.

A singleton is its own snapshot: one GET, then its reads (ReadResource, and the option-cap check
that every plan of a capped type makes against its protocol's options) are answered from it, with
the same writes applied and the same age. Write-once secrets (whose reads say only whether they
exist) and lists whose items lack key or body are read object by object, as before.

On a plugin connection's reader thread (`no_wait`) a read is answered only from a fresh snapshot:
one that needs a GET, or waits for another thread's, raises WouldWait (the client's send, the
type's `no_wait.Lock`) and runs again on the pool.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sps_provider import no_wait
from sps_provider.client import errors

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient

MAX_AGE = 60.0


class Listed(Protocol):
    """What a snapshot needs of the endpoint it lists: a catalog type (`TypeDef`), or a generic
    resource's endpoint (`engine.generic.Listing`); both of one path share its snapshot."""

    @property
    def api_path(self) -> str: ...
    @property
    def is_singleton(self) -> bool: ...
    @property
    def singleton_key(self) -> str: ...
    @property
    def name_field(self) -> str | None: ...
    @property
    def is_write_once(self) -> bool: ...
    @property
    def title(self) -> str: ...


GONE = object()  # the body of a deleted object, in a snapshot's writes


@dataclass
class Snapshot:
    """One collection as listed (None: its list cannot serve reads), with this process's committed
    writes applied since; `names` (name -> keys in list order) is built at the first lookup by name
    and kept in step with the writes. Read and changed only under the reader's lock."""

    taken: float
    items: dict[str, Any] | None
    names: dict[str, list[str]] | None = None

    def write(self, key: str, body: Any, name_field: str | None) -> None:
        """Object `key` now holds `body` (`GONE`: deleted); a new key goes last, as SPS lists it."""
        if self.items is None:
            return
        old = self.items.pop(key, None) if body is GONE else self.items.get(key)
        if body is not GONE:
            self.items[key] = body
        if self.names is None or not name_field:
            return
        old_name, new_name = _name(old, name_field), _name(body, name_field)
        if old_name == new_name:
            return
        if old_name is not None and key in (keys := self.names.get(old_name, [])):
            keys.remove(key)
        if new_name is not None:
            self.names.setdefault(new_name, []).append(key)

    def index(self, name_field: str) -> dict[str, list[str]]:
        if self.names is None:
            self.names = {}
            for key, body in (self.items or {}).items():
                if (value := _name(body, name_field)) is not None:
                    self.names.setdefault(value, []).append(key)
        return self.names


class RefreshReader:
    def __init__(self, client: SpsClient, max_age: float = MAX_AGE) -> None:
        self.client = client
        self.max_age = max_age
        self._lock = no_wait.Lock()
        self._type_locks: dict[str, no_wait.Lock] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._heard: dict[str, list[tuple[str, Any]]] = {}  # writes committed while the list is fetched
        self._drops: dict[str, int] = {}
        self._generation = 0

    def invalidate(self, t: Listed | None = None) -> None:
        """Forget `t`'s snapshot (every snapshot when None): after a write this process cannot
        account for, or when a later command would start afresh. A fetch under way is not kept."""
        with self._lock:
            if t is None:
                self._snapshots.clear()
                self._generation += 1
            else:
                self._snapshots.pop(t.api_path, None)
                self._drops[t.api_path] = self._drops.get(t.api_path, 0) + 1

    def committed(self, t: Listed, key: str, body: Any) -> None:
        """This process committed a create or update of `t`'s object `key`, which the appliance
        holds as `body` after the commit (read back). Applied to the snapshot, and to a list fetch
        under way (its answer may predate the commit)."""
        self._write(t, key, body)

    def deleted(self, t: Listed, key: str) -> None:
        """This process committed the deletion of `t`'s object `key` (as `committed`)."""
        self._write(t, key, GONE)

    def _write(self, t: Listed, key: str, body: Any) -> None:
        if not _kept(t):
            return
        with self._lock:
            if (heard := self._heard.get(t.api_path)) is not None:
                heard.append((key, body))
            if (snapshot := self._snapshots.get(t.api_path)) is not None:
                snapshot.write(key, body, t.name_field)

    def get(self, t: Listed, path: str, key: str) -> dict[str, Any]:
        """The object document at `path` (`{"key", "body"}`); NotFound when it is gone."""
        snapshot = self._collection(t) if _kept(t) else None
        if snapshot is None or snapshot.items is None:
            doc: dict[str, Any] = self.client.get(path)
            return doc
        if t.is_singleton:
            key = t.singleton_key  # whatever key a state holds, a singleton has one object
        with self._lock:
            if key in snapshot.items:
                return {"key": key, "body": snapshot.items[key]}
        raise errors.NotFound(f"{t.title} {key!r} is not in {t.api_path}", status=404, method="GET", path=path)

    def objects(self, t: Listed) -> dict[str, Any] | None:
        """key -> body of every object of `t` (a copy of the snapshot), or None when its list cannot say."""
        snapshot = self._collection(t) if _listed(t) else None
        if snapshot is None or snapshot.items is None:
            return None
        with self._lock:
            return dict(snapshot.items)

    def named(self, t: Listed, name: str) -> list[tuple[str, Any]] | None:
        """(key, body) of every object of `t` whose name field holds `name`, in the list's order
        (from the snapshot), or None when its list cannot say. Indexed once per snapshot: a plan
        looks a name up for every resource, and scanning the collection each time was O(N) each."""
        name_field = t.name_field
        snapshot = self._collection(t) if _listed(t) and name_field else None
        if snapshot is None or snapshot.items is None or not name_field:
            return None
        with self._lock:
            items = snapshot.items
            return [(key, items[key]) for key in snapshot.index(name_field).get(name, ())]

    def _collection(self, t: Listed) -> Snapshot:
        path = t.api_path
        with self._lock:
            type_lock = self._type_locks.get(path) or self._type_locks.setdefault(path, no_wait.Lock())
        with type_lock:  # one fetch per type, however many reads arrive at once (held while it is fetched)
            with self._lock:
                cached = self._snapshots.get(path)
                if cached is not None and time.monotonic() - cached.taken < self.max_age:
                    return cached
                generation, drops = self._generation, self._drops.get(path, 0)
                self._heard[path] = []
            taken = time.monotonic()
            try:
                doc = self.client.get(path)
                items = _singleton(doc, t.singleton_key) if t.is_singleton else _items_by_key(doc)
            except BaseException:  # WouldWait too: on a reader thread the client sends nothing
                self._lock.acquire()
                try:
                    del self._heard[path]
                finally:
                    self._lock.release()
                raise
            snapshot = Snapshot(taken, items)
            with self._lock:
                for key, body in self._heard.pop(path):
                    snapshot.write(key, body, t.name_field)
                if (generation, drops) == (self._generation, self._drops.get(path, 0)):
                    self._snapshots[path] = snapshot
            return snapshot


def _kept(t: Listed) -> bool:
    """Whether reads of `t` are answered from a snapshot (a list or a singleton, not a write-once secret)."""
    return not t.is_write_once


def _listed(t: Listed) -> bool:
    """Whether `t` has a list whose snapshot can answer lookups over its objects (not a singleton)."""
    return _kept(t) and not t.is_singleton


def _name(body: Any, name_field: str) -> str | None:
    value = body.get(name_field) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _singleton(doc: Any, key: str) -> dict[str, Any] | None:
    """The singleton's answer as a one-item snapshot, or None when it carries no body."""
    if not isinstance(doc, dict) or "body" not in doc:
        return None
    return {key: doc["body"]}


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
