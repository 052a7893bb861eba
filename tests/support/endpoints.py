"""The simulator's configuration endpoints, for the tests that walk all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sps_catalog import TypeDef, load_catalog

NAMESPACES = ("/api/configuration/mssql", "/api/configuration/policies", "/api/configuration/vnc")


def configuration_endpoints(object_keys: Callable[[TypeDef], Iterable[str]]) -> list[str]:
    """The API tree, the transaction, each type's collection or singleton, `@order` of ordered
    types, and the objects `object_keys` names for each collection type."""
    paths = {"/api/configuration", "/api/transaction", "/api/transaction/changes", *NAMESPACES}
    for t in load_catalog():
        paths.add(t.api_path)
        if not t.is_singleton:
            paths.update(f"{t.api_path}/{key}" for key in object_keys(t))
        if t.is_ordered:
            paths.add(f"{t.api_path}/@order")
    return sorted(paths)
