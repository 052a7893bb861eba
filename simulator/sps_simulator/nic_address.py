"""NIC address references: the one reference kind that points inside an object.

A listening address is referenced by a dotted key into a NIC's ordered maps,
`nic1.interfaces.<interface id>.addresses.<n>`, and rendered with an href that uses a fragment,
`/api/configuration/network/nics/nic1#interfaces/<id>/addresses/<n>` (seed 002, PS-JOIN).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NICS = "network/nics"


def href(key: str) -> str:
    nic, rest = key.split(".", 1)
    return f"/api/configuration/{NICS}/{nic}#{rest.replace('.', '/')}"


def problem(config: Mapping[str, Mapping[str, Any]], key: str) -> str | None:
    """Why `key` names no address on this appliance, or None when it does."""
    parts = key.split(".")
    if len(parts) != 5 or parts[1] != "interfaces" or parts[3] != "addresses":
        return f"{key!r} is not a NIC address key (nic<N>.interfaces.<id>.addresses.<n>)"
    nic = config.get(NICS, {}).get(parts[0])
    if not isinstance(nic, dict):
        return f"{key!r}: there is no NIC {parts[0]!r}"
    interface = nic.get("interfaces", {}).get(parts[2])
    if not isinstance(interface, dict):
        return f"{key!r}: {parts[0]} has no interface {parts[2]!r}"
    if not isinstance(interface.get("addresses", {}).get(parts[4]), str):
        return f"{key!r}: interface {parts[2]!r} of {parts[0]} has no address {parts[4]!r}"
    return None
