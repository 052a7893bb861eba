"""The order types (`sps_<collection>_order`, ADR 0014): plan, apply, read and import of which
objects of an ordered collection come first.

The order is a list of keys, so it has its own engine instead of the object engine's: a change
is one `PUT <collection>/@order` through the coordinator (it joins a group commit like any other
write), whose whole key list is made inside the transaction from the order SPS holds just before
the write (`sps_catalog.orders.placed`): keys this resource does not list, and objects created
in the same transaction, keep their places, and no object's body is sent.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from sps_catalog import load_catalog
from sps_catalog.model import TypeDef
from sps_catalog.orders import KEYS, ORDER_KEY, placed
from sps_catalog.values import UNKNOWN
from sps_provider.client import errors
from sps_provider.coordinator.changes import Step
from sps_provider.engine.attrs import object_attrs, object_type
from sps_provider.engine.firmware_gate import Target, check_plan
from sps_provider.engine.report import report_sps_error
from sps_provider.engine.resource import Plan
from sps_provider.protocol.cty import CtyType
from sps_provider.protocol.diagnostics import Diagnostics
from sps_provider.protocol.schema import Attr

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient
    from sps_provider.coordinator.group_commit import Slot
    from sps_provider.engine.refresh import RefreshReader


def order_of(doc: Any) -> list[str]:
    """The key list of an `@order` answer (`{"body": {"@order": [...]}}`)."""
    body = doc.get("body") if isinstance(doc, dict) else None
    keys = body.get(ORDER_KEY) if isinstance(body, dict) else None
    if not isinstance(keys, list):
        raise errors.SpsError(f"unexpected {ORDER_KEY} answer: {doc!r}")
    return [str(k) for k in keys]


class OrderEngine:
    def __init__(self, t: TypeDef) -> None:
        self.t = t
        self.attrs: tuple[Attr, ...] = object_attrs(t.root, "resource")
        self.version_limited = t.versions.is_limited

    @cached_property
    def type(self) -> CtyType:
        return object_type(self.attrs)

    def validate(self, config: dict[str, Any], diags: Diagnostics, prior: Any = None) -> None:
        keys = config.get(KEYS)
        if not isinstance(keys, list):
            return
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key is UNKNOWN:
                continue
            if key is None or key == "":
                diags.error(f"Invalid {self.t.resource_type} configuration", f"{KEYS}[{i}]: must be a key", [KEYS, i])
            elif key in seen:
                diags.error(
                    f"Invalid {self.t.resource_type} configuration",
                    f"{KEYS}[{i}]: {key!r} is listed twice; an object has one place in the order",
                    [KEYS, i],
                )
            seen.add(key)

    def plan(self, prior: Any, config: Any, diags: Diagnostics, target: Target | None = None,
             lookups: RefreshReader | None = None, validated: bool = False) -> Plan:  # fmt: skip
        if config is None:
            return Plan(None, [])
        if not validated:
            self.validate(config, diags, prior)
        planned = {KEYS: config.get(KEYS)}
        if target is not None:
            check_plan(self.t, target, {}, prior is None or planned != prior, diags)
        if lookups is not None and not diags.has_errors:
            self.check_keys(planned[KEYS], lookups, diags)
        return Plan(planned, [])

    def check_keys(self, keys: Any, lookups: RefreshReader, diags: Diagnostics) -> None:
        """A known key the collection does not hold is refused at plan (SPS would refuse the order)."""
        collection = load_catalog()[self.t.orders or ""]
        held = lookups.objects(collection)
        if held is None or not isinstance(keys, list):
            return
        for i, key in enumerate(keys):
            if isinstance(key, str) and key not in held:
                diags.error(
                    f"Invalid {self.t.resource_type} configuration",
                    f"{KEYS}[{i}]: no {collection.resource_type} with key {key!r} on SPS (GET {collection.api_path})",
                    [KEYS, i],
                )

    def apply(self, slot: Slot, refresh: RefreshReader, prior: Any, planned: Any, config: Any,
              diags: Diagnostics, target: Target | None = None) -> Any:  # fmt: skip
        """The new order's state. The collection's snapshot is dropped whatever the outcome: it
        does not follow the order, and `RefreshReader.named` answers in the list's order."""
        if planned is None:
            return None  # the order stays as it is: only Terraform forgets it
        wanted = [str(k) for k in planned[KEYS]]

        def merge(body: Any, current: Any) -> Any:
            order = order_of({"body": current})
            try:
                return {ORDER_KEY: placed(wanted, order)}
            except KeyError as exc:
                raise errors.SemanticError(
                    f"{KEYS} lists keys SPS does not hold in {self.t.api_path.removesuffix('/' + ORDER_KEY)}: "
                    f"{exc.args[0]}",
                    status=400,
                    error_type="SemanticError",
                    method="PUT",
                    path=self.t.api_path,
                ) from exc

        try:
            slot.submit([Step("PUT", self.t.api_path, {ORDER_KEY: wanted}, merge=merge)])
            return self.state(order_of(refresh.client.get(self.t.api_path)), wanted)
        except errors.SpsError as exc:
            report_sps_error(diags, self.t, "apply", exc)
            return prior
        finally:
            refresh.invalidate(load_catalog()[self.t.orders or ""])

    @staticmethod
    def state(order: list[str], managed: list[str]) -> dict[str, Any]:
        """The listed keys SPS still holds, in SPS's order: drift shows as a reordered or shorter list."""
        chosen = set(managed)
        return {KEYS: [k for k in order if k in chosen]}

    def read(self, refresh: RefreshReader, current: Any, diags: Diagnostics) -> Any:
        if current is None:
            return None
        try:
            doc = refresh.client.get(self.t.api_path)
        except errors.SpsError as exc:
            report_sps_error(diags, self.t, "read", exc)
            return current
        return self.state(order_of(doc), [str(k) for k in current.get(KEYS) or []])

    def import_(self, reader: SpsClient, key: str, diags: Diagnostics) -> Any:
        """ID `@order`: every object, in SPS's order; or the keys to manage, comma-separated."""
        try:
            order = order_of(reader.get(self.t.api_path))
        except errors.SpsError as exc:
            report_sps_error(diags, self.t, "import", exc)
            return None
        if key == ORDER_KEY:
            return {KEYS: order}
        wanted = [k.strip() for k in key.split(",") if k.strip()]
        missing = [k for k in wanted if k not in order]
        if missing or not wanted:
            diags.error(
                f"Cannot import {self.t.resource_type} {key!r}",
                f"The import ID is {ORDER_KEY!r} (every object) or the keys to manage, comma-separated; "
                f"not on SPS: {', '.join(missing) or 'none given'} (GET {self.t.api_path}).",
            )
            return None
        return self.state(order, wanted)
