"""Markdown tables for the reports bench writes into docs/performance.md."""

from __future__ import annotations

from collections.abc import Iterable


def table(head: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)
