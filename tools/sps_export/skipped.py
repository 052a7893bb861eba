"""Objects the export does not write, each with why: nothing is left out without a reason."""

from __future__ import annotations

from dataclasses import dataclass

READ_ONLY = "read-only"
WRITE_ONCE = "write-once secret"
BUILT_IN = "built-in"
FIRMWARE = "firmware"
TYPED_ONLY = "typed only"
NOT_REPRESENTABLE = "not representable"
EXPECTED = frozenset({READ_ONLY, WRITE_ONCE, TYPED_ONLY})
"""Skips that are what the export is for (REST does not let anyone write these objects, or the
user asked for typed resources only): counted and named, but they leave the exit code 0."""


@dataclass(frozen=True)
class Skipped:
    """An object the export does not write, with why (shown by name and by what would manage it:
    a resource type, or `sps_object <path>`)."""

    label: str
    key: str
    name: str
    reason: str
    category: str = NOT_REPRESENTABLE
