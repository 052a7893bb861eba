"""Lookups over the committed configuration that writes need: who references an object, and which
objects carry a name. Kept up to date at every commit, so a write checks what it changes instead
of scanning every object the appliance holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sps_catalog.model import TypeDef, Value


def reference_fields(value: Value, body: Any) -> Iterator[tuple[Value, str]]:
    """Every (reference spec, key) in a typed body, following only the active union branches."""
    if body is None:
        return
    if value.type == "reference" and isinstance(body, str):
        yield value, body
    elif value.type == "list" and value.element is not None and isinstance(body, list):
        for el in body:
            yield from reference_fields(value.element, el)
    elif value.type == "object" and isinstance(body, dict):
        branch = value.union.branch_name(body.get(value.union.discriminator)) if value.union else None
        for f in value.active_fields(branch):
            yield from reference_fields(f, body.get(f.name))


def references(t: TypeDef, body: Any) -> set[tuple[str, str]]:
    """The (target type's terraform name, key) pairs a body of type `t` references."""
    if not t.is_typed:
        return set()
    return {(spec.target or "", ref) for spec, ref in reference_fields(t.root, body)}


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
