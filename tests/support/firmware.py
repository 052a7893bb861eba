"""Which firmware a simulator needs for the types a test writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sps_catalog.firmware import DEFAULT_FIRMWARE, SEED_VERSIONS, fields_on
from sps_catalog.model import TypeDef
from sps_catalog.versions import parse_version
from sps_provider.engine.convert import complete, to_terraform


def firmware_for(types: Iterable[TypeDef]) -> list[str]:
    """Simulator arguments for a firmware on which every type given is writable: the default
    (newest) one when it is, else the newest seed version that is (VNC connection policies are
    read-only from 7.5 on)."""
    wanted = [t for t in types if t.is_managed]
    if all(t.versions.writable_on(DEFAULT_FIRMWARE) for t in wanted):
        return []
    fits = [v for v in SEED_VERSIONS if all(t.versions.writable_on(v) for t in wanted)]
    return ["--firmware", max(fits, key=parse_version)]


def read_on(t: TypeDef, body: Any) -> dict[str, Any]:
    """`t`'s attributes as the provider reads `body` on the firmware `firmware_for([t])` starts:
    a field that firmware does not have reads as null (the appliance keeps it, unmanaged)."""
    args = firmware_for([t])
    version = args[args.index("--firmware") + 1] if args else DEFAULT_FIRMWARE
    out: dict[str, Any] = complete(t.root, to_terraform(fields_on(t.root, version), body))
    return out
