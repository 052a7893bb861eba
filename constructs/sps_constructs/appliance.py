"""`Appliance`: one SPS box = one provider alias and a scope for the constructs that configure it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import constructs

from sps_catalog.provider_settings import seconds_problem, url_problem
from sps_constructs.cdk import cdk
from sps_constructs.checks import SpsChecks
from sps_constructs.errors import SpsConfigError

GENERATOR = cdk.TerraformProviderGeneratorMetadata(provider_name="sps", provider_version_constraint=">= 0.1.0")


class SpsProvider(cdk.TerraformProvider):
    """The `provider "sps"` block (with an alias). Created by `Appliance`; rarely used directly."""

    def __init__(self, scope: constructs.Construct, id: str, *, alias: str, config: Mapping[str, Any]) -> None:
        self._sps_alias: str | None = alias
        self._sps_config = {k: v for k, v in config.items() if v is not None}
        super().__init__(
            scope,
            id,
            terraform_resource_type="sps",
            terraform_generator_metadata=GENERATOR,
            terraform_provider_source="oneidentity/sps",
        )

    @property
    def alias(self) -> str | None:  # the JS base class ignores an alias set from Python
        return self._sps_alias

    @alias.setter
    def alias(self, value: str | None) -> None:
        self._sps_alias = value

    def _synthesize_attributes(self) -> Mapping[str, Any]:
        return {**self._sps_config, "alias": self._sps_alias}


class Appliance(constructs.Construct):
    """One SPS appliance. Constructs created inside it configure that appliance.

    `id` becomes the provider alias. The keyword parameters are the provider settings
    (`sps_catalog.provider_settings`, docs/appliance.md): `url` is required; the others left out
    fall back to the provider's environment variables and defaults, so credentials need not be
    written into the synthesized JSON.
    """

    def __init__(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        url: str,
        username: str | None = None,
        password: str | None = None,
        ca_bundle: str | None = None,
        insecure: bool | None = None,
        allow_plaintext_http: bool | None = None,
        request_timeout: float | None = None,
        lock_timeout: float | None = None,
        group_commit: bool | None = None,
        commit_estimate: float | None = None,
        commit_message: str | None = None,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", id):
            raise SpsConfigError(
                f"{scope.node.path}/{id}",
                "id",
                "an Appliance id becomes the provider alias: use letters, digits, _ and -",
            )
        path = f"{scope.node.path}/{id}"
        if not cdk.Token.is_unresolved(url) and (problem := url_problem(url, bool(allow_plaintext_http))):
            raise SpsConfigError(path, "url", problem)
        for name, seconds, zero in (
            ("request_timeout", request_timeout, False),
            ("lock_timeout", lock_timeout, False),
            ("commit_estimate", commit_estimate, True),
        ):
            if seconds is None or cdk.Token.is_unresolved(seconds):
                continue
            if problem := seconds_problem(seconds, zero):
                raise SpsConfigError(path, name, problem)
        super().__init__(scope, id)
        self.provider = SpsProvider(
            self,
            "provider",
            alias=id,
            config={
                "url": url,
                "username": username,
                "password": password,
                "ca_bundle": ca_bundle,
                "insecure": insecure,
                "allow_plaintext_http": allow_plaintext_http,
                "request_timeout": request_timeout,
                "lock_timeout": lock_timeout,
                "group_commit": group_commit,
                "commit_estimate": commit_estimate,
                "commit_message": commit_message,
            },
        )
        SpsChecks.ensure(cdk.TerraformStack.of(self))

    def check_in_tree(self, checks: SpsChecks) -> None:
        """Two appliances of one stack cannot share a provider alias."""
        first = checks.first(("alias", self.node.id), self)
        if first is not self:
            raise SpsConfigError(
                self.node.path,
                "id",
                f"appliance id {self.node.id!r} is also used by {first.node.path}; "
                "each appliance needs its own provider alias",
            )

    @staticmethod
    def find(scope: constructs.IConstruct) -> Appliance | None:
        if isinstance(scope, Appliance):  # the common case, without walking the tree through jsii
            return scope
        for s in reversed(scope.node.scopes):
            if isinstance(s, Appliance):
                return s
        return None
