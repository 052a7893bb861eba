"""The `--extra-endpoint PATH=KIND` switch: the appliance serves endpoints the catalog does not know.

It plays a newer firmware that added an endpoint (a collection or a singleton) to a container the
catalog knows: the container lists it, and it is served like an opaque endpoint of the catalog
(any JSON object as body, a singleton starting as `{}`, a collection empty), so the generic
resources with `catalog_validation = false` and the exporter's walk can be tried against it.
docs/simulator.md lists this among the switches.
"""

from __future__ import annotations

import argparse
from typing import Any

from sps_catalog.endpoints import Endpoints, build_endpoints, endpoints_of
from sps_catalog.generic import NOT_IN_CATALOG, SEGMENT
from sps_catalog.load import endpoint_definitions
from sps_catalog.model import Catalog

KINDS = ("collection", "singleton")


def parse(text: str) -> tuple[str, str]:
    """`PATH=KIND` (argparse type): a path of names below /api/configuration, and its kind."""
    path, _, kind = text.partition("=")
    if kind not in KINDS or not all(SEGMENT.fullmatch(s) for s in path.split("/")):
        raise argparse.ArgumentTypeError(
            f"{text!r}: write PATH=collection or PATH=singleton, PATH below /api/configuration (policies/newer)"
        )
    return path, kind


def with_extra(catalog: Catalog, extra: list[tuple[str, str]]) -> Endpoints:
    """The catalog's endpoint tree plus `extra` (path, kind), each in a container the catalog knows."""
    known = endpoints_of(catalog)
    rows: list[dict[str, Any]] = []
    for path, kind in extra:
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if known.get(path) is not None or path in (r["path"] for r in rows):
            raise ValueError(f"--extra-endpoint {path}: the catalog (or another --extra-endpoint) has it already")
        container = known.get(parent)
        if container is None or not container.is_container:
            raise ValueError(f"--extra-endpoint {path}: {parent or '(root)'} is not a container the catalog knows")
        rows.append({"path": path, "kind": kind, "description": NOT_IN_CATALOG, "sources": []})
    if not rows:
        return known
    return build_endpoints([*endpoint_definitions(), *rows], catalog)
