"""`sps-fleet list`: the appliances a fleet definition synthesizes, for people and for CI matrices.

`--json` prints one line, a list of {name, url, ca_bundle}, which a CI system turns into one job
per appliance (GitHub Actions: `fromJSON`). `--expect a,b` fails when the fleet's appliances are
not exactly those: a CI file that names them (a static matrix) is checked against main.py.
"""

from __future__ import annotations

import json
from typing import TextIO

from sps_fleet.progress import Outcome


def listing(targets: list[Outcome], as_json: bool, stream: TextIO) -> None:
    if as_json:
        rows = [{"name": o.name, "url": o.url, "ca_bundle": o.ca} for o in targets]
        print(json.dumps(rows), file=stream)
        return
    width = max(len(o.name) for o in targets)
    for o in targets:
        print(f"{o.name:<{width}}  {o.url or '(no url)'}", file=stream)


def mismatch(targets: list[Outcome], expect: str) -> str | None:
    """Why the fleet's appliances are not exactly `expect` (comma-separated), or None."""
    wanted, found = {n for n in expect.split(",") if n}, {o.name for o in targets}
    if wanted == found:
        return None
    missing, extra = sorted(wanted - found), sorted(found - wanted)
    parts = [f"expected but not in the fleet: {', '.join(missing)}"] if missing else []
    parts += [f"in the fleet but not expected: {', '.join(extra)}"] if extra else []
    return "; ".join(parts) + " (update the CI file's appliance list)"
