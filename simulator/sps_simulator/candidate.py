"""A transaction's candidate configuration as the committed one plus its own changes.

Opening a transaction copies nothing and committing applies only what it changed, so both cost
O(changes), not O(objects held): an appliance holds thousands of objects while a transaction
usually touches a few. Bodies are never modified in place (every write stores a new body), so the
overlay can share them with the committed configuration.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from sps_simulator.store import Config, Delta


class Overlay(MutableMapping[str, Any]):
    """One ordered collection: the committed objects, minus `deleted`, with `written` on top (a
    written key that is new goes to the end), in `order` once the transaction reordered it."""

    def __init__(self, base: dict[str, Any]) -> None:
        self.base = base
        self.written: dict[str, Any] = {}
        self.deleted: set[str] = set()
        self.order: list[str] | None = None

    def __contains__(self, key: object) -> bool:
        return key in self.written or (key in self.base and key not in self.deleted)

    def __getitem__(self, key: str) -> Any:
        if key in self.written:
            return self.written[key]
        if key in self.deleted:
            raise KeyError(key)
        return self.base[key]

    def __setitem__(self, key: str, body: Any) -> None:
        if key in self.deleted and self.order is None:
            self.order = list(self)  # a deleted committed key comes back: it goes to the end
        if self.order is not None and key not in self:
            self.order.append(key)
        self.deleted.discard(key)
        self.written[key] = body

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.written.pop(key, None)
        if key in self.base:
            self.deleted.add(key)
        if self.order is not None:
            self.order.remove(key)

    def __iter__(self) -> Iterator[str]:
        if self.order is not None:
            return iter(list(self.order))
        return self._merged()

    def _merged(self) -> Iterator[str]:
        deleted = self.deleted
        yield from (k for k in self.base if k not in deleted)
        yield from (k for k in self.written if k not in self.base)

    def __len__(self) -> int:
        if self.order is not None:
            return len(self.order)
        return len(self.base) - len(self.deleted) + sum(1 for k in self.written if k not in self.base)

    def reorder(self, keys: list[str]) -> None:
        self.order = list(keys)

    def is_changed(self) -> bool:
        return bool(self.written or self.deleted or self.order is not None)

    def shadows(self, key: str) -> bool:
        """Whether this transaction replaced or deleted the committed object `key`."""
        return key in self.written or key in self.deleted

    def delta(self, path: str) -> Delta:
        return Delta(path, self.written, self.deleted, self.order)

    def apply(self) -> None:
        """Make the changes part of the committed collection (in place, O(changes) unless reordered)."""
        base = self.base
        for key in self.deleted:
            del base[key]
        base.update(self.written)
        if self.order is not None:
            ordered = {k: base[k] for k in self.order}
            base.clear()
            base.update(ordered)


class Candidate(Mapping[str, Overlay]):
    """The whole configuration as one transaction sees it; collections get an overlay when read."""

    def __init__(self, committed: Config) -> None:
        self.committed = committed
        self.overlays: dict[str, Overlay] = {}

    def __getitem__(self, path: str) -> Overlay:
        overlay = self.overlays.get(path)
        if overlay is None:
            overlay = self.overlays[path] = Overlay(self.committed[path])
        return overlay

    def __contains__(self, path: object) -> bool:
        return path in self.committed

    def __iter__(self) -> Iterator[str]:
        return iter(self.committed)

    def __len__(self) -> int:
        return len(self.committed)

    def changed(self) -> dict[str, Overlay]:
        return {path: o for path, o in self.overlays.items() if o.is_changed()}
