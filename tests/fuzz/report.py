"""Write docs/reliability.md from the case counts of a `make fuzz` run; its hand-written sections
(from `KEPT`, the threat model) are kept as they are."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

KEPT = "\n## Threat model"


def main() -> int:
    counts: dict[str, int] = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    old = out.read_text() if out.exists() else ""
    kept = old[old.index(KEPT) :] if KEPT in old else ""
    rows = "\n".join(f"| {group} | {n:,} |" for group, n in sorted(counts.items()))
    out.write_text(f"""# Reliability: fuzzing results and threat model

Written by `make fuzz` (last run {date.today().isoformat()}): hypothesis cases generated from the
catalog (`tests/fuzz/`), all passing. `make test` runs a small seeded sample of the same tests.

| What | Cases |
|---|---|
{rows}
| **total** | **{sum(counts.values()):,}** |

What each case must hold:

- **simulator: mutated bodies** — a valid body of every typed type broken in one place (wrong
  types, dropped required fields, bad formats and enums, huge, unicode and whitespace strings,
  references to missing or wrong-type objects): never a 5xx, the documented error shape
  (`error.type`, `error.message`, `meta.href`), and neither the committed configuration nor the
  open transaction changed by a refused request.
- **simulator: random requests** — random methods, paths (and suffixes), raw bodies (malformed
  JSON, binary, huge), and missing, forged or garbage cookies: the same three invariants.
- **provider: invalid resources through terraform plan** — configurations of many resources, each
  broken in one place the catalog refuses, through the real `terraform plan -json`: no crash or
  plugin error, and every broken resource gets an error naming its address and the attribute.
- **provider: broken references through terraform apply** — references to objects that do not
  exist or are of another type, which only the appliance can see: `terraform apply` fails every
  one naming its address and the attribute, already at its plan (read-only lookups), so nothing
  is committed or left in the state, and no transaction or lock is left open.
- **constructs: invalid arguments** — the catalog examples in construct form (built-ins as their
  lookups, referenced examples created first), broken in one place; in construct form a key
  string or a construct of another type where a reference belongs is itself the mistake: the
  construct refuses it when created, with the construct path and the attribute named
  (`SpsConfigError`), or Python refuses an unknown or missing keyword argument by name.
- **transport: frame sequences** — the provider's HTTP/2 server (RFC 9113) fed requests
  interleaved on many streams (CONTINUATION, padding, priority, bodies in several frames, ending
  with END_STREAM, with trailers, or left open; answered on the reader thread, on the pool, or at
  once for unknown methods) beside pings, window updates (valid, zero, overflowing), resets,
  unknown frame types, SETTINGS and GOAWAY, and at most one connection error: every request gets
  the answer or reset a model of the protocol predicts, nothing on a stream not opened, every
  PING and SETTINGS acknowledged, the right GOAWAY code, the request bytes held exactly as
  modelled within the limits, and the connection's threads and calls released at its end.
- **unknown fields: typed / generic updates** — an appliance body of every managed type (or a
  generic endpoint's) with unmodelled fields at every level (hostile names, NFC/NFD twins) and a
  configuration with `extra_json` (or a generic body) setting some in part, through the engine's
  real update and `Step.merge`: every unmodelled field is sent back unless the rules of ADR 0007
  drop it, the modelled fields are the configuration's, a second PUT changes nothing and the next
  plan is no change (found three ways a PUT deleted or mixed fields; tests/unit/test_unknown_fields.py).
- **settled plan: create, update, refresh, import** — two valid configurations of every managed
  type varied from its examples within the catalog's model (formats, unicode and NFD text, quotes,
  `${{`, long and padded strings, int bounds, optional fields set, unset or null, lists reordered,
  cut or grown, other union branches, `extra_json` with nested objects and huge numbers), through
  the provider's servicer against the simulator: validate and plan take them, and after create and
  after an update the plan is empty (no change, no replacement), a refresh changes nothing and an
  import gives the same state (tests/fuzz/test_settled_plan_fuzz.py).

Failures found while building this and fixed (now regular tests): Starlette answered unknown
methods with a plain-text 405 instead of the documented error shape, and `PATCH /api/transaction`
reverted the open transaction (tests/contract/test_auth.py).
{kept}""")
    print(out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
