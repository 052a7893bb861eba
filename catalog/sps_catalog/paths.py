"""Paths into a definition or a value tree, and the dotted form every error message shows."""

from __future__ import annotations

from collections.abc import Sequence

Path = tuple[str | int, ...]
LIST_ELEMENT = "[]"
"""The step `nodes` (sps_catalog.model) puts in a path for "every element of this list"."""


def dotted(path: Sequence[str | int]) -> str:
    """`("a", 0, "b")` -> `a[0].b`, the attribute-path form every error message uses."""
    out = ""
    for step in path:
        if isinstance(step, int) or step == LIST_ELEMENT:
            out += f"[{step}]" if isinstance(step, int) else step
        else:
            out += f".{step}" if out else step
    return out
