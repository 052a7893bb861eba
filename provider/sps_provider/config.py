"""Provider configuration: the `provider "sps" {}` block, with environment fallbacks."""

from __future__ import annotations

import math
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sps_provider.coordinator import Policy
from sps_provider.protocol import cty
from sps_provider.protocol.diagnostics import Diagnostics
from sps_provider.protocol.schema import Attr

ATTRS: tuple[Attr, ...] = (
    Attr(
        name="url",
        cty="string",
        optional=True,
        description="Base URL of the appliance, e.g. `https://sps.example.net`. Env: `SPS_URL`. "
        "`http://` only with `allow_plaintext_http = true`.",
    ),
    Attr(
        name="username",
        cty="string",
        optional=True,
        description="User with the REST server privilege. Env: `SPS_USERNAME`.",
    ),
    Attr(
        name="password",
        cty="string",
        optional=True,
        sensitive=True,
        description="Password of `username`. Env: `SPS_PASSWORD`.",
    ),
    Attr(
        name="ca_bundle",
        cty="string",
        optional=True,
        description="PEM file with the CA that signed the appliance's certificate. Env: `SPS_CA_BUNDLE`.",
    ),
    Attr(
        name="insecure",
        cty="bool",
        optional=True,
        description="Skip TLS certificate verification (lab use only). Default false.",
    ),
    Attr(
        name="allow_plaintext_http",
        cty="bool",
        optional=True,
        description="Allow an `http://` url (lab use only): the password and the session cookie then "
        "travel in clear text. Default false.",
    ),
    Attr(
        name="request_timeout",
        cty="number",
        optional=True,
        description="Seconds to wait for one HTTP answer (a positive number). Default 30.",
    ),
    Attr(
        name="lock_timeout",
        cty="number",
        optional=True,
        description="Seconds to wait in all while another session holds the configuration lock (a "
        "positive number): one budget per run and appliance, shared by every change waiting. Default 300.",
    ),
    Attr(
        name="group_commit",
        cty="bool",
        optional=True,
        description="Group concurrent changes into one SPS transaction (default true). "
        "False = one transaction per change.",
    ),
    Attr(
        name="commit_message",
        cty="string",
        optional=True,
        description="Commit message sent with every commit (needed where SPS requires a commit log).",
    ),
)


@dataclass(frozen=True)
class ProviderConfig:
    url: str
    username: str
    password: str
    verify: bool | str
    request_timeout: float
    policy: Policy

    def __repr__(self) -> str:
        return f"ProviderConfig(url={self.url!r}, username={self.username!r}, password='***')"


DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_LOCK_TIMEOUT = 300.0
Invalid = Callable[[str, str], None]  # (attribute, detail) -> an error on that attribute
REQUIRED = (("url", "SPS_URL"), ("username", "SPS_USERNAME"), ("password", "SPS_PASSWORD"))


def _pick(config: dict[str, Any], name: str, env: str | None = None) -> Any:
    v = config.get(name)
    if v is None and env:
        v = os.environ.get(env) or None
    return v


def validate(config: dict[str, Any], diags: Diagnostics) -> None:
    """ValidateProviderConfig: check the settings written in the block whose values are known.
    Missing settings and environment fallbacks are ConfigureProvider's to judge: `terraform
    validate` runs where neither credentials nor SPS_* variables need to exist."""
    known = {k: v for k, v in config.items() if v is not None and cty.is_wholly_known(v)}
    _check(known, diags, config.get("allow_plaintext_http"))


def parse(config: dict[str, Any], diags: Diagnostics) -> ProviderConfig | None:
    """ConfigureProvider: every setting, with environment fallbacks, checked again; None when any
    is wrong (each error names its attribute)."""
    values = dict(config)
    for name, env in (*REQUIRED, ("ca_bundle", "SPS_CA_BUNDLE")):
        values[name] = _pick(config, name, env)
    for name, env in REQUIRED:
        if values[name] is None:
            diags.error(f"Missing provider setting `{name}`", f"Set `{name}` in the provider block or {env}.", [name])
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
    group_commit = values.get("group_commit")
    request_timeout, lock_timeout = values.get("request_timeout"), values.get("lock_timeout")
    return ProviderConfig(
        url=str(values["url"]),
        username=str(values["username"]),
        password=str(values["password"]),
        verify=False if insecure else (values["ca_bundle"] or True),
        request_timeout=DEFAULT_REQUEST_TIMEOUT if request_timeout is None else float(request_timeout),
        policy=Policy(
            group_commit=True if group_commit is None else bool(group_commit),
            lock_timeout=DEFAULT_LOCK_TIMEOUT if lock_timeout is None else float(lock_timeout),
            commit_message=values.get("commit_message"),
        ),
    )


def _check(values: dict[str, Any], diags: Diagnostics, plaintext_opt_in: Any) -> None:
    """One error per wrong setting among `values` (the known, non-null ones), on its attribute.
    `plaintext_opt_in` is `allow_plaintext_http` as written: an unknown one is judged later."""

    def invalid(name: str, detail: str) -> None:
        diags.error(f"Invalid provider setting `{name}`", detail, [name])

    if "url" in values:
        _check_url(str(values["url"]), plaintext_opt_in, invalid)
    for name in ("username", "password"):
        if name in values and not str(values[name]):
            invalid(name, f"`{name}` must not be empty.")
    for name in ("request_timeout", "lock_timeout"):
        if name in values and not (math.isfinite(float(values[name])) and float(values[name]) > 0):
            invalid(name, f"{values[name]} is not a positive number of seconds.")
    if "ca_bundle" in values:
        _check_ca_bundle(str(values["ca_bundle"]), invalid)


def _check_url(url: str, plaintext_opt_in: Any, invalid: Invalid) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in range
    except ValueError as exc:
        invalid("url", f"{url!r} is not a valid URL: {exc}.")
        return
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        invalid("url", f"{url!r} must be an absolute URL with a scheme and a host, e.g. https://sps.example.net.")
    elif parts.username is not None or parts.query or parts.fragment:
        invalid("url", f"{url!r} must not hold credentials, a query or a fragment: set `username` and `password`.")
    elif scheme == "http" and cty.is_wholly_known(plaintext_opt_in) and not plaintext_opt_in:
        invalid(
            "url",
            f"{url!r} is plain HTTP: the password (HTTP Basic) and the session cookie would travel in clear "
            "text. Use https://, or for a lab appliance set `allow_plaintext_http = true`.",
        )


def _check_ca_bundle(path: str, invalid: Invalid) -> None:
    """The file must be what the TLS stack will load: readable, with at least one PEM certificate."""
    try:
        ssl.create_default_context(cafile=path)
    except OSError as exc:
        if isinstance(exc, ssl.SSLError):
            invalid("ca_bundle", f"{path!r} holds no PEM certificate the TLS stack can load ({exc.reason or exc}).")
        else:
            invalid("ca_bundle", f"{path!r} is not a readable file ({exc.strerror}).")
