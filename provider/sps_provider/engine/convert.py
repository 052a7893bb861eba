"""Terraform values <-> SPS bodies for typed catalog definitions.

A Terraform value here is the decoded cty object: every attribute present, null where unset.
An SPS request body carries only the fields of the selected union branches (null kept only for
nullable fields, since SPS wants empty fields included); references go out as plain keys and
come back as `{key, meta.href}` (or, in some doc samples, a bare key): both read as the key.
"""

from __future__ import annotations

from typing import Any

from sps_catalog.model import Field, Value
from sps_catalog.values import apply_defaults, strip_inactive
from sps_catalog.walk import Path, Rebuild


def reference_key(v: Any) -> Any:
    if isinstance(v, dict):
        return v.get("key")
    return v


class _Complete(Rebuild):
    """Every attribute present (null where unset), recursively."""

    tracks_path = False


class _ToTerraform(_Complete):
    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        return reference_key(v) if spec.type == "reference" else v


class _ReleaseReferences(Rebuild):
    tracks_path = False
    select = "present"
    keep_unselected = True

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        return None if spec.type == "reference" and isinstance(spec, Field) and spec.nullable else v


complete = _Complete()
to_terraform = _ToTerraform()
"""An SPS body (response form) as a complete Terraform value."""
release_references = _ReleaseReferences()
"""A copy of a Terraform value whose nullable references are null, so the objects they point to can go."""


def to_body(value: Value, tf: Any) -> Any:
    """The request body for a (defaults-completed) Terraform value."""
    return strip_inactive(value, apply_defaults(value, tf, fill_nulls=True))
