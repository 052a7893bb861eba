"""Fleets of appliances: one stack (and one state) per appliance, deployed in parallel.

`pg_state` gives a stack its own state in PostgreSQL; `wanted(name)` says whether this run deploys
the appliance (`sps-fleet --only`), so that a fleet definition builds only the stacks it needs;
`sps-fleet` (runner.py) synthesizes a fleet definition and plans or applies its stacks with
bounded concurrency, live progress per appliance and a summary table.
"""

from sps_fleet.selection import wanted
from sps_fleet.state import pg_state

__all__ = ["pg_state", "wanted"]
