"""The provider's overlays: one module per type whose API is irregular, named after it (ADR 0011).

A type's YAML lists `provider` in `overlays` to have one; the engine calls only the hooks the
module's `HOOKS` sets, and CRUD stays the engine's, the same for every type.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache

from sps_catalog import load_catalog
from sps_catalog.model import TypeDef
from sps_catalog.overlays import ReferenceProblem, load


@dataclass(frozen=True)
class Hooks:
    reference_problem: ReferenceProblem | None = None
    """References whose key points inside an object of this type: why one names nothing on the
    appliance (a plan-time lookup)."""


NO_HOOKS = Hooks()


@cache
def _by_type() -> dict[str, Hooks]:
    return load(load_catalog(), "provider", sys.modules[__name__], Hooks)


def hooks(t: TypeDef) -> Hooks:
    """The hooks of `t`'s overlay (none for a regular type)."""
    return _by_type().get(t.terraform_name, NO_HOOKS)
