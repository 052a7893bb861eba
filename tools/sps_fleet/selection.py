"""Which appliances a run deploys, so that a fleet definition builds only their stacks.

Synthesizing costs 0.3-0.4 s of CPU per 100-object stack besides its start: for 32 appliances
10-16 s, paid again by every CI job that deploys one of them (`--only NAME`). For
`plan`/`apply --only a,b`, sps-fleet sets SPS_FLEET_ONLY=a,b in the synth's environment (and
removes it otherwise, and for `list`, which always sees the whole fleet). A fleet file that asks
`wanted(name)` before it builds an appliance's stack builds only those; one that does not builds
them all, and sps-fleet picks the selected stacks from them afterwards, as before.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

ONLY = "SPS_FLEET_ONLY"


def names(only: str) -> list[str]:
    """The stack names of an `--only` value (comma-separated; empty entries dropped)."""
    return [name for name in only.split(",") if name]


def wanted(name: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this run deploys the appliance whose stack is named `name`: True unless sps-fleet
    was given `--only` without it (or SPS_FLEET_ONLY is set by hand). Skip building an unwanted
    stack only: a stack of the fleet that another stack refers to must be built regardless."""
    selected = names(environ.get(ONLY, ""))
    return not selected or name in selected
