"""Every configuration endpoint the REST API Reference Guide documents, typed or not.

`catalog/endpoints.yaml` holds what `catalog/types` does not type: the containers (with their
children in documented order) and the opaque endpoints, whose bodies are kept as given. The rows
of typed endpoints are derived from their types, never written twice. Together they are the tree
below `/api/configuration`: what the simulator serves, what the generic resources may reach and
what the exporter walks (ADR 0017).

Consistency (every container lists exactly the endpoints below it, no row repeats a typed path,
references name collections) is collected in `Endpoints.problems` instead of raised, so a catalog
directory with a type being written (`SPS_CATALOG_DIR`) still loads; the shipped catalog has none
(a unit test holds it to that).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal, cast

from sps_catalog.load import endpoint_definitions, load_catalog
from sps_catalog.model import Builtin, Catalog, TypeDef
from sps_catalog.versions import Versions

ROOT = "/api/configuration"
EndpointKind = Literal["container", "collection", "ordered_collection", "singleton", "secret"]
BodyType = Literal["object", "list", "string"]
BODY_PYTHON_TYPES: Mapping[BodyType, type] = {"object": dict, "list": list, "string": str}


@dataclass(frozen=True)
class Source:
    """One page of the guide (or a seed file): the edition it belongs to and what it says."""

    page: str
    version: str
    said: str


@dataclass(frozen=True)
class Endpoint:
    path: str
    """Below `/api/configuration`, without a leading slash; "" is `/api/configuration` itself."""
    kind: EndpointKind
    description: str
    writable: bool = True
    """Whether REST accepts writes at all (within `versions`' writable range); containers never."""
    write_only: bool = False
    """The body holds a secret that is set and never read back."""
    versions: Versions = field(default_factory=Versions)
    body: BodyType = "object"
    default: Any = None
    """A singleton's body on a factory appliance."""
    builtins: tuple[Builtin, ...] = ()
    references: Mapping[str, str] = field(default_factory=dict)
    """Dotted body field -> path of the collection whose key the field holds."""
    children: tuple[str, ...] = ()
    """A container's children in documented order (after `Endpoints` merged in typed ones)."""
    sources: tuple[Source, ...] = ()
    source_tags: tuple[str, ...] = ()
    """A typed endpoint's sources: the tags its type lists (defined in the shared API notes)."""
    inferred: str = ""
    type: TypeDef | None = None
    """The catalog type of this path, if any (typed, or undocumented but known as a data source)."""

    @property
    def api_path(self) -> str:
        return f"{ROOT}/{self.path}" if self.path else ROOT

    @property
    def name(self) -> str:
        """The last path segment: a singleton's key, a child's key in its container's listing."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self) -> str | None:
        """The containing endpoint's path (None for the root)."""
        if not self.path:
            return None
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def is_container(self) -> bool:
        return self.kind == "container"

    @property
    def is_singleton(self) -> bool:
        return self.kind == "singleton"

    @property
    def is_collection(self) -> bool:
        """Objects under keys (collections, ordered collections, write-once secrets)."""
        return self.kind in ("collection", "ordered_collection", "secret")

    @property
    def is_write_once(self) -> bool:
        return self.kind == "secret"

    @property
    def is_typed(self) -> bool:
        """Whether the catalog knows the body field by field (otherwise it is opaque)."""
        return self.type is not None and self.type.is_typed

    @property
    def is_opaque(self) -> bool:
        return not self.is_container and not self.is_typed

    @property
    def resource_type(self) -> str | None:
        """The typed Terraform resource that manages this endpoint's objects, if there is one."""
        return self.type.resource_type if self.type is not None and self.type.is_managed else None

    @property
    def data_source_type(self) -> str | None:
        """The typed data source that reads this endpoint's objects, if there is one."""
        return self.type.resource_type if self.type is not None else None

    def exists_on(self, version: str) -> bool:
        return self.versions.exists_on(version)

    def writable_on(self, version: str) -> bool:
        return self.writable and not self.is_container and self.versions.writable_on(version)


def _kind_of(t: TypeDef) -> EndpointKind:
    """The shape of a typed endpoint. Read-only and undocumented types are collections in this
    catalog; a read-only singleton is written in endpoints.yaml instead."""
    if t.kind in ("singleton", "ordered_collection", "secret"):
        return cast(EndpointKind, t.kind)
    return "collection"


def typed_endpoint(t: TypeDef) -> Endpoint:
    """The row of a typed endpoint, made from its type."""
    return Endpoint(
        path=t.path,
        kind=_kind_of(t),
        description=t.title,
        writable=t.rest_writable,
        versions=t.versions,
        body=t.body_type,
        default=t.as_body(dict(t.initial_body or {})) if t.is_singleton else None,
        builtins=t.builtins,
        source_tags=t.sources,
        inferred=t.inferred,
        type=t,
    )


def endpoint_from_dict(raw: Mapping[str, Any]) -> Endpoint:
    kind = cast(EndpointKind, raw["kind"])
    path = str(raw["path"])
    misuse = [
        key
        for key, allowed in (
            ("children", kind == "container"),
            ("default", kind == "singleton"),
            ("body", kind == "singleton"),
            ("builtins", kind in ("collection", "ordered_collection")),
            ("writable", kind != "container"),
        )
        if key in raw and not allowed
    ]
    if misuse:
        raise ValueError(f"endpoints.yaml {path or '(root)'}: a {kind} has no {', '.join(misuse)}")
    if kind == "container" and not raw.get("children"):
        raise ValueError(f"endpoints.yaml {path or '(root)'}: a container lists its children")
    body = cast(BodyType, raw.get("body", "object"))
    default = raw.get("default", {} if kind == "singleton" and body == "object" else None)
    if kind == "singleton" and default is None:
        raise ValueError(f"endpoints.yaml {path}: a singleton whose body is a {body} needs a default")
    if kind == "singleton" and not isinstance(default, BODY_PYTHON_TYPES[body]):
        raise ValueError(f"endpoints.yaml {path}: the default must be a JSON {body}")
    return Endpoint(
        path=path,
        kind=kind,
        description=str(raw["description"]),
        writable=bool(raw.get("writable", kind != "container")),
        write_only=bool(raw.get("write_only", False)),
        versions=Versions(**raw.get("versions", {})),
        body=body,
        default=default,
        builtins=tuple(Builtin(b["key"], b["body"]) for b in raw.get("builtins", ())),
        references=dict(raw.get("references", {})),
        children=tuple(raw.get("children", ())),
        sources=tuple(Source(**s) for s in raw["sources"]),
        inferred=str(raw.get("inferred", "")),
    )


@dataclass(frozen=True)
class Endpoints:
    """The endpoint tree, in tree order (a container, then each child's subtree in listing order)."""

    by_path: Mapping[str, Endpoint]
    problems: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(self.by_path.values())

    def __len__(self) -> int:
        return len(self.by_path)

    def get(self, path: str) -> Endpoint | None:
        """The endpoint at `path` (below /api/configuration, or a full `/api/configuration/...` href)."""
        return self.by_path.get(relative(path))

    def __getitem__(self, path: str) -> Endpoint:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found

    @property
    def root(self) -> Endpoint:
        return self.by_path[""]

    def children(self, path: str, version: str | None = None) -> tuple[Endpoint, ...]:
        """A container's children in listing order; with `version`, those that firmware has."""
        e = self[path]
        kids = (self.by_path[f"{e.path}/{c}" if e.path else c] for c in e.children)
        return tuple(k for k in kids if version is None or k.exists_on(version))

    def exists_on(self, path: str, version: str) -> bool:
        """Whether `path` and every container above it exist on firmware `version`."""
        e = self.get(path)
        while e is not None:
            if not e.exists_on(version):
                return False
            e = self.by_path.get(e.parent) if e.parent is not None else None
        return self.get(path) is not None

    def on(self, version: str) -> tuple[Endpoint, ...]:
        """The endpoints firmware `version` has, in tree order."""
        return tuple(e for e in self if self.exists_on(e.path, version))


def relative(path: str) -> str:
    """`/api/configuration/a/b` or `a/b/` -> `a/b`; the root is ""."""
    path = path.strip("/")
    prefix = ROOT.strip("/")
    if path == prefix:
        return ""
    return path.removeprefix(prefix + "/")


def build_endpoints(raws: list[dict[str, Any]], catalog: Catalog) -> Endpoints:
    """The tree from endpoints.yaml's rows and the catalog's types (a type supersedes a row of
    the same path); container children are the declared ones, then any undeclared, sorted."""
    rows = {e.path: e for e in map(endpoint_from_dict, raws)}
    problems: list[str] = []
    found: dict[str, Endpoint] = dict(rows)
    for t in catalog:
        if t.path in rows:
            problems.append(f"{t.path}: endpoints.yaml repeats the path of catalog/types/{t.terraform_name}.yaml")
        found[t.path] = typed_endpoint(t)
    if "" not in found:
        raise ValueError('endpoints.yaml: the root container (path "") is missing')
    below: dict[str, list[str]] = {}
    for e in found.values():
        if e.parent is None:
            continue
        parent = found.get(e.parent)
        if parent is None or not parent.is_container:
            problems.append(f"{e.path}: its parent {e.parent or '(root)'} is not a container of endpoints.yaml")
            continue
        below.setdefault(e.parent, []).append(e.name)
    for path, e in list(found.items()):
        if not e.is_container:
            continue
        present = set(below.get(path, ()))
        declared = [c for c in e.children if c in present]
        where = path or "(root)"
        problems += [f"{where}: lists {c}, which no endpoint describes" for c in e.children if c not in present]
        extra = sorted(present - set(e.children))
        problems += [f"{where}: does not list {c}" for c in extra]
        found[path] = _with_children(e, (*declared, *extra))
    for e in found.values():
        for name, target in e.references.items():
            if not (target in found and found[target].is_collection):
                problems.append(f"{e.path}: reference {name} names {target!r}, which is no collection")
    ordered: dict[str, Endpoint] = {}

    def visit(path: str) -> None:
        e = found[path]
        ordered[path] = e
        for c in e.children:
            visit(f"{path}/{c}" if path else c)

    visit("")
    problems += [f"{p}: not reachable from the root" for p in found if p not in ordered]
    return Endpoints(ordered, tuple(problems))


def _with_children(e: Endpoint, children: tuple[str, ...]) -> Endpoint:
    return replace(e, children=children)


def endpoints_of(catalog: Catalog) -> Endpoints:
    """The endpoint tree of `catalog` with the compiled (or `SPS_CATALOG_DIR`) endpoints.yaml."""
    return build_endpoints(endpoint_definitions(), catalog)


@cache
def load_endpoints() -> Endpoints:
    """The endpoint tree of the loaded catalog (`sps_catalog.load_catalog`)."""
    return endpoints_of(load_catalog())
