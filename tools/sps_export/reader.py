"""Read-only reads of every managed type: one login, then GETs (no transaction, nothing written).

A type whose read fails is recorded with its error and the others go on, so one unreadable
collection never loses the rest of the appliance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sps_catalog.model import TypeDef
from sps_catalog.orders import ORDER_KEY
from sps_provider.client import errors
from sps_provider.client.session import SpsClient
from sps_provider.engine.order import order_of


class Client(Protocol):
    """What the reads use of `SpsClient` (a session that GETs; tests give a fake appliance)."""

    base: str

    def get(self, path: str) -> Any: ...

    def ensure_logged_in(self) -> None: ...

    def firmware_version(self) -> str | None: ...


@dataclass(frozen=True)
class ReadObject:
    """One object as the appliance holds it (response form: references as {key, meta})."""

    t: TypeDef
    key: str
    body: dict[str, Any]


@dataclass
class TypeRead:
    """What one type's read gave: its objects, or the error that stopped it."""

    t: TypeDef
    objects: list[ReadObject] = field(default_factory=list)
    error: str | None = None
    order: list[str] | None = None
    """Ordered collections: every key in the order SPS evaluates them (`<collection>/@order`)."""


@dataclass
class ApplianceRead:
    url: str
    firmware: str | None
    types: list[TypeRead]

    def objects(self) -> list[ReadObject]:
        return [o for r in self.types for o in r.objects]

    def read_errors(self) -> dict[str, str]:
        """resource type -> the error that stopped its read."""
        return {r.t.resource_type: r.error for r in self.types if r.error is not None}


Progress = Callable[[TypeRead, int, int], None]
"""Called after each type: (its read, how many types done, how many in all)."""


def read_type(client: Client, t: TypeDef) -> TypeRead:
    """Every object of `t`: the singleton's body, or the collection's items (list answers carry
    bodies; an item without one is read by key), and an ordered collection's order."""
    out = TypeRead(t)
    try:
        if t.is_singleton:
            doc = client.get(t.api_path)
            held = t.as_object(doc.get("body")) if t.value_body is not None and isinstance(doc, dict) else _body(doc)
            out.objects.append(ReadObject(t, t.singleton_key, held))
            return out
        doc = client.get(t.api_path)
        for item in doc.get("items", []) if isinstance(doc, dict) else []:
            key = str(item.get("key"))
            body = item.get("body") if isinstance(item, dict) else None
            if not isinstance(body, dict):
                body = _body(client.get(f"{t.api_path}/{key}"))
            out.objects.append(ReadObject(t, key, body))
        if t.is_ordered:
            out.order = order_of(client.get(f"{t.api_path}/{ORDER_KEY}"))
    except errors.SpsError as exc:
        out.error = str(exc)
        out.objects.clear()
    return out


def read_appliance(client: Client, types: Iterable[TypeDef], progress: Progress | None = None) -> ApplianceRead:
    """Log in once (a refused login raises: it is never repeated), then read each type in turn."""
    client.ensure_logged_in()
    firmware = client.firmware_version()
    wanted = list(types)
    reads: list[TypeRead] = []
    for i, t in enumerate(wanted, 1):
        reads.append(read_type(client, t))
        if progress is not None:
            progress(reads[-1], i, len(wanted))
    return ApplianceRead(client.base, firmware, reads)


def _body(doc: Any) -> dict[str, Any]:
    body = doc.get("body") if isinstance(doc, dict) else None
    return body if isinstance(body, dict) else {}


def name_reader(client: SpsClient) -> Callable[[TypeDef, str], str | None]:
    """Names of referenced objects the export does not manage (an X.509 certificate, a plugin), so
    their lookups read as what they are: one GET each; a failed read leaves the key as the name."""

    def name_of(t: TypeDef, key: str) -> str | None:
        try:
            name = _body(client.get(f"{t.api_path}/{key}")).get(t.name_field or "")
        except errors.SpsError:
            return None
        return name if isinstance(name, str) and name else None

    return name_of
