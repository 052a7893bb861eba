"""The generic managed resource: plan, apply, read and import for any catalog type.

create = POST in a transaction, then commit (singletons: PUT, adopting the appliance's object);
read = GET, 404 -> gone; update = PUT of the whole body; delete = DELETE (singletons: forget).
All writes go through the coordinator, so every answer Terraform gets is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sps_catalog.model import TypeDef
from sps_catalog.values import UNKNOWN, validate
from sps_provider.client import errors
from sps_provider.coordinator import Coordinator
from sps_provider.engine.attrs import Attr, resource_attrs
from sps_provider.engine.convert import release_references, to_body, to_terraform, with_defaults
from sps_provider.engine.report import report_sps_error
from sps_provider.protocol.diagnostics import Diagnostics

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient


@dataclass
class Plan:
    state: Any
    requires_replace: list[list[str | int]]


class ResourceEngine:
    def __init__(self, t: TypeDef) -> None:
        self.t = t
        self.attrs: tuple[Attr, ...] = resource_attrs(t)

    # -- helpers -------------------------------------------------------------------------
    def object_path(self, key: str) -> str:
        return self.t.api_path if self.t.is_singleton else f"{self.t.api_path}/{key}"

    def body_fields(self, tf: dict[str, Any]) -> dict[str, Any]:
        return {f.name: tf.get(f.name) for f in self.t.fields}

    def state_from_body(self, key: str, body: Any) -> dict[str, Any]:
        return {"key": key, **to_terraform(self.t.root, body)}

    # -- validate / plan -----------------------------------------------------------------
    def validate(self, config: dict[str, Any], diags: Diagnostics) -> None:
        values = with_defaults(self.t.root, self.body_fields(config))
        for p in validate(self.t.root, values):
            diags.error(f"Invalid {self.t.resource_type} configuration", f"{p.dotted()}: {p.message}", list(p.path))

    def plan(self, prior: Any, config: Any, diags: Diagnostics) -> Plan:
        if config is None:
            return Plan(None, [])
        self.validate(config, diags)
        planned: dict[str, Any] = with_defaults(self.t.root, self.body_fields(config))
        if prior is not None:
            planned = {"key": prior["key"], **planned}
        else:
            planned = {"key": self.t.singleton_key if self.t.is_singleton else UNKNOWN, **planned}
        replace: list[list[str | int]] = []
        if prior is not None:
            replace = [[a.name] for a in self.attrs if a.requires_replace and planned.get(a.name) != prior.get(a.name)]
        return Plan(planned, replace)

    # -- apply ---------------------------------------------------------------------------
    def apply(self, coordinator: Coordinator, reader: SpsClient, prior: Any, planned: Any, diags: Diagnostics) -> Any:
        t = self.t
        try:
            if planned is None:
                if t.is_singleton:
                    current = self.body_fields(prior)
                    released = release_references(t.root, current)
                    if released != current:
                        coordinator.submit("PUT", t.api_path, to_body(t.root, released))
                    diags.warning(
                        f"{t.resource_type} removed from Terraform state only",
                        f"{t.title} is a singleton on the appliance: destroying it forgets it; "
                        "the appliance keeps its current settings (optional references it held are released).",
                    )
                    return None
                coordinator.submit("DELETE", self.object_path(prior["key"]))
                return None
            body = to_body(t.root, self.body_fields(planned))
            if prior is None and not t.is_singleton:
                key = coordinator.submit("POST", t.api_path, body)
            else:
                key = prior["key"] if prior is not None else t.singleton_key
                coordinator.submit("PUT", self.object_path(key), body)
            doc = reader.get(self.object_path(key))
            return self.state_from_body(key, doc.get("body"))
        except errors.SpsError as exc:
            report_sps_error(diags, t, "apply", exc)
            return prior

    # -- read / import -------------------------------------------------------------------
    def read(self, reader: SpsClient, current: Any, diags: Diagnostics) -> Any:
        if current is None:
            return None
        key = current.get("key") or (self.t.singleton_key if self.t.is_singleton else None)
        if not key:
            return None
        try:
            doc = reader.get(self.object_path(key))
        except errors.NotFound:
            return None
        except errors.SpsError as exc:
            report_sps_error(diags, self.t, "read", exc)
            return current
        return self.state_from_body(key, doc.get("body"))

    def import_(self, reader: SpsClient, key: str, diags: Diagnostics) -> Any:
        t = self.t
        if t.is_singleton and key != t.singleton_key:
            diags.error(
                f"Cannot import {t.resource_type} {key!r}",
                f"{t.title} is a singleton; import it with the ID {t.singleton_key!r}.",
            )
            return None
        try:
            doc = reader.get(self.object_path(key))
        except errors.NotFound:
            diags.error(
                f"Cannot import {t.resource_type}: no object with key {key!r}",
                f"GET {self.object_path(key)} answered 404 NotFound. Import IDs are SPS keys; list them "
                f"with GET {t.api_path}.",
            )
            return None
        except errors.SpsError as exc:
            report_sps_error(diags, t, "import", exc)
            return None
        return self.state_from_body(key, doc.get("body"))
