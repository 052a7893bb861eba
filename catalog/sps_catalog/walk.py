"""The one traversal of catalog values: how to go through a definition and a value tree.

A definition is a tree of `Value`s: objects (fields, and a union whose discriminator picks the
active branch), lists (one element definition), and leaves (strings, numbers, booleans,
references). `nodes` (in `sps_catalog.model`, whose secret paths use it) walks a definition
alone; `Rebuild` walks a value along its definition and builds a new one, with hooks for the field
level (`field`) and the leaves (`leaf`); `leaves` lists the leaves a value holds. Validation,
defaults, branch stripping, conversion to and from Terraform, link rendering, secret paths and
reference checks are small uses of these, so a new value kind is taught here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from sps_catalog.model import Field, Value
from sps_catalog.paths import Path

__all__ = ["OMIT", "UNKNOWN", "Path", "Rebuild", "Select", "active_branch", "fields_of", "leaves"]

Select = Literal["all", "active", "present"]


class _Unknown:
    """A value Terraform does not know yet (during plan)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __deepcopy__(self, memo: dict[int, Any]) -> _Unknown:
        return self


UNKNOWN = _Unknown()


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()
"""Returned by `Rebuild.field` to leave a field out of the rebuilt object."""


def active_branch(spec: Value, obj: Mapping[str, Any]) -> str | None:
    """The union branch `obj` selects; None without a union or when its discriminator selects none."""
    if spec.union is None:
        return None
    return spec.union.branch_name(obj.get(spec.union.discriminator))


def fields_of(spec: Value, obj: Mapping[str, Any], select: Select) -> tuple[Field, ...]:
    """The fields of object `obj` a traversal visits.

    `all`: every field of every branch (the Terraform shape); `active`: the discriminator, the
    common fields and the selected branch's (the SPS shape); `present`: the modelled fields `obj`
    holds, in its order.
    """
    if select == "all":
        return spec.all_fields()
    if select == "present":
        known = spec.fields_by_name
        return tuple(known[k] for k in obj if k in known)
    return spec.selected_fields(active_branch(spec, obj))


class Rebuild:
    """A new value tree built along a definition: lists element by element, objects field by field.

    Null and UNKNOWN stay as they are. `select` says which fields an object gets (see `fields_of`);
    with `keep_unselected`, the keys it does not visit (other branches, unmodelled fields) are
    copied unchanged. Subclasses override `field` (a field's value before it is rebuilt, or OMIT),
    `leaf` (strings, numbers, booleans, references, and values of the wrong type) or, for a rule
    about a whole list or object, `sequence` or `object`.
    """

    select: ClassVar[Select] = "all"
    keep_unselected: ClassVar[bool] = False
    tracks_path: ClassVar[bool] = True
    """False for walks whose hooks ignore `path`: they get `()` and skip a tuple per node."""

    def __call__(self, spec: Value, v: Any, path: Path = ()) -> Any:
        if v is None or v is UNKNOWN:
            return v
        if spec.type == "list" and spec.element is not None and isinstance(v, list):
            return self.sequence(spec, spec.element, v, path)
        if spec.type == "object" and isinstance(v, dict):  # not the Mapping ABC: this runs per node
            return self.object(spec, v, path)
        return self.leaf(spec, v, path)

    def sequence(self, spec: Value, element: Value, items: list[Any], path: Path) -> Any:
        if not self.tracks_path:
            return [self(element, el, path) for el in items]
        return [self(element, el, (*path, i)) for i, el in enumerate(items)]

    def object(self, spec: Value, obj: Mapping[str, Any], path: Path) -> Any:
        out = dict(obj) if self.keep_unselected else {}
        for f in fields_of(spec, obj, self.select):
            item = self.field(spec, f, obj.get(f.name), path)
            if item is not OMIT:
                out[f.name] = self(f, item, (*path, f.name) if self.tracks_path else path)
        return out

    def field(self, parent: Value, f: Field, item: Any, path: Path) -> Any:
        return item

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        return v


class _Leaves(Rebuild):
    select = "active"

    def __init__(self) -> None:
        self.found: list[tuple[Path, Value, Any]] = []

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        self.found.append((path, spec, v))
        return v


def leaves(spec: Value, v: Any) -> list[tuple[Path, Value, Any]]:
    """(path, definition, value) of every non-null leaf in `v`, following only the active branches."""
    walk = _Leaves()
    walk(spec, v)
    return walk.found
