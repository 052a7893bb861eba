"""Terraform values <-> SPS bodies for typed catalog definitions.

A Terraform value here is the decoded cty object: every attribute present, null where unset.
An SPS request body carries only the fields of the selected union branches (null kept only for
nullable fields, since SPS wants empty fields included); references go out as plain keys and
come back as `{key, meta.href}` (or, in some doc samples, a bare key): both read as the key.
"""

from __future__ import annotations

from typing import Any

from sps_catalog.model import Field, Value
from sps_catalog.values import UNKNOWN, apply_defaults, strip_inactive


def reference_key(v: Any) -> Any:
    if isinstance(v, dict):
        return v.get("key")
    return v


def to_terraform(value: Value, body: Any) -> Any:
    """An SPS body (response form) as a complete Terraform value."""
    if body is None:
        return None
    if value.type == "reference":
        return reference_key(body)
    if value.type == "list":
        if value.element is None or not isinstance(body, list):
            return body
        return [to_terraform(value.element, el) for el in body]
    if value.type == "object" and isinstance(body, dict):
        return {f.name: to_terraform(f, body.get(f.name)) for f in value.all_fields()}
    return body


def with_defaults(value: Value, tf: Any) -> Any:
    """The Terraform value completed with documented defaults (what the plan promises)."""
    return complete(value, apply_defaults(value, tf))


def complete(value: Value, v: Any) -> Any:
    """Every attribute present (null where unset), recursively."""
    if v is None or v is UNKNOWN:
        return v
    if value.type == "list" and value.element is not None and isinstance(v, list):
        return [complete(value.element, el) for el in v]
    if value.type == "object" and isinstance(v, dict):
        return {f.name: complete(f, v.get(f.name)) for f in value.all_fields()}
    return v


def release_references(value: Value, tf: Any) -> Any:
    """A copy of `tf` whose nullable references are null, so the objects they point to can go."""
    if tf is None or tf is UNKNOWN:
        return tf
    if value.type == "reference":
        return None if isinstance(value, Field) and value.nullable else tf
    if value.type == "list" and value.element is not None and isinstance(tf, list):
        return [release_references(value.element, el) for el in tf]
    if value.type == "object" and isinstance(tf, dict):
        fields = {f.name: f for f in value.all_fields()}
        return {k: release_references(fields[k], v) if k in fields else v for k, v in tf.items()}
    return tf


def to_body(value: Value, tf: Any) -> Any:
    """The request body for a (defaults-completed) Terraform value."""
    return strip_inactive(value, apply_defaults(value, tf, fill_nulls=True))
