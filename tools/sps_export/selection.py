"""What each object read becomes: a resource to import, a lookup, or a report by name and type.

- Objects of managed types the appliance's firmware can write become resources (with an import
  block), named by a readable identifier derived from their SPS name, in dependency order.
- Built-in objects are never resources (they cannot be created or destroyed): references to them
  become `.builtin()` / data lookups. A built-in whose modelled fields differ from the documented
  ones is reported, since the export does not manage it.
- References to anything else that is not exported (read-only types, types left out by `--only`)
  become data lookups by key.
- An object whose configuration would not plan as it stands (`check_round_trip`) or that sits in
  a reference cycle is reported, never dropped silently.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sps_catalog.firmware import fields_on
from sps_catalog.model import Catalog, TypeDef, Value
from sps_catalog.orders import KEYS
from sps_catalog.unknown_fields import modelled_only
from sps_export.generic import BodyRef, GenericResource, label, select_generic
from sps_export.reader import ApplianceRead, ReadObject
from sps_export.skipped import BUILT_IN, EXPECTED, FIRMWARE, Skipped
from sps_export.tree import TreeRead
from sps_export.values import Ref, Secret, check_round_trip, extra_fields, markers, minimal

RESERVED = frozenset(
    {
        # what main.py itself names: its imports, function, parameters and variables
        *("app", "stack", "sps", "main", "define", "annotations", "ephemeral_variable"),
        *("cdktf", "constructs", "sps_constructs"),
        "provider",  # the Appliance's provider construct, a sibling of every resource construct
        # names Terraform reserves for variables
        *("source", "version", "providers", "count", "for_each", "lifecycle", "depends_on", "locals"),
        *keyword.kwlist,
        *keyword.softkwlist,
        *dir(builtins),
    }
)
"""Names no exported object, lookup or secret variable may take (see `_Names`)."""
BUILTIN_PREFIX = "builtin_"
"""`Construct.builtin()` names its lookup `builtin_<type>_<name>` below the Appliance."""


@dataclass
class Resource:
    """One object to manage: `tree` is its minimal attribute tree (see `values.minimal`)."""

    t: TypeDef
    key: str
    name: str
    ident: str
    root: Value
    tree: dict[str, Any]
    extra: dict[str, Any]
    secrets: list[Secret]
    variables: list[str] = field(default_factory=list)
    """The variable carrying each secret (same order as `secrets`)."""


@dataclass(frozen=True)
class Lookup:
    """A data source finding an object that is referenced but not managed here."""

    t: TypeDef
    key: str
    ident: str
    builtin_name: str | None


_Index = tuple[dict[tuple[str, str], "Resource | GenericResource"], dict[tuple[str, str], "Resource | GenericResource"]]
"""(by catalog type and key, by collection path and key)."""


@dataclass
class Export:
    url: str
    firmware: str | None
    resources: list[Resource] = field(default_factory=list)
    lookups: dict[tuple[str, str], Lookup] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    builtins_kept: dict[str, int] = field(default_factory=dict)
    read_errors: dict[str, str] = field(default_factory=dict)
    generic: list[GenericResource] = field(default_factory=list)
    """Objects of endpoints the catalog does not type (`sps_object`, `sps_settings`)."""
    visited: dict[str, int] = field(default_factory=dict)
    """Endpoints the walk visited, by what they are (container, typed, generic, read-only, ...)."""
    unlisted: list[tuple[str, str]] = field(default_factory=list)
    """(endpoint, why): write-once secrets and write-only singletons, which SPS never shows."""
    _indexed: _Index | None = field(default=None, init=False, repr=False, compare=False)

    def problems(self) -> list[Skipped]:
        """Skips that mean part of the appliance could not be represented (exit code 1)."""
        return [s for s in self.skipped if s.category not in EXPECTED]

    def by_key(self) -> dict[tuple[str, str], Resource]:
        return {(r.t.terraform_name, r.key): r for r in self.resources}

    def body_target(self, ref: BodyRef) -> Resource | GenericResource:
        """The exported object a reference inside a generic body names (see `generic.BodyRef`)."""
        return self._index()[1][(ref.path, ref.key)]

    def generic_by_type(self) -> dict[tuple[str, str], GenericResource]:
        """(catalog type, key) -> the generic resource of an object of an untyped catalog type
        (an analytics policy, a trusted CA list): typed references to it name that resource."""
        return {(g.endpoint.type.terraform_name, g.key): g for g in self.generic if g.endpoint.type is not None}

    def expression_target(self, ref: Ref) -> Resource | GenericResource | Lookup:
        """The resource or lookup a reference points to (every Ref has one after `select`)."""
        found = self._index()[0].get((ref.target, ref.key))
        return found if found is not None else self.lookups[(ref.target, ref.key)]

    def _index(self) -> _Index:
        """The exported resources by (type, key) and by (path, key), made once the export is
        complete (the renderers ask per reference; `select` never does)."""
        if self._indexed is None:
            by_ref: dict[tuple[str, str], Resource | GenericResource] = {**self.by_key(), **self.generic_by_type()}
            by_path: dict[tuple[str, str], Resource | GenericResource] = {(r.t.path, r.key): r for r in self.resources}
            by_path.update({(g.path, g.key): g for g in self.generic})
            self._indexed = (by_ref, by_path)
        return self._indexed

    def definition_order(self) -> list[Resource | GenericResource]:
        """Typed and generic resources, each after those it references (`select` left no cycle)."""
        return _definition_order(self)[0]


def identifier(text: str) -> str:
    """A lower-case Python identifier and Terraform label for an SPS name (`Finance DB` -> `finance_db`)."""
    ident = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "object"
    return ident if ident[0].isalpha() else f"_{ident}"


class _Names:
    """One namespace for every name the generated files define from appliance content: resource
    and lookup identifiers and secret variables, which are Python variables, construct ids and
    Terraform labels at once; never one of `RESERVED` or another's."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.used: set[str] = {*RESERVED, *reserved}

    def free(self, name: str) -> bool:
        return name not in self.used and not name.startswith(BUILTIN_PREFIX)

    def take(self, prefix: str, text: str) -> str:
        """A free name for `text`; on a clash `<prefix>_<text>`, then numbered."""
        base = identifier(text)
        candidates = [base, f"{prefix}_{base.lstrip('_')}"]
        for c in candidates:
            if self.free(c):
                self.used.add(c)
                return c
        n = 2
        while not self.free(f"{candidates[1]}_{n}"):
            n += 1
        self.used.add(f"{candidates[1]}_{n}")
        return f"{candidates[1]}_{n}"


def object_name(o: ReadObject) -> str:
    if o.t.is_singleton:
        return o.t.terraform_name
    name = o.body.get(o.t.name_field) if o.t.name_field else None
    return name if isinstance(name, str) and name else str(o.key)


NameOf = Callable[[TypeDef, str], str | None]
"""The SPS name of the object `key` of a type the export does not read (None when unknown)."""


def select(
    cat: Catalog,
    read: ApplianceRead,
    name_of: NameOf | None = None,
    reserved: Iterable[str] = (),
    walked: TreeRead | None = None,
    typed_only: bool = False,
) -> Export:
    """`reserved`: names the generated files also define (the appliance's construct id); `walked`:
    the whole walk, whose endpoints no typed resource manages become generic resources (all of
    them skipped, each with the reason, when `typed_only`)."""
    out = Export(read.url, read.firmware)
    names = _Names(reserved)
    out.read_errors.update(read.read_errors())
    candidates: list[Resource] = []
    for o in read.objects():
        t = o.t
        root = fields_on(t.root, read.firmware) if read.firmware else t.root
        builtin = next((b for b in t.builtins if b.key == o.key), None)
        if builtin is not None:
            out.builtins_kept[t.resource_type] = out.builtins_kept.get(t.resource_type, 0) + 1
            if modelled_only(root, o.body) != modelled_only(root, dict(builtin.body)):
                out.skipped.append(
                    Skipped(
                        t.resource_type,
                        o.key,
                        object_name(o),
                        "built-in object changed from its documented values: "
                        "built-ins cannot be managed (they are referenced through lookups)",
                        BUILT_IN,
                    )
                )
            continue
        if read.firmware and not t.versions.writable_on(read.firmware):
            out.skipped.append(
                Skipped(
                    t.resource_type,
                    o.key,
                    object_name(o),
                    f"not writable over REST on firmware {read.firmware} ({t.versions.describe()})",
                    FIRMWARE,
                )
            )
            continue
        tree = minimal(root, o.body)
        wrong = check_round_trip(root, tree, o.body)
        if wrong:
            out.skipped.append(
                Skipped(t.resource_type, o.key, object_name(o), f"would not plan as read: {', '.join(wrong)}")
            )
            continue
        found = markers(root, tree)
        secrets = [m for m in found if isinstance(m, Secret)]
        # extra_json holds only what no firmware's catalog models: a field dated to other firmware is
        # kept by every update and is refused in extra_json (validate knows no firmware)
        extra = extra_fields(t.root, o.body)
        candidates.append(Resource(t, o.key, object_name(o), "", root, tree, extra, secrets))
    out.resources = _in_dependency_order(candidates, out)
    out.resources += _orders(cat, read, out.resources)
    for res in out.resources:
        res.ident = names.take(res.t.terraform_name, res.name)
    if walked is not None:
        _add_generic(out, walked, names, typed_only)
    for res in out.resources:
        res.variables = [names.take(res.t.terraform_name, "_".join((res.ident, *s.path))) for s in res.secrets]
    _add_lookups(cat, out, names, name_of)
    _, cycle = _definition_order(out)
    if cycle:
        out.skipped += [
            Skipped(
                r.t.resource_type if isinstance(r, Resource) else label(r.endpoint),
                r.key,
                r.name,
                "in a reference cycle",
            )
            for r in cycle
        ]
        out.resources = [r for r in out.resources if r not in cycle]
        out.generic = [g for g in out.generic if g not in cycle]
    return out


def _definition_order(export: Export) -> tuple[list[Resource | GenericResource], list[Resource | GenericResource]]:
    """(the resources in an order where each follows what it references, those in a cycle). Each
    kind is in order already; a cycle can only run through both (typed -> generic -> typed)."""
    nodes: list[Resource | GenericResource] = [*export.resources, *export.generic]
    by_ref: dict[tuple[str, str], Resource | GenericResource] = {**export.by_key(), **export.generic_by_type()}
    by_path: dict[tuple[str, str], Resource | GenericResource] = {(r.t.path, r.key): r for r in export.resources}
    by_path.update({(g.path, g.key): g for g in export.generic})

    def depends_on(r: Resource | GenericResource) -> set[int]:
        if isinstance(r, GenericResource):
            found = [by_path.get((x.path, x.key)) for x in r.refs()]
        else:
            found = [by_ref.get((x.target, x.key)) for x in _refs(r)]
        return {id(d) for d in found if d is not None and d is not r}

    deps = {id(r): depends_on(r) for r in nodes}
    ordered: list[Resource | GenericResource] = []
    done: set[int] = set()
    pending = nodes
    while pending:
        ready = [r for r in pending if deps[id(r)] <= done]
        if not ready:
            return ordered, pending
        ordered += ready
        done |= {id(r) for r in ready}
        pending = [r for r in pending if id(r) not in done]
    return ordered, []


def _add_generic(out: Export, tree: TreeRead, names: _Names, typed_only: bool) -> None:
    typed = {(r.t.path, r.key) for r in out.resources}
    found = select_generic(tree, typed, names.take, typed_only)
    out.generic = found.resources
    out.skipped += found.skipped
    out.unlisted = found.unlisted
    out.read_errors.update(found.read_errors)
    for where, n in found.builtins_kept.items():
        out.builtins_kept[where] = out.builtins_kept.get(where, 0) + n
    out.visited = {"container": len(tree.containers)}
    for r in tree.endpoints:
        e = r.endpoint
        kind = "typed" if r.typed is not None else "write-once" if not r.listed else "read-only"
        kind = "generic" if kind == "read-only" and e.writable else kind
        out.visited[kind] = out.visited.get(kind, 0) + 1
    for path, error in tree.container_errors.items():
        out.read_errors[f"container {path}"] = error


def _orders(cat: Catalog, read: ApplianceRead, resources: list[Resource]) -> list[Resource]:
    """One order resource per ordered collection with exported objects (ADR 0014): it lists them in
    the order SPS evaluates them, so that order is managed too; its import ID is that key list."""
    out = []
    for r in read.types:
        exported = {res.key for res in resources if res.t.terraform_name == r.t.terraform_name}
        order_t = next((o for o in cat.orders.values() if o.orders == r.t.terraform_name), None)
        if not exported or order_t is None:
            continue
        keys = [k for k in (r.order or [o.key for o in r.objects]) if k in exported]
        refs = [Ref(r.t.terraform_name, k) for k in keys]
        out.append(Resource(order_t, ",".join(keys), order_t.terraform_name, "", order_t.root, {KEYS: refs}, {}, []))
    return out


def _refs(res: Resource) -> list[Ref]:
    return [m for m in markers(res.root, res.tree) if isinstance(m, Ref)]


def _in_dependency_order(candidates: list[Resource], out: Export) -> list[Resource]:
    """Referenced objects first (read order otherwise); objects in a reference cycle are reported."""
    by_key = {(r.t.terraform_name, r.key): r for r in candidates}
    deps = {id(r): [by_key[(x.target, x.key)] for x in _refs(r) if (x.target, x.key) in by_key] for r in candidates}
    ordered: list[Resource] = []
    done: set[int] = set()
    pending = list(candidates)
    while pending:
        ready = [r for r in pending if all(id(d) in done for d in deps[id(r)])]
        if not ready:
            for r in pending:
                out.skipped.append(Skipped(r.t.resource_type, r.key, r.name, "in a reference cycle"))
            break
        for r in ready:
            ordered.append(r)
            done.add(id(r))
        pending = [r for r in pending if id(r) not in done]
    return ordered


def _add_lookups(cat: Catalog, out: Export, names: _Names, name_of: NameOf | None) -> None:
    managed = {**out.by_key(), **out.generic_by_type()}
    for res in out.resources:
        for ref in _refs(res):
            where = (ref.target, ref.key)
            if where in managed or where in out.lookups:
                continue
            t = cat[ref.target]
            builtin = next((b for b in t.builtins if b.key == ref.key), None)
            builtin_name = str(builtin.body.get(t.name_field)) if builtin is not None and t.name_field else None
            name = builtin_name or (name_of(t, ref.key) if name_of is not None and t.name_field else None)
            label = f"{t.terraform_name}_{name or ref.key}"
            out.lookups[where] = Lookup(t, ref.key, names.take(t.terraform_name, label), builtin_name)
