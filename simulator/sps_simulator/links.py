"""HATEOAS `meta` links: the endpoint tree and sibling chains computed from the catalog.

The docs list a container's children in one order (`aaa` ... `x509`, alphabetical wherever a
listing was printed); the chains follow the catalog's endpoint tree (sps_catalog.endpoints) as
the simulated firmware has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sps_catalog.endpoints import Endpoints
from sps_catalog.model import Catalog, TypeDef, Value
from sps_catalog.walk import Path, Rebuild
from sps_simulator.overlays import Hooks

ROOT = "/api/configuration"
TRANSACTION = "/api/transaction"


class Tree:
    """The containers one firmware has, each with its children in documented order (ADR 0017)."""

    def __init__(self, endpoints: Endpoints, firmware: str) -> None:
        self.children: dict[str, list[str]] = {
            e.api_path: [c.name for c in endpoints.children(e.path, firmware)]
            for e in endpoints.on(firmware)
            if e.is_container
        }

    def is_container(self, href: str) -> bool:
        return href in self.children

    def sibling_links(self, href: str) -> dict[str, Any]:
        """first/last/next/previous among the children of `href`'s parent."""
        if href == ROOT:
            return {"first": ROOT, "last": ROOT, "next": None, "previous": None, "parent": None}
        parent, name = href.rsplit("/", 1)
        kids = self.children.get(parent, [])
        kids = kids if name in kids else [name]
        i = kids.index(name)
        return {
            "first": f"{parent}/{kids[0]}",
            "last": f"{parent}/{kids[-1]}",
            "next": f"{parent}/{kids[i + 1]}" if i + 1 < len(kids) else None,
            "previous": f"{parent}/{kids[i - 1]}" if i > 0 else None,
            "parent": parent,
        }


def item_links(collection_href: str, keys: list[str], key: str) -> dict[str, Any]:
    i = keys.index(key)
    return {
        "first": f"{collection_href}/{keys[0]}",
        "last": f"{collection_href}/{keys[-1]}",
        "next": f"{collection_href}/{keys[i + 1]}" if i + 1 < len(keys) else None,
        "previous": f"{collection_href}/{keys[i - 1]}" if i > 0 else None,
        "parent": collection_href,
    }


def reference_out(target: TypeDef, key: str) -> dict[str, Any]:
    return {"key": key, "meta": {"href": f"{target.api_path}/{key}"}}


class _Render(Rebuild):
    tracks_path = False
    select = "present"
    keep_unselected = True

    def __init__(self, catalog: Catalog, hooks: Mapping[str, Hooks]) -> None:
        self.catalog = catalog
        self.hooks = hooks

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        if spec.type != "reference" or not isinstance(v, str):
            return v
        target = self.catalog[spec.target or ""]
        href = self.hooks[target.terraform_name].reference_href
        if spec.is_inner_reference and href is not None:
            return {"key": v, "meta": {"href": href(target, v)}}
        return reference_out(target, v)


def render_body(catalog: Catalog, hooks: Mapping[str, Hooks], t: TypeDef, body: Any) -> Any:
    """A stored body (references as plain keys) in response form (references as key + href)."""
    return t.as_body(_Render(catalog, hooks)(t.root, t.as_object(body))) if t.is_typed else body
