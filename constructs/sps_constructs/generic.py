"""The generic constructs: `SpsObject` (`sps_object`), `SpsSettings` (`sps_settings`) and
`DataSpsObject` (`data.sps_object`), for the endpoints no typed construct covers.

The body is a JSON-able mapping, serialized deterministically (sorted keys), so a synth writes the
same text every time. The path is checked when the construct is created, with the provider's rules
(`sps_catalog.generic`): a typed endpoint, an unknown path, a read-only or secret endpoint, the
wrong kind, a body of the wrong JSON type fail the program there (`catalog_validation=False`: an
unknown path only for its spelling and secrets; the provider checks it against the appliance at
plan). The construct itself (its `.key`)
fills a reference of any typed construct (`GenericRef` is in every reference alias); a generic
construct whose path is known at synth must be the referenced type's path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import constructs

from sps_catalog.endpoints import load_endpoints
from sps_catalog.generic import RESOURCE_TYPES, GenericKind, canonical, parse_body, path_problem
from sps_catalog.model import TypeDef
from sps_constructs.appliance import GENERATOR, Appliance
from sps_constructs.cdk import cdk
from sps_constructs.errors import SpsConfigError
from sps_constructs.tokens import is_unresolved

JsonBody = Mapping[str, Any] | Sequence[Any] | str
"""A body: a mapping of JSON values (a list or a string for the singletons documented so)."""


def _appliance(scope: constructs.Construct, where: str) -> Appliance:
    found = Appliance.find(scope)
    if found is None:
        raise SpsConfigError(where, "", "SPS constructs must be created inside an Appliance")
    return found


def _body_text(where: str, path: str, body: JsonBody) -> str:
    """`body` as the provider receives it (sorted keys), refused where it cannot be the endpoint's body."""
    try:
        text = canonical(body if isinstance(body, (Mapping, str)) else list(body))
    except TypeError as exc:
        raise SpsConfigError(where, "body", f"must hold JSON values only ({exc})") from exc
    if is_unresolved(path) or "${" in text:
        return text
    _, problem = parse_body(text, load_endpoints().get(path))
    if problem:
        raise SpsConfigError(where, "body", problem)
    return text


class _Generic:
    """What the generic resources and the data source share: their path, appliance and key."""

    _sps_path: str
    _sps_appliance: Appliance
    _sps_key: str

    @property
    def path(self) -> str:
        return self._sps_path

    @property
    def appliance(self) -> Appliance:
        return self._sps_appliance

    @property
    def key(self) -> str:
        """The object's SPS key (a token until Terraform applies): what a typed construct's
        reference to this object holds."""
        token: str | None = getattr(self, "_sps_key", None)
        if token is None:
            token = self._sps_key = self.get_string_attribute("key")  # type: ignore[attr-defined]
        return token


class _GenericResource(_Generic, cdk.TerraformResource):
    KIND: GenericKind

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        path: str,
        body: JsonBody,
        catalog_validation: bool | None = None,
        depends_on: Sequence[cdk.ITerraformDependable] | None = None,
        lifecycle: cdk.TerraformResourceLifecycle | None = None,
    ) -> None:
        resource = RESOURCE_TYPES[self.KIND]
        where = f"{scope.node.path}/{id} ({resource})"
        appliance = _appliance(scope, where)
        checked = catalog_validation is not False
        if not is_unresolved(path) and (problem := path_problem(load_endpoints(), path, self.KIND, checked)):
            raise SpsConfigError(where, "path", problem)
        self._sps_attrs: dict[str, Any] = {"path": path, "body": _body_text(where, path, body)}
        if catalog_validation is not None:
            self._sps_attrs["catalog_validation"] = catalog_validation
        self._sps_path = path
        self._sps_appliance = appliance
        super().__init__(
            scope,
            id,
            terraform_resource_type=resource,
            terraform_generator_metadata=GENERATOR,
            provider=appliance.provider,
            depends_on=depends_on,
            lifecycle=lifecycle,
        )

    @property
    def body(self) -> Any:
        """The body as given (parsed back from its JSON text)."""
        return json.loads(self._sps_attrs["body"])

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return self._sps_attrs


class SpsObject(_GenericResource):
    """`sps_object`: an object of a collection no typed construct covers (`path` below
    /api/configuration, e.g. "policies/analytics"; `body` its fields). Its `.key` fills references."""

    KIND: GenericKind = "object"


class SpsSettings(_GenericResource):
    """`sps_settings`: a singleton no typed construct covers (e.g. "management/health_monitoring"); destroying
    it leaves the appliance as it is."""

    KIND: GenericKind = "settings"


class DataSpsObject(_Generic, cdk.TerraformDataSource):
    """`data.sps_object`: any object by `path` and `key` or `name`, or a singleton by `path`."""

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        path: str,
        key: str | None = None,
        name: str | None = None,
        catalog_validation: bool | None = None,
        depends_on: Sequence[cdk.ITerraformDependable] | None = None,
    ) -> None:
        where = f"{scope.node.path}/{id} (data.sps_object)"
        appliance = _appliance(scope, where)
        e = load_endpoints().get(path) if not is_unresolved(path) else None
        if not is_unresolved(path) and e is None and catalog_validation is False:
            if problem := path_problem(load_endpoints(), path, "object", False):
                raise SpsConfigError(where, "path", problem)
        elif not is_unresolved(path) and (e is None or e.is_container):
            raise SpsConfigError(where, "path", f"{path!r} is no endpoint with objects (docs/coverage.md lists them)")
        if e is not None and e.is_collection and key is None and name is None:
            raise SpsConfigError(where, "", f"{path} is a collection: give key or name")
        given = (("path", path), ("key", key), ("name", name), ("catalog_validation", catalog_validation))
        self._sps_attrs = {k: v for k, v in given if v is not None}
        self._sps_path = path
        self._sps_appliance = appliance
        super().__init__(
            scope,
            id,
            terraform_resource_type="sps_object",
            terraform_generator_metadata=GENERATOR,
            provider=appliance.provider,
            depends_on=depends_on,
        )

    @property
    def body(self) -> str:
        """The object's body as JSON text (a token until Terraform reads it)."""
        text: str = self.get_string_attribute("body")
        return text

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return self._sps_attrs


GenericRef = SpsObject | DataSpsObject
"""A generic construct where a typed construct takes a reference: its `.key` is sent."""


def generic_reference_problem(target: TypeDef, v: SpsObject | DataSpsObject, appliance: Appliance) -> str | None:
    """Why generic construct `v` cannot fill a reference to a `target` object, or None: its path,
    when known at synth, must be `target`'s, and it must be on the same appliance."""
    if not is_unresolved(v.path) and v.path != target.path:
        return f"must reference {target.resource_type} ({target.path}), got an sps_object of {v.path} ({v.node.path})"
    if v.appliance is not appliance:
        return (
            f"references {v.node.path} on appliance {v.appliance.node.id!r}, but this construct belongs to "
            f"appliance {appliance.node.id!r}; references cannot cross appliances"
        )
    return None
