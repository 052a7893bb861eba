"""NICs are referenced inside: a listening address is a dotted key into a NIC's ordered maps
(`nic1.interfaces.<id>.addresses.<n>`), so a plan-time lookup reads the NIC and follows the key
into it, as the appliance does at commit."""

from __future__ import annotations

from sps_catalog import nic_address
from sps_provider.overlays import Hooks

HOOKS = Hooks(reference_problem=nic_address.problem)
