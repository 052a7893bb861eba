"""Lookups over the committed configuration that writes need: who references an object, and which
objects carry a name. Kept up to date at every commit, so a write checks what it changes instead
of scanning every object the appliance holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sps_catalog.model import TypeDef, Value
from sps_catalog.walk import leaves


def reference_fields(value: Value, body: Any) -> Iterator[tuple[Value, str]]:
    """Every (reference spec, key) in a typed body, following only the active union branches."""
    for _, spec, v in leaves(value, body):
        if spec.type == "reference" and isinstance(v, str):
            yield spec, v


def references(t: TypeDef, body: Any) -> set[tuple[str, str]]:
    """The (target type's terraform name, key) pairs a body of type `t` references."""
    if not t.is_typed:
        return set()
    return {(spec.target or "", ref) for spec, ref in reference_fields(t.root, t.as_object(body))}


class Index:
    def __init__(self) -> None:
        # (target terraform name, key) -> referring (type path, key), in commit order
        self._referrers: dict[tuple[str, str], dict[tuple[str, str], None]] = {}
        # type path -> name -> keys with that name
        self._names: dict[str, dict[str, dict[str, None]]] = {}

    def add(self, t: TypeDef, key: str, body: Any) -> None:
        for target in references(t, body):
            self._referrers.setdefault(target, {})[(t.path, key)] = None
        name = _name(t, body)
        if name is not None:
            self._names.setdefault(t.path, {}).setdefault(name, {})[key] = None

    def remove(self, t: TypeDef, key: str, body: Any) -> None:
        for target in references(t, body):
            holders = self._referrers.get(target, {})
            holders.pop((t.path, key), None)
            if not holders:
                self._referrers.pop(target, None)
        name = _name(t, body)
        if name is not None:
            keys = self._names.get(t.path, {}).get(name, {})
            keys.pop(key, None)
            if not keys:
                self._names[t.path].pop(name, None)

    def referrers(self, target: str, key: str) -> list[tuple[str, str]]:
        """Committed (type path, key) objects that reference `key` of the type named `target`."""
        return list(self._referrers.get((target, key), {}))

    def named(self, path: str, name: str) -> list[str]:
        """Keys of committed objects in collection `path` whose name is `name`."""
        return list(self._names.get(path, {}).get(name, {}))


def _name(t: TypeDef, body: Any) -> str | None:
    if not t.name_field or t.is_singleton or not isinstance(body, dict):
        return None
    name = body.get(t.name_field)
    return name if isinstance(name, str) else None
