"""SPS responses made from the catalog's examples, for the exporter's tests."""

from __future__ import annotations

from typing import Any

from sps_catalog import TypeDef
from sps_catalog.secrets import get_in, set_in
from sps_catalog.walk import leaves
from sps_provider.engine.convert import to_body
from tests.support.catalog_cases import resolved


def response_body(t: TypeDef, example: str) -> dict[str, Any]:
    """The example as SPS answers it: defaults filled in, references as {key, meta}."""
    attrs = resolved(dict(t.examples[example]))
    for path, f in t.secrets:
        parent = get_in(attrs, path[:-1])
        if isinstance(parent, dict):
            given = parent.pop(f.write_only_name, None)
            parent.pop(f.version_name, None)
            set_in(attrs, path, "secret-key" if given is not None else None)
    body: dict[str, Any] = to_body(t.root, attrs)
    for path, spec, v in leaves(t.root, body):
        if spec.type == "reference" and not spec.is_inner_reference:
            set_in(body, tuple(str(p) for p in path), {"key": v, "meta": {"href": f"/api/x/{v}"}})
    return body
