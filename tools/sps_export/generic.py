"""Objects of endpoints the catalog does not type, as generic resources: `sps_object` for a
collection's objects (imported as `<path>/<key>`), `sps_settings` for a singleton (imported as
`<path>`), their bodies kept as SPS answered.

An endpoint the catalog does not know (a newer firmware's, which the walk found and asked what it
is) is written with `catalog_validation = false`, which lets the provider take it and check it
against the appliance at plan (ADR 0019); the summary counts those objects as not in the catalog.

What REST cannot write is skipped with its reason: read-only endpoints, write-once secrets (never
listed), endpoints this firmware does not let REST write, and built-ins (referenced by key, never
managed; one changed from its documented body is reported). So is what the generic resources
themselves refuse (`sps_catalog.generic.path_problem`, the provider's rule, with the catalog
validation the resource would be written with), e.g. an unknown endpoint inside a secret one.
A documented reference inside a body (`references` in endpoints.yaml) to an object this export
manages becomes a `BodyRef`, which the renderers write as that resource's `key`, so Terraform
orders the two.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sps_catalog.endpoints import Endpoint, load_endpoints
from sps_catalog.generic import path_problem
from sps_export.skipped import BUILT_IN, FIRMWARE, READ_ONLY, TYPED_ONLY, Skipped
from sps_export.tree import BodyObject, TreeRead

_WRITE_ONCE = "write-once secrets, which SPS never lists (typed resources take them as write-only variables)"
_WRITE_ONLY = "a write-only secret, set and never read back"


@dataclass(frozen=True)
class BodyRef:
    """A reference inside a generic body to the exported object `key` of collection `path`."""

    path: str
    key: str


@dataclass
class GenericResource:
    endpoint: Endpoint
    key: str
    name: str
    body: Any
    """The body as read, with documented references to exported objects as `BodyRef`."""
    ident: str = ""
    known: bool = True
    """Whether the catalog knows the endpoint (otherwise written with `catalog_validation = false`)."""

    @property
    def resource_type(self) -> str:
        return "sps_settings" if self.endpoint.is_singleton else "sps_object"

    @property
    def path(self) -> str:
        return self.endpoint.path

    @property
    def import_id(self) -> str:
        return self.path if self.endpoint.is_singleton else f"{self.path}/{self.key}"

    def refs(self) -> list[BodyRef]:
        return [r for r in _at_references(self.endpoint, self.body) if isinstance(r, BodyRef)]


def label(e: Endpoint) -> str:
    """What manages (or would manage) an endpoint's objects, for the summary and the README: its
    typed resource, else its typed data source (read-only types), else the generic resource."""
    if e.data_source_type is not None and (e.resource_type is not None or not e.writable or e.is_write_once):
        return e.data_source_type
    return f"{'sps_settings' if e.is_singleton else 'sps_object'} {e.path}"


@dataclass
class GenericSelection:
    resources: list[GenericResource] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    builtins_kept: dict[str, int] = field(default_factory=dict)
    unlisted: list[tuple[str, str]] = field(default_factory=list)
    read_errors: dict[str, str] = field(default_factory=dict)


def object_name(o: BodyObject) -> str:
    """A singleton by its path; an object by its `name` (the type's name field), else its key."""
    e = o.endpoint
    if e.is_singleton:
        return e.path.replace("/", "_")
    name_field = e.type.name_field if e.type is not None and e.type.name_field else "name"
    name = o.body.get(name_field) if isinstance(o.body, dict) else None
    return name if isinstance(name, str) and name else f"{e.name}_{o.key}"


def select_generic(
    tree: TreeRead, typed_keys: Collection[tuple[str, str]], take: Callable[[str, str], str], typed_only: bool
) -> GenericSelection:
    """The generic resources of every endpoint `tree` read that no typed resource manages.

    `typed_keys`: (collection path, key) of the exported typed objects, which bodies may reference;
    `take`: a free identifier for (prefix, text) in the export's one namespace."""
    out = GenericSelection()
    firmware = tree.firmware
    catalog = tree.catalog if tree.catalog is not None else load_endpoints()
    for r in tree.endpoints:
        e = r.endpoint
        if r.typed is not None:
            continue
        where = label(e)
        if not r.listed:
            out.unlisted.append((e.api_path, _WRITE_ONLY if e.write_only else _WRITE_ONCE))
            continue
        if r.error is not None:
            out.read_errors[where] = r.error
            continue
        for o in r.objects:
            builtin = next((b for b in e.builtins if b.key == o.key), None)
            reason = _skip_reason(e, firmware, builtin is not None, typed_only)
            if builtin is not None and reason is None:
                out.builtins_kept[where] = out.builtins_kept.get(where, 0) + 1
                if o.body != dict(builtin.body):
                    reason = (
                        "built-in object changed from its documented values: built-ins cannot be "
                        "managed (they are referenced by key)",
                        BUILT_IN,
                    )
                else:
                    continue
            if reason is not None:
                out.skipped.append(Skipped(where, o.key, object_name(o), *reason))
                continue
            refused = path_problem(catalog, e.path, "settings" if e.is_singleton else "object", r.known)
            if refused is not None:  # the provider's own rule: its resource would fail validate
                out.skipped.append(Skipped(where, o.key, object_name(o), f"{where.split()[0]} refuses it: {refused}"))
                continue
            out.resources.append(GenericResource(e, o.key, object_name(o), copy.deepcopy(o.body), known=r.known))
    exported = {*typed_keys, *((g.path, g.key) for g in out.resources)}
    for g in out.resources:
        _mark_references(g, exported)
    out.resources = _in_dependency_order(out.resources, out.skipped)
    for g in out.resources:
        g.ident = take(g.path.replace("/", "_"), g.name)
    return out


def _skip_reason(e: Endpoint, firmware: str | None, builtin: bool, typed_only: bool) -> tuple[str, str] | None:
    if not e.writable:
        return "read-only over REST (SPS does not let REST write it)", READ_ONLY
    if firmware is not None and not e.writable_on(firmware):
        return f"not writable over REST on firmware {firmware} ({e.versions.describe()})", FIRMWARE
    if typed_only and not builtin:
        return "no typed resource manages it, and --typed-only leaves generic resources out", TYPED_ONLY
    return None


def _at_references(e: Endpoint, body: Any) -> list[Any]:
    found = []
    for dotted in e.references:
        parent, leaf = _parent(body, dotted)
        if parent is not None:
            found.append(parent.get(leaf))
    return found


def _parent(body: Any, dotted: str) -> tuple[dict[str, Any] | None, str]:
    *steps, leaf = dotted.split(".")
    for step in steps:
        body = body.get(step) if isinstance(body, dict) else None
    return (body, leaf) if isinstance(body, dict) and leaf in body else (None, leaf)


def _mark_references(g: GenericResource, exported: Collection[tuple[str, str]]) -> None:
    """Each documented reference whose value is the key of an exported object, as a `BodyRef`."""
    for dotted, target in g.endpoint.references.items():
        parent, leaf = _parent(g.body, dotted)
        if parent is not None and isinstance(parent[leaf], str) and (target, parent[leaf]) in exported:
            parent[leaf] = BodyRef(target, parent[leaf])


def _in_dependency_order(resources: list[GenericResource], skipped: list[Skipped]) -> list[GenericResource]:
    """Referenced generic objects first (tree order otherwise); a reference cycle is reported."""
    by_key = {(g.path, g.key): g for g in resources}
    ordered: list[GenericResource] = []
    done: set[tuple[str, str]] = set()
    pending = list(resources)
    while pending:
        ready = [g for g in pending if all((r.path, r.key) not in by_key or (r.path, r.key) in done for r in g.refs())]
        if not ready:
            skipped += [Skipped(label(g.endpoint), g.key, g.name, "in a reference cycle") for g in pending]
            break
        ordered += ready
        done |= {(g.path, g.key) for g in ready}
        pending = [g for g in pending if (g.path, g.key) not in done]
    return ordered
