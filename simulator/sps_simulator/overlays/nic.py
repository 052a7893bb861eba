"""NICs are referenced inside: a listening address is a dotted key into a NIC's ordered maps
(`nic1.interfaces.<id>.addresses.<n>`), answered with an href whose fragment holds the path inside
the NIC, `/api/configuration/network/nics/nic1#interfaces/<id>/addresses/<n>` (seed 002, PS-JOIN).
"""

from __future__ import annotations

from sps_catalog import nic_address
from sps_catalog.model import TypeDef
from sps_simulator.overlays import Hooks


def href(t: TypeDef, key: str) -> str:
    nic, _, inside = key.partition(".")
    return f"{t.api_path}/{nic}#{inside.replace('.', '/')}"


HOOKS = Hooks(reference_problem=nic_address.problem, reference_href=href)
