"""The fuzzing scale (SPS_FUZZ_SCALE) and the per-test case counts that `make fuzz` reports."""

from __future__ import annotations

import os
from collections import Counter

SCALE = int(os.environ.get("SPS_FUZZ_SCALE", "0"))


CASES: Counter[str] = Counter()


def count(group: str, n: int = 1) -> None:
    CASES[group] += n
