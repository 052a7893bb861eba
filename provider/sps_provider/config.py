"""Provider configuration: the `provider "sps" {}` block, with environment fallbacks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sps_provider.coordinator import Policy
from sps_provider.engine.attrs import Attr
from sps_provider.protocol.diagnostics import Diagnostics

ATTRS: tuple[Attr, ...] = (
    Attr(
        name="url",
        cty="string",
        optional=True,
        description="Base URL of the appliance, e.g. `https://sps.example.net`. Env: `SPS_URL`.",
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
        name="request_timeout",
        cty="number",
        optional=True,
        description="Seconds to wait for one HTTP answer. Default 30.",
    ),
    Attr(
        name="lock_timeout",
        cty="number",
        optional=True,
        description="Seconds to wait while another session holds the configuration lock. Default 300.",
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


def _pick(config: dict[str, Any], name: str, env: str | None = None) -> Any:
    v = config.get(name)
    if v is None and env:
        v = os.environ.get(env) or None
    return v


def parse(config: dict[str, Any], diags: Diagnostics) -> ProviderConfig | None:
    url = _pick(config, "url", "SPS_URL")
    username = _pick(config, "username", "SPS_USERNAME")
    password = _pick(config, "password", "SPS_PASSWORD")
    for name, value, env in (
        ("url", url, "SPS_URL"),
        ("username", username, "SPS_USERNAME"),
        ("password", password, "SPS_PASSWORD"),
    ):
        if not value:
            diags.error(f"Missing provider setting `{name}`", f"Set `{name}` in the provider block or {env}.", [name])
    if url and not str(url).startswith(("https://", "http://")):
        diags.error("Invalid provider setting `url`", f"{url!r} must start with https:// (or http://).", ["url"])
    ca_bundle = _pick(config, "ca_bundle", "SPS_CA_BUNDLE")
    insecure = bool(config.get("insecure") or False)
    if ca_bundle and not os.path.isfile(ca_bundle):
        diags.error("Invalid provider setting `ca_bundle`", f"{ca_bundle!r} is not a readable file.", ["ca_bundle"])
    if insecure:
        diags.warning(
            "TLS certificate verification is off",
            "`insecure = true`: the provider will not check who it talks to. Use `ca_bundle` instead "
            "for anything but a lab appliance.",
            ["insecure"],
        )
    if diags.has_errors:
        return None
    verify: bool | str = False if insecure else (ca_bundle or True)
    group_commit = config.get("group_commit")
    return ProviderConfig(
        url=str(url),
        username=str(username),
        password=str(password),
        verify=verify,
        request_timeout=float(config.get("request_timeout") or 30),
        policy=Policy(
            group_commit=True if group_commit is None else bool(group_commit),
            lock_timeout=float(300 if config.get("lock_timeout") is None else config["lock_timeout"]),
            commit_message=config.get("commit_message"),
        ),
    )
