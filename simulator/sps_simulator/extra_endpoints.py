"""The `--extra-endpoint PATH=KIND` switch: the appliance serves endpoints the catalog does not know.

It plays a newer firmware that added an endpoint (a collection, a singleton, or a container for
further extra endpoints, given before them) to a container: the container lists it, and it is
served like an opaque endpoint of the catalog (any JSON object as body, a singleton starting as
`{}`, a collection empty), so the generic resources with `catalog_validation = false` and the
exporter's walk can be tried against it.
docs/simulator.md lists this among the switches.
"""

from __future__ import annotations

import argparse
from typing import Any

from sps_catalog.endpoints import Endpoints, build_endpoints, endpoints_of
from sps_catalog.generic import NOT_IN_CATALOG, SEGMENT
from sps_catalog.load import endpoint_definitions
from sps_catalog.model import Catalog

KINDS = ("collection", "singleton", "container")


def parse(text: str) -> tuple[str, str]:
    """`PATH=KIND` (argparse type): a path of names below /api/configuration, and its kind."""
    path, _, kind = text.partition("=")
    if kind not in KINDS or not all(SEGMENT.fullmatch(s) for s in path.split("/")):
        raise argparse.ArgumentTypeError(
            f"{text!r}: write PATH=collection, PATH=singleton or PATH=container, PATH below /api/configuration "
            "(policies/newer)"
        )
    return path, kind


def with_extra(catalog: Catalog, extra: list[tuple[str, str]]) -> Endpoints:
    """The catalog's endpoint tree plus `extra` (path, kind), each in a container the catalog knows
    or an extra container given before it (which must then hold at least one)."""
    known = endpoints_of(catalog)
    rows: dict[str, dict[str, Any]] = {}
    for path, kind in extra:
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if known.get(path) is not None or path in rows:
            raise ValueError(f"--extra-endpoint {path}: the catalog (or another --extra-endpoint) has it already")
        container = known.get(parent)
        if parent in rows and rows[parent]["kind"] == "container":
            rows[parent]["children"].append(path.rsplit("/", 1)[-1])
        elif container is None or not container.is_container:
            raise ValueError(f"--extra-endpoint {path}: {parent or '(root)'} is not a container")
        rows[path] = {"path": path, "kind": kind, "description": NOT_IN_CATALOG, "sources": []}
        if kind == "container":
            rows[path]["children"] = []
    empty = [path for path, row in rows.items() if row.get("children") == []]
    if empty:
        raise ValueError(f"--extra-endpoint {empty[0]}: a container needs extra endpoints below it")
    if not rows:
        return known
    return build_endpoints([*endpoint_definitions(), *rows.values()], catalog)
