"""The walk of `/api/configuration` through its containers: every endpoint the appliance lists.

The live listings decide what exists (a firmware's containers list its children); the catalog's
endpoint tree (ADR 0017) says what each child is. A child the catalog does not know is asked:
an answer with `body` is a singleton, one with `items` a collection, unless its items are
themselves listings (then it is a container, walked in turn). Typed endpoints are read as
before (`reader.read_type`); every other endpoint's objects are read as bodies kept as given.
Read-only, write-once and write-only endpoints are visited and recorded, their objects read
where SPS lists them, so the summary counts what is left out and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sps_catalog.endpoints import Endpoint, EndpointKind, Endpoints
from sps_catalog.generic import discovered
from sps_export.reader import ApplianceRead, Client, TypeRead, read_type
from sps_provider.client import errors


@dataclass(frozen=True)
class BodyObject:
    """One object of an endpoint the catalog does not type: a singleton's body (`key` is the
    endpoint's name) or a collection item, kept as SPS answered."""

    endpoint: Endpoint
    key: str
    body: Any


@dataclass
class EndpointRead:
    """What one visited (non-container) endpoint gave."""

    endpoint: Endpoint
    known: bool
    """Whether the catalog has the endpoint (otherwise its kind came from the answer)."""
    typed: TypeRead | None = None
    """Typed endpoints: the read `select` turns into typed resources."""
    objects: list[BodyObject] = field(default_factory=list)
    listed: bool = True
    """False for write-once secrets, which SPS never lists."""
    error: str | None = None


@dataclass
class TreeRead:
    url: str
    firmware: str | None
    endpoints: list[EndpointRead] = field(default_factory=list)
    catalog: Endpoints | None = None
    """The catalog's endpoint tree the walk went by (what the generic resources accept)."""
    containers: list[str] = field(default_factory=list)
    container_errors: dict[str, str] = field(default_factory=dict)
    """Container path -> why its listing could not be read (what is below it was not visited)."""

    def appliance_read(self) -> ApplianceRead:
        """The typed endpoints' reads, as `selection.select` takes them."""
        return ApplianceRead(self.url, self.firmware, [r.typed for r in self.endpoints if r.typed is not None])


Progress = Callable[[EndpointRead, int, int], None]
"""Called after each endpoint: (its read, how many read, how many in all)."""


def _items(doc: Any) -> list[dict[str, Any]] | None:
    items = doc.get("items") if isinstance(doc, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None


def child_path(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


class _Walker:
    def __init__(self, client: Client, catalog: Endpoints) -> None:
        self.client = client
        self.catalog = catalog
        self.leaves: list[tuple[Endpoint, bool, Any]] = []
        self.containers: list[str] = []
        self.errors: dict[str, str] = {}

    def container(self, path: str, doc: Any) -> None:
        self.containers.append(path)
        for item in _items(doc) or []:
            name = str(item.get("key"))
            child = child_path(path, name)
            known = self.catalog.get(child)
            if known is not None and not known.is_container:
                self.leaves.append((known, True, None))
                continue
            try:
                answer = self.client.get(f"{self.catalog.root.api_path}/{child}")
            except errors.SpsError as exc:
                self.errors[child] = str(exc)
                continue
            if known is not None or self.is_container(child, answer):
                self.container(child, answer)
            else:
                kind: EndpointKind = "singleton" if isinstance(answer, dict) and "body" in answer else "collection"
                self.leaves.append((discovered(child, kind), False, answer))

    def is_container(self, path: str, answer: Any) -> bool:
        """An unknown endpoint whose items carry no body is a container when one of them answers
        with a listing of its own (a 6.x collection's items carry no body either, but answer
        with one)."""
        items = _items(answer)
        if not items or any("body" in i for i in items):
            return False
        try:
            first = self.client.get(f"{self.catalog.root.api_path}/{child_path(path, str(items[0].get('key')))}")
        except errors.SpsError:
            return False
        return _items(first) is not None


def read_endpoint(client: Client, e: Endpoint, known: bool, answer: Any = None) -> EndpointRead:
    """The objects of one endpoint (`answer`: its GET, when the walk already has it)."""
    out = EndpointRead(e, known)
    if e.type is not None and e.resource_type is not None:
        out.typed = read_type(client, e.type)
        out.error = out.typed.error
        return out
    if e.is_write_once or e.write_only:
        out.listed = False
        return out
    try:
        doc = answer if answer is not None else client.get(e.api_path)
        if e.is_singleton:
            body = doc.get("body") if isinstance(doc, dict) else None
            out.objects.append(BodyObject(e, e.name, body))
            return out
        for item in _items(doc) or []:
            key = str(item.get("key"))
            body = item["body"] if "body" in item else _body(client.get(f"{e.api_path}/{key}"))
            out.objects.append(BodyObject(e, key, body))
    except errors.SpsError as exc:
        out.error = str(exc)
        out.objects.clear()
    return out


def _body(doc: Any) -> Any:
    return doc.get("body") if isinstance(doc, dict) else None


def walk(client: Client, catalog: Endpoints, progress: Progress | None = None) -> TreeRead:
    """Log in once (a refused login raises), list the containers from `/api/configuration` down,
    then read each endpoint they list, in tree order."""
    client.ensure_logged_in()
    firmware = client.firmware_version()
    w = _Walker(client, catalog)
    w.container("", client.get(catalog.root.api_path))
    out = TreeRead(client.base, firmware, catalog=catalog, containers=w.containers, container_errors=w.errors)
    for i, (e, known, answer) in enumerate(w.leaves, 1):
        out.endpoints.append(read_endpoint(client, e, known, answer))
        if progress is not None:
            progress(out.endpoints[-1], i, len(w.leaves))
    return out
