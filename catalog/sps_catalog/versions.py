"""Firmware versions: which SPS versions a type or field exists on, and is writable on.

Ranges are half-open, `[since, until)`, so `until: "7.5"` means "up to 7.4.x"; an unset bound is
open. Versions compare number by number ("6.10" > "6.9"). The model holds a `Versions` per type and
field; `sps_catalog.firmware` applies them to definitions and values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VersionTuple = tuple[int, int, int]


def parse_version(text: str) -> VersionTuple:
    """`"7.5.1"` -> (7, 5, 1); `"7.5"` -> (7, 5, 0). Suffixes after the numbers (`8.0 LTS`) are ignored."""
    m = re.match(r"\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if m is None:
        raise ValueError(f"{text!r} is not a firmware version (X.Y.Z)")
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)


def _within(version: str, since: str | None, until: str | None) -> bool:
    v = parse_version(version)
    return (since is None or parse_version(since) <= v) and (until is None or v < parse_version(until))


@dataclass(frozen=True)
class Versions:
    """Where a type or field exists (`since`, `until`) and, for types, where SPS accepts writes to
    it over REST (`writable_since`, `writable_until`, within the range it exists in)."""

    since: str | None = None
    until: str | None = None
    writable_since: str | None = None
    writable_until: str | None = None
    note: str = ""

    @property
    def is_limited(self) -> bool:
        return any((self.since, self.until, self.writable_since, self.writable_until))

    def exists_on(self, version: str) -> bool:
        return _within(version, self.since, self.until)

    def writable_on(self, version: str) -> bool:
        return self.exists_on(version) and _within(version, self.writable_since, self.writable_until)

    def describe(self) -> str:
        """`exists from 6.0; writable from 7.0 until before 7.5`, for docs and diagnostics."""
        parts = [_range("exists", self.since, self.until)]
        if self.writable_since or self.writable_until:
            parts.append(_range("writable over REST", self.writable_since, self.writable_until))
        return "; ".join(p for p in parts if p)


def _range(what: str, since: str | None, until: str | None) -> str:
    if since and until:
        return f"{what} from {since} until before {until}"
    if since:
        return f"{what} from {since} on"
    if until:
        return f"{what} until before {until}"
    return ""
