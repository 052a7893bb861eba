"""Whether a commit whose answer was lost was made, judged from the committed configuration,
and where a user can see a write whose outcome nothing could establish."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from sps_provider.client import errors
from sps_provider.coordinator.changes import Change, Step

log = logging.getLogger(__name__)


class Reader(Protocol):
    """A session that never holds a transaction: it sees the committed configuration."""

    def get(self, path: str) -> Any: ...


def contains(whole: Any, part: Any) -> bool:
    """Whether `whole` holds everything in `part` (SPS may add defaults to what we sent)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(contains(whole.get(k), v) for k, v in part.items())
    return bool(whole == part)


def committed(reader: Reader, written: list[Change]) -> bool | None:
    """Whether the commit holding `written` was made, read through `reader` (it holds no
    transaction). A commit is all or nothing: one write seen proves it, one write missing
    disproves it; None when undecidable."""
    verdicts: set[bool | None] = set()
    for c in written:
        results: list[Any] = []
        for step, result in zip(c.steps, c.results, strict=False):
            try:
                verdicts.add(_visible(reader, step, step.body_for(results), result))
            except errors.SpsError as exc:
                log.info("commit: reading back %s failed (%s)", step, exc)
                return None
            results.append(result)
    if False in verdicts:
        return None if True in verdicts else False
    return True  # every write is visible, or (PUTs only) the configuration is as wanted either way


def _visible(reader: Reader, step: Step, body: Any, result: Any) -> bool | None:
    """True/False: the committed configuration has/lacks this write; None: a PUT whose body is
    there (committed, or it changed nothing)."""
    if step.method == "POST":
        try:
            reader.get(f"{step.path}/{result}")
            return True
        except errors.NotFound:
            return False
    try:
        doc = reader.get(step.path)
    except errors.NotFound:
        return step.method == "DELETE"
    if step.method == "DELETE":
        return False
    return None if contains(doc.get("body"), body) else False


def where(step: Step, result: Any) -> str:
    """How to see one write's effect on the appliance (for an OutcomeUnknown message)."""
    if step.method == "POST":
        return f"GET {step.path}/{result} (created; if it is there, `terraform import` it with the key {result})"
    if step.method == "DELETE":
        return f"GET {step.path} (deleted when it answers 404)"
    return f"GET {step.path} (replaced)"
