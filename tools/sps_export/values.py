"""SPS bodies as minimal attribute trees: what a configuration must say to plan no change.

The provider plans `apply_defaults(configuration)` and reads `to_terraform(body)` back, so a field
may be left out exactly when its default fills in what the appliance holds. References become
`Ref` markers and write-once secrets `Secret` markers, which the renderers turn into expressions;
NIC address keys stay strings. `check_round_trip` runs the provider's own conversions on the
result, so an object is only exported when its configuration plans as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sps_catalog.model import Field, Value
from sps_catalog.unknown_fields import modelled_only, unknown_only
from sps_catalog.values import apply_defaults
from sps_catalog.walk import OMIT, Path, Rebuild
from sps_provider.engine.convert import complete, reference_key, to_terraform


@dataclass(frozen=True)
class Ref:
    """A reference to the object `key` of catalog type `target`."""

    target: str
    key: str


@dataclass(frozen=True)
class Secret:
    """A write-once secret (a password or private key object) the user must supply again.

    `field` is the secret reference; `path` where it sits in the body; `key` the object SPS holds now.
    """

    field: Field
    path: tuple[str, ...]
    key: str


class _Minimal(Rebuild):
    """The active branch's fields that differ from their defaults; references and secrets marked."""

    select = "active"

    def field(self, parent: Value, f: Field, item: Any, path: Path) -> Any:
        if item is None:
            return OMIT
        if f.has_default and not f.secret and _is_default(f, item):
            return OMIT
        return item

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        if spec.type != "reference":
            return v
        key = reference_key(v)
        if spec.is_inner_reference or not isinstance(key, str):
            return key
        if isinstance(spec, Field) and spec.secret:
            return Secret(spec, tuple(str(step) for step in path), key)
        return Ref(spec.target or "", key)


def _is_default(f: Field, item: Any) -> bool:
    held = modelled_only(f, item)
    return bool(apply_defaults(f, held) == apply_defaults(f, f.default))


minimal = _Minimal()
"""`minimal(root, body)`: the attribute tree of a body (see the module docstring)."""


class _Keys(Rebuild):
    """Markers back to the keys they stand for (what Terraform will know at plan)."""

    tracks_path = False

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        return v.key if isinstance(v, Ref | Secret) else v


_keys = _Keys()


def check_round_trip(root: Value, tree: Any, body: dict[str, Any]) -> list[str]:
    """Attributes whose planned value (from `tree`, defaults filled in) differs from what the
    provider reads from `body`: empty when the configuration plans no change."""
    planned = complete(root, apply_defaults(root, _keys(root, tree)))
    held = to_terraform(root, body)
    return sorted(name for name in set(planned) | set(held) if planned.get(name) != held.get(name))


def extra_fields(root: Value, body: dict[str, Any]) -> dict[str, Any]:
    """The fields of `body` the catalog does not model (for `extra_json`)."""
    return unknown_only(root, body)


def markers(root: Value, tree: Any) -> list[Ref | Secret]:
    """Every Ref and Secret in `tree`."""
    found = _Markers()
    found(root, tree)
    return found.found


class _Markers(Rebuild):
    tracks_path = False

    def __init__(self) -> None:
        self.found: list[Ref | Secret] = []

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        if isinstance(v, Ref | Secret):
            self.found.append(v)
        return v
