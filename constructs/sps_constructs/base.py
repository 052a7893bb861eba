"""Base classes of the generated constructs.

Generated classes only declare typed signatures; converting arguments to Terraform attributes,
checking references and validating against the catalog is done here, once. Checks run when a
construct is created (the earliest point that can see the value), so a mistake fails the
program with the construct path and the attribute named, before any Terraform runs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import constructs

from sps_catalog import load_catalog
from sps_catalog.model import TypeDef, Value
from sps_catalog.secrets import as_body_values
from sps_catalog.unknown_fields import EXTRA_JSON, canonical, extra_problems
from sps_catalog.values import UNKNOWN, apply_defaults, dotted, validate
from sps_catalog.walk import Path, Rebuild, fields_of
from sps_constructs.appliance import GENERATOR, Appliance
from sps_constructs.cdk import cdk
from sps_constructs.checks import SpsChecks
from sps_constructs.errors import SpsConfigError
from sps_constructs.generic import DataSpsObject, SpsObject, generic_reference_problem
from sps_constructs.tokens import is_unresolved

META_ARGUMENTS = ("depends_on", "lifecycle")
"""Terraform's meta-arguments a resource construct takes beside its attributes (`MetaArgs`)."""

# A resolved reference to another construct's key: `${sps_x.<id>.key}` or `${data.sps_x.<id>.key}`.
_KEY_REFERENCE = re.compile(r"\$\{((?:data\.)?sps_\w+\.\w+)\.key\}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class SpsStruct:
    """A nested SPS object. Union branches set `_SPS_BRANCH` = (discriminator, value)."""

    _SPS_BRANCH: ClassVar[tuple[str, Any] | None] = None


class _Converter(Rebuild):
    """Python arguments -> Terraform attribute values, checking references on the way."""

    def __init__(self, where: str, appliance: Appliance) -> None:
        self.where = where
        self.appliance = appliance

    def fail(self, path: Sequence[str | int], message: str) -> SpsConfigError:
        return SpsConfigError(self.where, dotted(path), message)

    def leaf(self, spec: Value, v: Any, path: Path) -> Any:
        """References, and the lists and structs that are not plain lists and mappings."""
        if spec.type == "reference":
            return self.reference(spec, v, path)
        if spec.type == "list":
            if isinstance(v, (str, bytes)) or not isinstance(v, Sequence):
                if cdk.Token.is_unresolved(v):
                    return v
                raise self.fail(path, f"must be a list, got {type(v).__name__}")
            assert spec.element is not None
            return self.sequence(spec, spec.element, list(v), path)
        if spec.type == "object":
            if isinstance(v, Mapping):
                return self.object(spec, v, path)
            if not isinstance(v, SpsStruct):
                raise self.fail(path, f"must be a struct, got {type(v).__name__}")
            items = {f.name: getattr(v, f.name) for f in dataclasses.fields(v)}
            if v._SPS_BRANCH is not None:
                items[v._SPS_BRANCH[0]] = v._SPS_BRANCH[1]
            return self.object(spec, items, path)
        return v

    def object(self, spec: Value, obj: Mapping[str, Any], path: Path) -> dict[str, Any]:
        fields = {f.name: f for f in fields_of(spec, obj, "all")}
        secret_inputs = {n for f in fields.values() if f.secret for n in (f.write_only_name, f.version_name)}
        for name in obj:
            if name not in fields and name not in secret_inputs:
                raise self.fail((*path, name), "is not a known attribute")
        return {
            name: item if name in secret_inputs else self(fields[name], item, (*path, name))
            for name, item in obj.items()
            if item is not None
        }

    def reference(self, spec: Value, v: Any, path: tuple[str | int, ...]) -> Any:
        if spec.is_inner_reference and isinstance(v, str):
            return v  # a key pointing inside an object; its form is checked with the other formats
        target = load_catalog()[spec.target or ""]
        if isinstance(v, (SpsObject, DataSpsObject)):
            if problem := generic_reference_problem(target, v, self.appliance):
                raise self.fail(path, problem)
            return v.key
        if not isinstance(v, (SpsResource, SpsDataSource)):
            raise self.fail(
                path,
                f"must be the construct of the {target.title.lower()} ({target.resource_type}), "
                f"got {type(v).__name__}; pass the construct, not its key",
            )
        if problem := reference_problem(target, v, self.appliance):
            raise self.fail(path, problem)
        return v.key


def reference_problem(target: TypeDef, v: SpsResource | SpsDataSource, appliance: Appliance) -> str | None:
    """Why construct `v` cannot fill a reference to a `target` object of a construct on
    `appliance` (another type, e.g. another protocol's policy, or another appliance), or None."""
    if v.sps_type.terraform_name != target.terraform_name:
        return f"must reference {target.resource_type}, got {v.sps_type.resource_type} ({v.node.path})"
    if v.appliance is not appliance:
        return (
            f"references {v.node.path} on appliance {v.appliance.node.id!r}, but this construct belongs to "
            f"appliance {appliance.node.id!r}; references cannot cross appliances"
        )
    return None


def to_unknown(v: Any) -> Any:
    """Tokens are not known until Terraform runs: validate them as unknown."""
    if isinstance(v, dict):
        return {k: to_unknown(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_unknown(x) for x in v]
    if is_unresolved(v):
        return UNKNOWN
    return v


def _extra_json(where: str, t: TypeDef, extra: Any) -> str:
    """`extra_json` given as a mapping, serialized for the provider (fields the catalog models refused)."""
    if not isinstance(extra, Mapping):
        raise SpsConfigError(
            where, EXTRA_JSON, f"must be a mapping of field names to values, got {type(extra).__name__}"
        )
    for p in extra_problems(t.root, dict(extra)):
        raise SpsConfigError(where, p.dotted(), p.message)
    try:
        return canonical(extra)
    except TypeError as exc:
        raise SpsConfigError(where, EXTRA_JSON, f"must hold JSON values only ({exc})") from exc


def _appliance_of(scope: constructs.Construct, where: str) -> Appliance:
    found = Appliance.find(scope)
    if found is None:
        raise SpsConfigError(
            where,
            "",
            "SPS constructs must be created inside an Appliance "
            "(Appliance(stack, 'eu', url=...)), which says which appliance they configure",
        )
    return found


class _SpsElement:
    """What SPS resources and data sources share: their catalog type, appliance and attributes."""

    TYPE: ClassVar[str]
    _sps_attrs: dict[str, Any]
    _sps_key: str
    _sps_appliance: Appliance

    @property
    def sps_type(self) -> TypeDef:
        return load_catalog()[self.TYPE]

    @property
    def appliance(self) -> Appliance:
        return self._sps_appliance

    @property
    def sps_attributes(self) -> Mapping[str, Any]:
        """The attributes as synthesized (references are tokens)."""
        return self._sps_attrs

    @property
    def key(self) -> str:
        """The object's SPS key (a token until Terraform applies); made once, as it is used by
        every construct that references this one."""
        token: str | None = getattr(self, "_sps_key", None)
        if token is None:
            token = self._sps_key = self.get_string_attribute("key")  # type: ignore[attr-defined]
        return token

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return self._sps_attrs


class SpsResource(_SpsElement, cdk.TerraformResource):
    """A managed SPS object (`sps_<type>`)."""

    def __init__(self, scope: constructs.Construct, id: str, args: Mapping[str, Any]) -> None:
        """`args`: the keyword arguments a generated constructor was given (its `<Type>Args`): the
        attributes, `extra_json` and Terraform's meta-arguments (`META_ARGUMENTS`)."""
        t = load_catalog()[self.TYPE]
        where = f"{scope.node.path}/{id} ({t.resource_type})"
        appliance = _appliance_of(scope, where)
        conv = _Converter(where, appliance)
        extra = args.get(EXTRA_JSON)
        given = {k: v for k, v in args.items() if v is not None and k != EXTRA_JSON and k not in META_ARGUMENTS}
        attrs = conv.object(t.root, given, ())
        checked = as_body_values(t.root, to_unknown(attrs))  # a secret given as its write-only value is set
        for p in validate(t.root, apply_defaults(t.root, checked)):
            raise SpsConfigError(where, p.dotted(), p.message)
        if extra is not None:
            attrs[EXTRA_JSON] = _extra_json(where, t, extra)
        self._sps_attrs = attrs
        self._sps_appliance = appliance
        super().__init__(
            scope,
            id,
            terraform_resource_type=t.resource_type,
            terraform_generator_metadata=GENERATOR,
            provider=appliance.provider,
            depends_on=args.get("depends_on"),
            lifecycle=args.get("lifecycle"),
        )

    def check_in_tree(self, checks: SpsChecks) -> None:
        """References set by `add_override` name the right type on this appliance, and no other
        object of this type on this appliance has this name."""
        if self._raw_overrides:
            self._check_overridden_references(checks)
        t = self.sps_type
        name: Any = self.sps_attributes.get(t.name_field or "") if t.name_field else None
        if isinstance(name, str) and not is_unresolved(name):
            first = checks.first((id(self.appliance), t.terraform_name, name), self)
            if first is not self:
                raise SpsConfigError(
                    self.node.path,
                    t.name_field or "name",
                    f"{t.resource_type} named {name!r} is also defined by {first.node.path} on appliance "
                    f"{self.appliance.node.id!r}; SPS names must be unique",
                )

    def _check_overridden_references(self, checks: SpsChecks) -> None:
        """The references of an overridden resource, as Terraform will receive them."""
        t = self.sps_type
        stack = cdk.TerraformStack.of(self)
        resolver = cdk.DefaultTokenResolver(cdk.StringConcat())
        synthesized = cdk.Tokenization.resolve(self.to_terraform(), scope=stack, preparing=False, resolver=resolver)
        body = synthesized["resource"][t.resource_type][self.friendly_unique_id]
        addresses = checks.element_addresses(stack)

        def check(spec: Value, key: str, at: Path) -> str | None:
            found = _KEY_REFERENCE.fullmatch(key)
            element = addresses.get(found.group(1)) if found else None
            target = load_catalog()[spec.target] if spec.target else None
            if (
                isinstance(element, (SpsObject, DataSpsObject))
                and target
                and (problem := generic_reference_problem(target, element, self.appliance))
            ):
                raise SpsConfigError(f"{self.node.path} ({t.resource_type})", dotted(at), problem)
            if (
                isinstance(element, (SpsResource, SpsDataSource))
                and target
                and (problem := reference_problem(target, element, self.appliance))
            ):
                raise SpsConfigError(f"{self.node.path} ({t.resource_type})", dotted(at), problem)
            return None

        validate(t.root, {k: v for k, v in body.items() if k in t.field_names}, reference_check=check)


class SpsDataSource(_SpsElement, cdk.TerraformDataSource):
    """Finds one SPS object by key or name (`data.sps_<type>`)."""

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        key: str | None = None,
        name: str | None = None,
        depends_on: Sequence[cdk.ITerraformDependable] | None = None,
    ) -> None:
        t = load_catalog()[self.TYPE]
        where = f"{scope.node.path}/{id} (data.{t.resource_type})"
        appliance = _appliance_of(scope, where)
        if key is None and name is None and not t.is_singleton:
            raise SpsConfigError(where, "", "give key or name")
        if name is not None and not t.name_field:
            raise SpsConfigError(where, "name", f"{t.title} objects have no name; look them up by key")
        self._sps_attrs = {k: v for k, v in (("key", key), (t.name_field or "name", name)) if v is not None}
        self._sps_appliance = appliance
        super().__init__(
            scope,
            id,
            terraform_resource_type=t.resource_type,
            terraform_generator_metadata=GENERATOR,
            provider=appliance.provider,
            depends_on=depends_on,
        )

    @classmethod
    def _builtin(cls, appliance: Appliance, name: str) -> Any:
        """The lookup of a built-in object, created once per appliance and found by its documented key
        (by its name where the docs do not give the key: the catalog's key is the simulator's choice)."""
        t = load_catalog()[cls.TYPE]
        builtin = t.builtin_by_name(name)
        if builtin is None:
            known = ", ".join(repr(b.body.get(t.name_field or "name")) for b in t.builtins) or "none"
            raise SpsConfigError(
                f"{appliance.node.path}", "builtin", f"{t.title} has no built-in named {name!r} (known: {known})"
            )
        id = f"builtin_{t.terraform_name}_{name}"
        existing = appliance.node.try_find_child(id)
        if existing is not None:
            return existing
        if builtin.key_is_assumption:
            return cls(appliance, id, name=name)
        return cls(appliance, id, key=builtin.key)
