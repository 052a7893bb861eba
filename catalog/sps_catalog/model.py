"""Typed model of catalog definitions.

A `Value` describes a JSON value (scalar, list, object, reference); a `Field` is a named value
inside an object. Objects may carry a tagged `Union`: a discriminator field whose value picks
the branch, and each branch adds its own fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, cast

from sps_catalog.paths import LIST_ELEMENT, Path, dotted
from sps_catalog.versions import Versions

ValueType = Literal["string", "int", "bool", "object", "list", "reference"]
Kind = Literal["collection", "ordered_collection", "singleton", "read_only", "opaque", "secret", "order"]
Layer = Literal["provider", "simulator"]
"""Where an overlay module can live: the provider engine or the simulator."""


class _NoDefault:
    """Marks a field without a documented default (distinct from a default of null)."""

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True)
class Union:
    discriminator: str
    description: str
    branches: Mapping[str, tuple[Field, ...]]

    @property
    def is_bool(self) -> bool:
        """True when the discriminator is a boolean switch (`enabled`)."""
        return set(self.branches) <= {"true", "false"}

    def branch_name(self, discriminator_value: Any) -> str | None:
        """The branch selected by a discriminator value, or None if it selects none."""
        if self.is_bool:
            if isinstance(discriminator_value, bool):
                return "true" if discriminator_value else "false"
            return None
        if isinstance(discriminator_value, str) and discriminator_value in self.branches:
            return discriminator_value
        return None

    def discriminator_field(self) -> Field:
        return self._discriminator_field

    @cached_property
    def _discriminator_field(self) -> Field:
        if self.is_bool:
            return Field(type="bool", name=self.discriminator, description=self.description, required=True)
        return Field(
            type="string",
            name=self.discriminator,
            description=self.description,
            required=True,
            enum=tuple(self.branches),
        )


@dataclass(frozen=True)
class Value:
    type: ValueType
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    min: int | None = None
    max: int | None = None
    at_least: str | None = None
    target: str | None = None
    element: Value | None = None
    fields: tuple[Field, ...] = ()
    union: Union | None = None
    shape: str | None = None
    """The named shape (catalog/shapes) this value was defined by, if any: the constructs give
    every use of a shape one struct."""

    @property
    def is_inner_reference(self) -> bool:
        """A reference whose key has a format (`nic_address`) names a place inside an object of its
        target, not the object: users write the key itself, and the target's overlay resolves it."""
        return self.type == "reference" and self.format is not None

    def all_fields(self) -> tuple[Field, ...]:
        """Every field an object may hold: discriminator, common fields, then each branch's fields."""
        return self._all_fields

    # Computed once per value: validation and planning ask for them for every attribute of every
    # resource (28,000 times in a no-op plan of 200 resources).
    @cached_property
    def _all_fields(self) -> tuple[Field, ...]:
        out: dict[str, Field] = {}
        if self.union is not None:
            out[self.union.discriminator] = self.union.discriminator_field()
        for f in self.fields:
            out.setdefault(f.name, f)
        if self.union is not None:
            for branch in self.union.branches.values():
                for f in branch:
                    out.setdefault(f.name, f)
        return tuple(out.values())

    @cached_property
    def secrets(self) -> tuple[tuple[tuple[str, ...], Field], ...]:
        """(path, field) of every write-once secret in this object (see `sps_catalog.secrets`)."""
        out: list[tuple[tuple[str, ...], Field]] = []
        for path, f in field_nodes(self):
            if f.secret:
                if LIST_ELEMENT in path:
                    raise ValueError(f"{dotted(path)}: secrets inside lists are not supported")
                out.append((tuple(str(step) for step in path), f))
        return tuple(out)

    def active_fields(self, branch: str | None) -> tuple[Field, ...]:
        """Fields allowed when `branch` is selected (common fields plus that branch's)."""
        out = list(self.fields)
        if self.union is not None and branch is not None:
            out.extend(self.union.branches[branch])
        return tuple(out)

    def selected_fields(self, branch: str | None) -> tuple[Field, ...]:
        """The discriminator, the common fields and `branch`'s fields (the SPS shape), made once
        per branch: every traversal of a body in SPS shape asks for them at every object."""
        memo = self._selected
        if branch not in memo:
            active = self.active_fields(branch)
            if self.union is not None:
                disc = self.union.discriminator
                active = (self.union.discriminator_field(), *(f for f in active if f.name != disc))
            memo[branch] = active
        return memo[branch]

    @cached_property
    def _selected(self) -> dict[str | None, tuple[Field, ...]]:
        return {}

    def selected_names(self, branch: str | None) -> frozenset[str]:
        """The names of `selected_fields(branch)`, made once per branch: validation asks at every
        object of every configuration."""
        memo = self._selected_names
        if branch not in memo:
            memo[branch] = frozenset(f.name for f in self.selected_fields(branch))
        return memo[branch]

    @cached_property
    def _selected_names(self) -> dict[str | None, frozenset[str]]:
        return {}

    @cached_property
    def fields_by_name(self) -> Mapping[str, Field]:
        """`all_fields()` by name."""
        return {f.name: f for f in self.all_fields()}

    def branch_only_fields(self) -> dict[str, set[str]]:
        """For each field that belongs to branches only: the set of branches it belongs to."""
        owners: dict[str, set[str]] = {}
        if self.union is None:
            return owners
        common = {f.name for f in self.fields}
        for name, branch in self.union.branches.items():
            for f in branch:
                if f.name not in common:
                    owners.setdefault(f.name, set()).add(name)
        return owners


@dataclass(frozen=True)
class Field(Value):
    name: str = ""
    description: str = ""
    required: bool = False
    nullable: bool = False
    default: Any = NO_DEFAULT
    default_is_assumption: bool = False
    sensitive: bool = False
    requires_replace: bool = False
    secret: bool = False
    assumption: str = ""
    versions: Versions = field(default_factory=Versions)
    required_when: tuple[str, Any] | None = None
    """(dotted path from the body's root, value): the field is required when that field holds it."""
    at_most_option: str | None = None
    """Dotted path in the protocol's global options (`<protocol>/options`) whose value, when both
    are set, caps this field's (see `sps_catalog.option_caps`)."""

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT

    @property
    def must_be_given(self) -> bool:
        """Whether a configuration must set the field: required and without a default to fill in.
        The schema, the construct signatures and the docs (from the schema) all follow this rule."""
        return self.required and not self.has_default

    @property
    def filled_by_default(self) -> bool:
        """Whether the provider fills the field in when it is left out (a non-null default): it is
        then computed as well as optional in the schema."""
        return self.has_default and self.default is not None

    @property
    def write_only_name(self) -> str:
        """For a secret reference: the write-only attribute that carries the secret itself."""
        return f"{self.name}_wo"

    @property
    def version_name(self) -> str:
        """For a secret reference: the attribute whose change makes a new secret object."""
        return f"{self.name}_wo_version"


@dataclass(frozen=True)
class StateUpgrade:
    """How state of schema version `version - 1` becomes `version`: attributes moved by path."""

    version: int
    renamed: Mapping[str, str]


@dataclass(frozen=True)
class Builtin:
    key: str
    body: Mapping[str, Any]
    name_is_assumption: bool = False
    key_is_assumption: bool = False
    """The docs say the object exists but not its key: the simulator's key, shown as assumed."""


@dataclass(frozen=True)
class TypeDef:
    terraform_name: str
    title: str
    path: str
    kind: Kind
    description: str
    sources: tuple[str, ...]
    name_field: str | None = None
    partly_documented: bool = False
    """The docs give part of the body only: fields the catalog does not model are SPS's, kept."""
    builtins: tuple[Builtin, ...] = ()
    samples: tuple[Builtin, ...] = ()
    initial_body: Mapping[str, Any] | None = None
    examples: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fields: tuple[Field, ...] = ()
    versions: Versions = field(default_factory=Versions)
    schema_version: int = 0
    state_upgrades: tuple[StateUpgrade, ...] = ()
    overlays: tuple[Layer, ...] = ()
    """The layers holding an overlay module named after this type (its irregular API, ADR 0011)."""
    orders: str | None = None
    """For kind `order`: the ordered collection whose evaluation order this type holds (ADR 0014)."""
    family: str | None = None
    """The family (catalog/families) whose fields this type takes, if any (ADR 0012)."""
    inferred: str = ""
    """What the type assumes beyond its sources (e.g. a body no page prints)."""
    value_body: str | None = None
    """A singleton whose body is a bare value (a string, a list), not an object: the name of its one
    field, which stands for the whole body. Everything past the API's edge (Terraform values, the
    constructs, validation, the exporter) sees the object `{value_body: body}`; `as_object` and
    `as_body` cross that edge."""

    @property
    def resource_type(self) -> str:
        """The Terraform type name, e.g. `sps_audit_policy`."""
        return f"sps_{self.terraform_name}"

    @cached_property
    def root(self) -> Value:
        """The body's definition, made once so what it caches (field lists) lives as long as the type."""
        return Value(type="object", fields=self.fields)

    @cached_property
    def capped_fields(self) -> tuple[tuple[tuple[str, ...], Field], ...]:
        """(body path, field) of each field its protocol's options cap (`Field.at_most_option`)."""
        return tuple((tuple(map(str, p)), f) for p, f in field_nodes(self.root) if f.at_most_option)

    @property
    def is_managed(self) -> bool:
        """Whether Terraform manages objects of this type (a resource); otherwise data source only."""
        return self.kind in ("collection", "ordered_collection", "singleton")

    @property
    def is_singleton(self) -> bool:
        return self.kind == "singleton"

    @property
    def is_ordered(self) -> bool:
        return self.kind == "ordered_collection"

    @property
    def is_typed(self) -> bool:
        """Whether the body schema is known field by field (otherwise it is carried as JSON)."""
        return bool(self.fields)

    @property
    def rest_writable(self) -> bool:
        """Whether SPS accepts POST/PUT/DELETE on this type over REST."""
        return self.kind != "read_only"

    @property
    def is_write_once(self) -> bool:
        """Passwords and private keys: POST, then GET by key; never listed, changed or deleted."""
        return self.kind == "secret"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def secrets(self) -> tuple[tuple[tuple[str, ...], Field], ...]:
        """(path, field) of every reference to a write-once secret (e.g. LDAP `bind_password`)."""
        return self.root.secrets

    def as_object(self, body: Any) -> Any:
        """An SPS body in the catalog's form: a bare-value body as the object of its one field."""
        return {self.value_body: body} if self.value_body is not None else body

    def as_body(self, values: Any) -> Any:
        """An object in the catalog's form as the SPS body: a bare-value type's field value itself."""
        if self.value_body is None:
            return values
        return values.get(self.value_body) if isinstance(values, Mapping) else None

    @property
    def body_type(self) -> Literal["object", "list", "string"]:
        """The JSON type of an SPS body of this type: an object, or a bare-value type's field's type."""
        if self.value_body is None:
            return "object"
        return "list" if self.fields[0].type == "list" else "string"

    @property
    def singleton_key(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def api_path(self) -> str:
        return f"/api/configuration/{self.path}"

    def builtin_by_name(self, name: str) -> Builtin | None:
        return self._by_name(self.builtins, name)

    def sample_by_name(self, name: str) -> Builtin | None:
        return self._by_name(self.samples, name)

    def _by_name(self, objects: tuple[Builtin, ...], name: str) -> Builtin | None:
        for b in objects:
            if self.name_field and b.body.get(self.name_field) == name:
                return b
        return None


@dataclass(frozen=True)
class Catalog:
    """The object types (iterated, `types`) and, apart, the order types derived from the ordered
    collections (`orders`, see `sps_catalog.orders`): they hold no objects, so what walks the
    object types (simulator stores, export, lifecycle tests) never meets them, while a lookup by
    name finds both."""

    types: Mapping[str, TypeDef]
    orders: Mapping[str, TypeDef] = field(default_factory=dict)

    def __iter__(self) -> Iterator[TypeDef]:
        return iter(self.types.values())

    def __getitem__(self, terraform_name: str) -> TypeDef:
        found = self.types.get(terraform_name) or self.orders.get(terraform_name)
        if found is None:
            raise KeyError(terraform_name)
        return found

    def by_path(self, path: str) -> TypeDef | None:
        for t in self.types.values():
            if t.path == path:
                return t
        return None

    def by_resource_type(self, resource_type: str) -> TypeDef | None:
        name = resource_type.removeprefix("sps_")
        return self.types.get(name) or self.orders.get(name)

    @property
    def managed(self) -> tuple[TypeDef, ...]:
        return tuple(t for t in self.types.values() if t.is_managed)


def nodes(spec: Value, path: Path = ()) -> Iterator[tuple[Path, Value]]:
    """Every node of a definition below `spec` (fields of all branches; list elements at `[]`)."""
    if spec.element is not None:
        element_path = (*path, LIST_ELEMENT)
        yield element_path, spec.element
        yield from nodes(spec.element, element_path)
    for f in spec.all_fields():
        yield (*path, f.name), f
        yield from nodes(f, (*path, f.name))


def field_nodes(spec: Value) -> Iterator[tuple[Path, Field]]:
    """Every field of a definition below `spec`: `nodes` without the list elements."""
    for path, node in nodes(spec):
        if path[-1] != LIST_ELEMENT:
            yield path, cast("Field", node)
