"""Request bodies: parsed as JSON within documented limits, or refused in the error shape.

The SPS docs state no limits; a real appliance sits behind a web server that has some. The
simulator bounds what it keeps, because what it commits is deep-copied into every transaction
and served in every list: one 600-level body, one `NaN` or one lone surrogate would break those
for good (docs/simulator.md, "Request bodies", "Text that is not Unicode").
"""

from __future__ import annotations

import json
import math
from typing import Any

from sps_simulator.errors import ApiError, semantic, syntactic
from sps_simulator.text import bad_text

MAX_BODY_BYTES = 1 << 20
"""Largest request body accepted (1 MiB); larger ones answer 413 PayloadTooLarge."""

MAX_DEPTH = 32
"""Deepest nesting of objects and lists accepted; the deepest catalog type needs 6."""


def too_large(path: str, size: int) -> ApiError:
    return ApiError(
        413,
        "PayloadTooLarge",
        f"The request body is {size} bytes; the simulator accepts at most {MAX_BODY_BYTES}.",
        {"path": path, "limit": MAX_BODY_BYTES},
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of the range of a number")
    return value


def depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level + 1)
        if level + 1 > MAX_DEPTH:
            break
        stack.extend((x, level + 1) for x in item)
    return deepest


def parse(path: str, raw: bytes) -> Any:
    """The JSON value of a request body; 413 when too large, 400 SyntacticError when it is not
    JSON, holds NaN or an infinite number, or nests deeper than MAX_DEPTH, 400 SemanticError
    naming the field when a string in it is not Unicode text (`text.bad_text`)."""
    if len(raw) > MAX_BODY_BYTES:
        raise too_large(path, len(raw))
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        value = None
        nested = True
    except (ValueError, UnicodeDecodeError) as exc:
        raise syntactic(path, f"The request body is not valid JSON: {exc}") from exc
    else:
        nested = depth(value) > MAX_DEPTH
    if nested:
        raise syntactic(path, f"The request body nests objects and lists deeper than {MAX_DEPTH} levels.")
    bad = bad_text(value)
    if bad is not None:
        raise semantic(path, f"{bad.path}: {bad.message}", [{"path": bad.path, "message": bad.message}])
    return value
