"""Provider configuration: the `provider "sps" {}` block, with environment fallbacks."""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sps_catalog.provider_settings import BY_NAME, SETTINGS, seconds_problem, url_problem
from sps_catalog.scalars import SCALARS
from sps_provider.client.settings import Settings
from sps_provider.coordinator.policy import Policy
from sps_provider.protocol import cty
from sps_provider.protocol.diagnostics import Diagnostics
from sps_provider.protocol.schema import Attr

ATTRS: tuple[Attr, ...] = tuple(
    Attr(
        name=s.name,
        cty=SCALARS[s.type].terraform,
        optional=True,
        sensitive=s.sensitive,
        description=s.schema_description,
    )
    for s in SETTINGS
)


@dataclass(frozen=True)
class ProviderConfig:
    """The provider block: the sessions' connection settings (their repr masks the password) and
    the transactions' policy."""

    settings: Settings
    policy: Policy


Invalid = Callable[[str, str], None]  # (attribute, detail) -> an error on that attribute


def _pick(config: dict[str, Any], name: str) -> Any:
    """The setting from the block, else from its environment variable, else its default."""
    s = BY_NAME[name]
    v = config.get(name)
    if v is None and s.env:
        v = os.environ.get(s.env) or None
    return s.default if v is None else v


def validate(config: dict[str, Any], diags: Diagnostics) -> None:
    """ValidateProviderConfig: check the settings written in the block whose values are known.
    Missing settings and environment fallbacks are ConfigureProvider's to judge: `terraform
    validate` runs where neither credentials nor SPS_* variables need to exist."""
    known = {k: v for k, v in config.items() if v is not None and cty.is_wholly_known(v)}
    _check(known, diags, config.get("allow_plaintext_http"))


def parse(config: dict[str, Any], diags: Diagnostics) -> ProviderConfig | None:
    """ConfigureProvider: every setting, with environment fallbacks, checked again; None when any
    is wrong (each error names its attribute)."""
    values = {s.name: _pick(config, s.name) for s in SETTINGS}
    for s in SETTINGS:
        if s.required and values[s.name] is None:
            diags.error(
                f"Missing provider setting `{s.name}`", f"Set `{s.name}` in the provider block or {s.env}.", [s.name]
            )
    _check({k: v for k, v in values.items() if v is not None}, diags, values.get("allow_plaintext_http"))
    if diags.has_errors:
        return None
    insecure = bool(values.get("insecure"))
    if insecure:
        diags.warning(
            "TLS certificate verification is off",
            "`insecure = true`: the provider will not check who it talks to. Use `ca_bundle` instead "
            "for anything but a lab appliance.",
            ["insecure"],
        )
    if urlsplit(str(values["url"])).scheme.lower() == "http":
        diags.warning(
            "Plain HTTP: credentials travel in clear text",
            f"`allow_plaintext_http = true`: the password and the session cookie are sent to {values['url']} "
            "unencrypted. Use https:// for anything but a lab appliance.",
            ["allow_plaintext_http"],
        )
    return ProviderConfig(
        settings=Settings(
            url=str(values["url"]),
            username=str(values["username"]),
            password=str(values["password"]),
            verify=False if insecure else (values["ca_bundle"] or True),
            timeout=float(values["request_timeout"]),
        ),
        policy=Policy(
            group_commit=bool(values["group_commit"]),
            lock_timeout=float(values["lock_timeout"]),
            commit_estimate=float(values["commit_estimate"]),
            commit_message=values["commit_message"],
        ),
    )


def _check(values: dict[str, Any], diags: Diagnostics, plaintext_opt_in: Any) -> None:
    """One error per wrong setting among `values` (the known, non-null ones), on its attribute.
    `plaintext_opt_in` is `allow_plaintext_http` as written: an unknown one is judged later."""

    def invalid(name: str, detail: str) -> None:
        diags.error(f"Invalid provider setting `{name}`", detail, [name])

    if "url" in values:
        opt_in = bool(plaintext_opt_in) if cty.is_wholly_known(plaintext_opt_in) else True  # unknown: judged later
        problem = url_problem(str(values["url"]), opt_in)
        if problem:
            invalid("url", problem)
    for name in ("username", "password"):
        if name in values and not str(values[name]):
            invalid(name, f"`{name}` must not be empty.")
    for name, zero in (("request_timeout", False), ("lock_timeout", False), ("commit_estimate", True)):
        if name in values and (problem := seconds_problem(values[name], zero)):
            invalid(name, problem)
    if "ca_bundle" in values:
        _check_ca_bundle(str(values["ca_bundle"]), invalid)


def _check_ca_bundle(path: str, invalid: Invalid) -> None:
    """The file must be what the TLS stack will load: readable, with at least one PEM certificate."""
    try:
        ssl.create_default_context(cafile=path)
    except OSError as exc:
        if isinstance(exc, ssl.SSLError):
            invalid("ca_bundle", f"{path!r} holds no PEM certificate the TLS stack can load ({exc.reason or exc}).")
        else:
            invalid("ca_bundle", f"{path!r} is not a readable file ({exc.strerror}).")
