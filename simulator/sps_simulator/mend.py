"""Stored rows no answer could carry, mended when the state is loaded.

Requests can no longer store them (`bodies.parse`), but a state written before those checks, or
edited by hand, may hold text with lone surrogates (UTF-8 cannot encode it) or NaN and infinite
numbers (JSON has none): every list of the type would then answer 500, also after a restart.
Such values are mended instead (docs/simulator.md, "Text that is not Unicode"); a row that is not
JSON at all is set aside by the store (`Store.load`).
"""

from __future__ import annotations

import math
from typing import Any

from sps_simulator.text import REPLACEMENT, SURROGATE


def needs_mending(value: Any) -> bool:
    """Whether `value` holds a lone surrogate (in a key or a string) or a non-finite number."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                return True
        elif isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            if any(SURROGATE.search(k) for k in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def mended(value: Any) -> Any:
    """`value` with every lone surrogate replaced by U+FFFD (as a UTF-8 decoder replaces what it
    cannot read) and every NaN or infinity by null, at any depth."""
    if isinstance(value, str):
        return SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {mended(k): mended(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mended(v) for v in value]
    return value
