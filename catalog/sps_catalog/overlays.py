"""Overlays: where the code for a type whose API is irregular lives (ADR 0011).

A type's YAML lists the layers that hold an overlay module named after it (`overlays: [provider,
simulator]`); the module defines `HOOKS`, an instance of its layer's hook dataclass, and the layer
calls only the hooks a type has. Loading checks both directions, so a misspelt or forgotten
module fails at start-up, not when the one request that needs it arrives.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from sps_catalog.model import Catalog, Layer, nodes
from sps_catalog.paths import dotted

H = TypeVar("H")

ReferenceProblem = Callable[[str, Callable[[str], Any]], "str | None"]
"""Resolve a reference whose key points inside an object of the hook's type: given the key and a
lookup of the type's object bodies by key (None when absent), why it names nothing, or None."""


class OverlayError(ValueError):
    """The catalog and a layer's overlay modules disagree."""


def load(catalog: Catalog, layer: Layer, package: ModuleType, hooks_type: type[H]) -> dict[str, H]:
    """terraform_name -> the `HOOKS` of its overlay module in `package`, for every type that lists
    `layer`; refuses a listed module that is missing or defines no `HOOKS` of `hooks_type`, a
    module no type lists, and a reference into objects of a type whose hooks cannot resolve it."""
    listed = {t.terraform_name for t in catalog if layer in t.overlays}
    present = {m.name for m in pkgutil.iter_modules(package.__path__)}
    if unlisted := sorted(present - listed):
        raise OverlayError(
            f"{package.__name__}: no catalog type lists {layer!r} in `overlays` for {', '.join(unlisted)}"
        )
    out: dict[str, H] = {}
    for name in sorted(listed):
        if name not in present:
            raise OverlayError(f"{name}: `overlays` lists {layer!r}, but there is no module {package.__name__}.{name}")
        hooks = getattr(importlib.import_module(f"{package.__name__}.{name}"), "HOOKS", None)
        if not isinstance(hooks, hooks_type):
            raise OverlayError(f"{package.__name__}.{name}: HOOKS must be a {hooks_type.__name__}")
        out[name] = hooks
    for t in catalog:
        for path, spec in nodes(t.root):
            if spec.is_inner_reference and getattr(out.get(spec.target or ""), "reference_problem", None) is None:
                raise OverlayError(
                    f"{t.terraform_name}.{dotted(path)}: a {spec.format} key points inside a {spec.target}; "
                    f"its {layer} overlay needs a reference_problem hook"
                )
    return out
