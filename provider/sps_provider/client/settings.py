"""Where and as whom a session logs in: the provider block's connection settings, and sps-export's.

Kept apart from `session.py`, which imports `requests`: the provider parses its configuration in
every process, and loads `requests` only when it connects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    url: str
    username: str
    password: str
    verify: bool | str = True  # False (`insecure`), a CA bundle's path (`ca_bundle`) or True
    timeout: float = 30.0  # seconds per request (`request_timeout`)
    user_agent: str = "terraform-provider-sps"

    def __repr__(self) -> str:
        return f"Settings(url={self.url!r}, username={self.username!r}, password='***', verify={self.verify!r})"
