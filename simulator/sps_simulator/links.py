"""HATEOAS `meta` links: the endpoint tree and sibling chains computed from the catalog.

The docs show siblings in alphabetical order (`aaa` ... `x509`); the chain is computed from
the endpoints the simulator actually serves, as sps-rest-api.md §2.2 and §8.6 recommend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sps_catalog.model import Catalog, TypeDef, Value
from sps_catalog.walk import Path, Rebuild
from sps_simulator.overlays import Hooks

ROOT = "/api/configuration"
TRANSACTION = "/api/transaction"


class Tree:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.children: dict[str, list[str]] = {ROOT: []}
        for t in catalog:
            parts = t.path.split("/")
            for depth in range(len(parts)):
                parent = "/".join([ROOT, *parts[:depth]])
                child = parts[depth]
                kids = self.children.setdefault(parent, [])
                if child not in kids:
                    kids.append(child)
                self.children.setdefault("/".join([ROOT, *parts[: depth + 1]]), [])
        for t in catalog:
            self.children.pop(t.api_path, None)
        for kids in self.children.values():
            kids.sort()

    def is_container(self, href: str) -> bool:
        return href in self.children

    def sibling_links(self, href: str) -> dict[str, Any]:
        """first/last/next/previous among the children of `href`'s parent."""
        if href == ROOT:
            return {"first": ROOT, "last": ROOT, "next": None, "previous": None, "parent": None}
        parent, name = href.rsplit("/", 1)
        kids = self.children.get(parent, [name])
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
    return _Render(catalog, hooks)(t.root, body) if t.is_typed else body
