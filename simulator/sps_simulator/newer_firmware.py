"""The `--extra-fields` switch: the appliance holds fields the catalog does not model.

It plays a newer firmware than the catalog knows. Every object of a typed type holds
`ROOT_FIELD` (required: a PUT without it is refused, as a firmware that added a mandatory field
refuses a body written for the old one; a POST without it gets its default, as an upgrade fills
new fields in), and every nested object, list elements included, holds `NESTED_FIELD`
(optional, filled in on POST). Objects already stored get both on start-up, like a firmware
upgrade migrating the configuration. docs/simulator.md lists this among the switches.
"""

from __future__ import annotations

import copy
from typing import Any

from sps_catalog.model import TypeDef, Value
from sps_catalog.values import Problem

ROOT_FIELD = "newer_firmware_option"
ROOT_DEFAULT: dict[str, Any] = {"enabled": False, "level": 3}
NESTED_FIELD = "newer_firmware_detail"
NESTED_DEFAULT = "default"


def fill(t: TypeDef, body: Any) -> Any:
    """`body` with the newer fields it lacks set to their defaults (POST, upgrade)."""
    if not t.is_typed or not isinstance(body, dict):
        return body
    out = _fill_nested(t.root, body, top=True)
    out.setdefault(ROOT_FIELD, copy.deepcopy(ROOT_DEFAULT))
    return out


def _fill_nested(value: Value, v: Any, top: bool = False) -> Any:
    if value.type == "list" and value.element is not None and isinstance(v, list):
        return [_fill_nested(value.element, el) for el in v]
    if value.type != "object" or not isinstance(v, dict):
        return v
    fields = {f.name: f for f in value.all_fields()}
    out = {k: _fill_nested(fields[k], item) if k in fields else item for k, item in v.items()}
    if not top:
        out.setdefault(NESTED_FIELD, NESTED_DEFAULT)
    return out


def split(t: TypeDef, body: Any) -> tuple[Any, list[Problem]]:
    """`body` without the newer fields (for the catalog's validation) and the problems with them:
    the required root field missing (PUT)."""
    if not t.is_typed or not isinstance(body, dict):
        return body, []
    problems = [] if ROOT_FIELD in body else [Problem((ROOT_FIELD,), "is required")]
    return _strip(t.root, body, top=True), problems


def _strip(value: Value, v: Any, top: bool = False) -> Any:
    if value.type == "list" and value.element is not None and isinstance(v, list):
        return [_strip(value.element, el) for el in v]
    if value.type != "object" or not isinstance(v, dict):
        return v
    fields = {f.name: f for f in value.all_fields()}
    drop = ROOT_FIELD if top else NESTED_FIELD
    return {k: _strip(fields[k], item) if k in fields else item for k, item in v.items() if k != drop}
