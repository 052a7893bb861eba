"""The user web interface's `bruteforce_protection` switches the appliance's login guard: while it
is on (the default), repeated failed logins from one client are refused for a while (S002)."""

from __future__ import annotations

from typing import Any

from sps_simulator.overlays import Behaviour, Hooks


def applied(behaviour: Behaviour, body: Any) -> None:
    behaviour.bruteforce_protection = bool(body.get("bruteforce_protection", True)) if isinstance(body, dict) else True


HOOKS = Hooks(applied=applied)
