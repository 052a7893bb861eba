"""The generic data source: find one object of a catalog type by key or by name."""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sps_catalog.keys import item_path, key_problem
from sps_catalog.model import TypeDef
from sps_catalog.unknown_fields import EXTRA_JSON, canonical, unknown_only
from sps_provider.client import errors
from sps_provider.engine.attrs import data_source_attrs, object_type
from sps_provider.engine.convert import to_terraform
from sps_provider.engine.report import report_sps_error
from sps_provider.protocol.cty import CtyType
from sps_provider.protocol.diagnostics import Diagnostics
from sps_provider.protocol.schema import Attr

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient


class DataSourceEngine:
    def __init__(self, t: TypeDef) -> None:
        self.t = t
        self.attrs: tuple[Attr, ...] = data_source_attrs(t)

    @cached_property
    def type(self) -> CtyType:
        return object_type(self.attrs)

    def validate(self, config: dict[str, Any], diags: Diagnostics) -> None:
        if self.t.is_singleton:
            return
        name_field = self.t.name_field
        given = [k for k in ("key", name_field) if k and config.get(k) is not None]
        if not given:
            diags.error(
                f"{self.t.resource_type}: give `key` or `{name_field or 'key'}`",
                "The data source finds one object by its key" + (" or its name." if name_field else "."),
            )
        key = config.get("key")
        if isinstance(key, str) and (problem := key_problem(key)):
            diags.error(f"{self.t.resource_type}: key {problem}", f"Keys of {self.t.api_path} objects.", ["key"])

    def state(self, key: str, body: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"key": key}
        body = self.t.as_object(body)
        if self.t.is_typed:
            out.update(to_terraform(self.t.root, body))
            out[EXTRA_JSON] = canonical(unknown_only(self.t.root, body))
        else:
            if self.t.name_field:
                out[self.t.name_field] = body.get(self.t.name_field) if isinstance(body, dict) else None
            out["body_json"] = json.dumps(body, sort_keys=True)
        return out

    def read(self, reader: SpsClient, config: dict[str, Any], diags: Diagnostics) -> Any:
        t = self.t
        self.validate(config, diags)
        if diags.has_errors:
            return None
        try:
            if t.is_singleton:
                return self.state(t.singleton_key, reader.get(t.api_path).get("body"))
            key = config.get("key")
            name = config.get(t.name_field) if t.name_field else None
            if key is not None:
                doc = reader.get(item_path(t.api_path, key))
                found = self.state(key, doc.get("body"))
                if name is not None and found.get(t.name_field or "") != name:
                    diags.error(
                        f"{t.resource_type}: key and name disagree",
                        f"The object {key} is named {found.get(t.name_field or '')!r}, not {name!r}.",
                        [t.name_field or "name"],
                    )
                return found
            items = reader.get(t.api_path).get("items", [])
            matches = []
            for item in items:
                body = item.get("body")
                if body is None:
                    body = reader.get(item_path(t.api_path, str(item["key"]))).get("body")
                if isinstance(body, dict) and body.get(t.name_field or "") == name:
                    matches.append((item["key"], body))
            if len(matches) != 1:
                what = "no" if not matches else f"{len(matches)}"
                diags.error(
                    f"{t.resource_type}: {what} object(s) named {name!r}",
                    f"Looked in {t.api_path}; names are case-sensitive.",
                    [t.name_field or "name"],
                )
                return None
            return self.state(*matches[0])
        except errors.NotFound:
            diags.error(
                f"{t.resource_type}: no object with key {config.get('key')!r}",
                f"GET {t.api_path}/{config.get('key')} answered 404 NotFound.",
                ["key"],
            )
            return None
        except errors.SpsError as exc:
            report_sps_error(diags, t, "read", exc)
            return None
