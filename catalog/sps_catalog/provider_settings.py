"""The provider settings, once: the `provider "sps"` block's schema, its environment fallbacks and
defaults (`sps_provider.config`), the `Appliance` construct (whose parameters a test matches to
these) and the provider page of the docs all read them here, and share the checks below."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sps_catalog.scalars import SCALARS


@dataclass(frozen=True)
class Setting:
    name: str
    type: str
    """A key of `SCALARS`."""
    description: str
    env: str | None = None
    """The environment variable read when the block leaves the setting out."""
    default: Any = None
    default_text: str = ""
    """The default in words, when it is not a value (`the system's trusted CAs`)."""
    required: bool = False
    """Whether the provider needs it, from the block or `env` (checked when it is configured)."""
    sensitive: bool = False
    rule: str = ""
    """What is checked, in words (`terraform validate` checks the block, configuration again with `env`)."""

    @property
    def python(self) -> str:
        """The annotation of the matching `Appliance` parameter."""
        return f"{SCALARS[self.type].python} | None"

    @property
    def default_words(self) -> str:
        if self.default_text:
            return self.default_text
        if self.default is None:
            return ""
        if isinstance(self.default, bool):
            return f"`{str(self.default).lower()}`"
        return f"`{self.default:g}`" if isinstance(self.default, float) else f"`{self.default}`"

    @property
    def schema_description(self) -> str:
        """The attribute's description in the served schema: what it is, its rule, env and default."""
        parts = [self.description]
        if self.rule:
            parts.append(self.rule)
        if self.required:
            parts.append("Required here or through the environment.")
        if self.env:
            parts.append(f"Environment: `{self.env}`.")
        if self.default_words:
            parts.append(f"Default: {self.default_words}.")
        return " ".join(parts)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "url",
        "string",
        "Base URL of the appliance, e.g. `https://sps.example.net`.",
        env="SPS_URL",
        required=True,
        rule="An absolute URL with a host and no credentials, query or fragment; `http://` only with "
        "`allow_plaintext_http = true`.",
    ),
    Setting(
        "username",
        "string",
        "User with the REST server privilege.",
        env="SPS_USERNAME",
        required=True,
        rule="Not empty.",
    ),
    Setting(
        "password",
        "string",
        "Password of `username`. The provider logs in once per run, so a wrong password is one failed login.",
        env="SPS_PASSWORD",
        required=True,
        sensitive=True,
        rule="Not empty.",
    ),
    Setting(
        "ca_bundle",
        "string",
        "PEM file with the CA that signed the appliance's certificate.",
        env="SPS_CA_BUNDLE",
        default_text="the system's trusted CAs",
        rule="A readable file with at least one PEM certificate.",
    ),
    Setting(
        "insecure",
        "bool",
        "Skip TLS certificate verification (lab use only; warns).",
        default=False,
    ),
    Setting(
        "allow_plaintext_http",
        "bool",
        "Allow an `http://` url (lab use only; warns): the password and the session cookie then travel in clear text.",
        default=False,
    ),
    Setting(
        "request_timeout",
        "number",
        "Seconds to wait for one HTTP answer.",
        default=30.0,
        rule="A positive number.",
    ),
    Setting(
        "lock_timeout",
        "number",
        "Seconds to wait in all while another session holds the configuration lock: one budget per run "
        "and appliance, shared by every change waiting.",
        default=300.0,
        rule="A positive number.",
    ),
    Setting(
        "group_commit",
        "bool",
        "Group concurrent changes into one SPS transaction; false = one transaction per change.",
        default=True,
    ),
    Setting(
        "commit_estimate",
        "number",
        "Seconds an SPS commit is assumed to take until the run has measured one: a transaction gathers "
        "changes until none has come for 30 % of a commit's duration (at least 50 ms), so a slow commit "
        "is not spent on part of a dependency level. 0 = 50 ms for the first transaction too.",
        default=1.0,
        rule="A number of seconds, 0 or more.",
    ),
    Setting(
        "commit_message",
        "string",
        "Commit message sent with every commit (needed where SPS requires a commit log).",
        default_text="none",
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def url_problem(url: str, allow_plaintext_http: bool) -> str | None:
    """Why `url` cannot be the appliance's base URL, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in range
    except ValueError as exc:
        return f"{url!r} is not a valid URL: {exc}."
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        return f"{url!r} must be an absolute URL with a scheme and a host, e.g. https://sps.example.net."
    if parts.username is not None or parts.query or parts.fragment:
        return f"{url!r} must not hold credentials, a query or a fragment: set `username` and `password`."
    if scheme == "http" and not allow_plaintext_http:
        return (
            f"{url!r} is plain HTTP: the password (HTTP Basic) and the session cookie would travel in clear "
            "text. Use https://, or for a lab appliance set `allow_plaintext_http = true`."
        )
    return None


def seconds_problem(value: float, zero: bool = False) -> str | None:
    """Why `value` is no timeout in seconds (`zero`: no duration, which may be 0), or None."""
    if math.isfinite(float(value)) and (float(value) > 0 or (zero and float(value) == 0)):
        return None
    return f"{value} is not {'a number of seconds, 0 or more' if zero else 'a positive number of seconds'}."
