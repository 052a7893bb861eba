"""NIC address keys: the one reference form that points inside an object (format `nic_address`).

A listening address is referenced by a dotted key into a NIC's ordered maps,
`nic1.interfaces.<interface id>.addresses.<n>` (seed 002, PS-JOIN). Resolving one is the same on
the appliance (the simulator's `nic` overlay) and at plan (the provider's), so it is written once
here, over a lookup of NIC bodies by key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NicBody = Callable[[str], Any]
"""The body of the NIC with this key (`nic1`), or None when there is none."""


def problem(key: str, nic_body: NicBody) -> str | None:
    """Why `key` names no address of the NICs `nic_body` finds, or None when it does."""
    parts = key.split(".")
    if len(parts) != 5 or parts[1] != "interfaces" or parts[3] != "addresses":
        return f"{key!r} is not a NIC address key (nic<N>.interfaces.<id>.addresses.<n>)"
    nic = nic_body(parts[0])
    if not isinstance(nic, dict):
        return f"{key!r}: there is no NIC {parts[0]!r}"
    interface = nic.get("interfaces", {}).get(parts[2])
    if not isinstance(interface, dict):
        return f"{key!r}: {parts[0]} has no interface {parts[2]!r}"
    if not isinstance(interface.get("addresses", {}).get(parts[4]), str):
        return f"{key!r}: interface {parts[2]!r} of {parts[0]} has no address {parts[4]!r}"
    return None
