"""The simulator's overlays: one module per type whose API is irregular, named after it (ADR 0011).

A type's YAML lists `simulator` in `overlays` to have one; the appliance calls only the hooks the
module's `HOOKS` sets, and is otherwise the same for every type.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sps_catalog.model import Catalog, TypeDef
from sps_catalog.overlays import ReferenceProblem, load


@dataclass
class Behaviour:
    """What committed configuration changes in the appliance's own behaviour."""

    bruteforce_protection: bool = True


@dataclass(frozen=True)
class Hooks:
    before_write: Callable[[Any], Any] | None = None
    """A request body in the form SPS stores (a spelling the docs also allow, rewritten), before
    it is validated."""
    applied: Callable[[Behaviour, Any], None] | None = None
    """A committed body of this type takes effect on the appliance (at start-up and at each commit)."""
    reference_problem: ReferenceProblem | None = None
    """References whose key points inside an object of this type: why one resolves to nothing."""
    reference_href: Callable[[TypeDef, str], str] | None = None
    """The href answers give such a reference (the type, the key)."""


NO_HOOKS = Hooks()


def hooks_by_type(catalog: Catalog) -> dict[str, Hooks]:
    """terraform_name -> hooks, for every type (those without an overlay get none)."""
    found = load(catalog, "simulator", sys.modules[__name__], Hooks)
    return {t.terraform_name: found.get(t.terraform_name, NO_HOOKS) for t in catalog}
