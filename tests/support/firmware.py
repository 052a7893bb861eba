"""Which firmware a simulator needs for the types a test writes."""

from __future__ import annotations

from collections.abc import Iterable

from sps_catalog.firmware import DEFAULT_FIRMWARE, SEED_VERSIONS
from sps_catalog.model import TypeDef
from sps_catalog.versions import parse_version


def firmware_for(types: Iterable[TypeDef]) -> list[str]:
    """Simulator arguments for a firmware on which every type given is writable: the default
    (newest) one when it is, else the newest seed version that is (VNC connection policies are
    read-only from 7.5 on)."""
    wanted = [t for t in types if t.is_managed]
    if all(t.versions.writable_on(DEFAULT_FIRMWARE) for t in wanted):
        return []
    fits = [v for v in SEED_VERSIONS if all(t.versions.writable_on(v) for t in wanted)]
    return ["--firmware", max(fits, key=parse_version)]
