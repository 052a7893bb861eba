"""Configurations already found valid in this process, so they are not validated twice.

Terraform's plan walk calls ValidateResourceConfig and then PlanResourceChange with the same
configuration value (the same msgpack bytes), in the same provider process; validating it again
inside the plan was a fifth of the provider's CPU per resource in a no-op plan. Only types without
write-once secrets are remembered: their validation depends on the configuration alone (a
secret's also on the prior state), so the plan of a remembered configuration would find nothing
either. Only configurations without any diagnostic are remembered, so every warning and error is
still reported where it was before. The newest `size` are kept: Terraform plans a resource right
after validating it, at most `-parallelism` resources at a time.
"""

from __future__ import annotations

from sps_provider import no_wait

SIZE = 1024


class ValidConfigs:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._seen: dict[tuple[str, bytes], None] = {}
        self._lock = no_wait.Lock()

    def add(self, type_name: str, config: bytes) -> None:
        if not config:
            return
        with self._lock:
            self._seen[(type_name, config)] = None
            if len(self._seen) > self.size:
                del self._seen[next(iter(self._seen))]

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        with self._lock:
            return bool(key[1]) and key in self._seen
