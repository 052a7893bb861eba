"""Brute-force protection of logins, as SPS's `local_services/user_web.bruteforce_protection`
describes it: "denying access after failed login attempts for increasingly longer period".

The docs give neither the threshold nor the periods, so the simulator chooses (docs/simulator.md):
after `allowed` consecutive failures from one client address, every login from that address is
refused (even with the right password) for `first_block` seconds, doubling with each further
failure up to `max_block`; a successful login clears the count. The refusal is the documented 401
AuthenticationFailure, with a Retry-After header saying how long to wait.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0


class LoginGuard:
    def __init__(self, allowed: int = 5, first_block: float = 1.0, max_block: float = 300.0) -> None:
        self.allowed = allowed
        self.first_block = first_block
        self.max_block = max_block
        self._records: dict[str, _Record] = {}

    def retry_after(self, client: str) -> int:
        """Seconds until `client` may try again (0: it may try now)."""
        r = self._records.get(client)
        if r is None:
            return 0
        return max(0, math.ceil(r.blocked_until - time.monotonic()))

    def failed(self, client: str) -> None:
        r = self._records.setdefault(client, _Record())
        r.failures += 1
        beyond = r.failures - self.allowed
        if beyond >= 0:
            r.blocked_until = time.monotonic() + min(self.max_block, self.first_block * 2**beyond)

    def succeeded(self, client: str) -> None:
        self._records.pop(client, None)
