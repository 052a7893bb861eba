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
from collections.abc import Mapping
from typing import Any

from sps_catalog.model import TypeDef, Value
from sps_catalog.values import Problem
from sps_catalog.walk import Path, Rebuild

ROOT_FIELD = "newer_firmware_option"
ROOT_DEFAULT: dict[str, Any] = {"enabled": False, "level": 3, "label": "Cafe\u0301", "ceiling": 1e300}
"""Its text is decomposed (not NFC) and its float beyond Terraform's precision, as an appliance may
hold them: neither may plan a change (sps_catalog.equivalence)."""
NESTED_FIELD = "newer_firmware_detail"
NESTED_DEFAULT = "default"


def fill(t: TypeDef, body: Any) -> Any:
    """`body` with the newer fields it lacks set to their defaults (POST, upgrade); a bare-value
    body has no fields to gain."""
    if not t.is_typed or t.value_body is not None or not isinstance(body, dict):
        return body
    out = _fill_nested(t.root, body)
    out.setdefault(ROOT_FIELD, copy.deepcopy(ROOT_DEFAULT))
    return out


class _Fill(Rebuild):
    """Every nested object (not the root) gets the newer nested field."""

    select = "present"
    keep_unselected = True

    def object(self, spec: Value, obj: Mapping[str, Any], path: Path) -> Any:
        out = super().object(spec, obj, path)
        if path:
            out.setdefault(NESTED_FIELD, NESTED_DEFAULT)
        return out


_fill_nested = _Fill()


def split(t: TypeDef, body: Any) -> tuple[Any, list[Problem]]:
    """`body` without the newer fields (for the catalog's validation) and the problems with them:
    the required root field missing (PUT)."""
    if not t.is_typed or t.value_body is not None or not isinstance(body, dict):
        return body, []
    problems = [] if ROOT_FIELD in body else [Problem((ROOT_FIELD,), "is required")]
    return _strip(t.root, body), problems


class _Strip(Rebuild):
    select = "present"
    keep_unselected = True

    def object(self, spec: Value, obj: Mapping[str, Any], path: Path) -> Any:
        out = super().object(spec, obj, path)
        out.pop(NESTED_FIELD if path else ROOT_FIELD, None)
        return out


_strip = _Strip()
