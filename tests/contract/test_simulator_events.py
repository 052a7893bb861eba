"""/_sim/wait: tests wait for what the simulator is doing (a commit under way, a transaction
open, the lock held) instead of sleeping and guessing (docs/simulator.md)."""

from __future__ import annotations

import threading

import requests

from sps_harness import RunningSimulator
from tests.support.simulator_api import Client

AUDIT_BODY = {"name": "p", "encryption": {"enabled": False}, "signing": {"enabled": False}}


def test_a_commit_is_seen_started_while_commit_duration_holds_it(simulator: RunningSimulator) -> None:
    api = Client(simulator)
    simulator.set_faults(commit_duration=2.0)
    api.ok("POST", "/api/configuration/policies/audit_policies", AUDIT_BODY, status=201)
    assert simulator.wait_for("open_transactions", 1, timeout=5)
    committing = threading.Thread(target=api.commit)
    committing.start()
    assert simulator.wait_for("commits_started", 1, timeout=30)
    during = simulator.stats()
    committing.join()
    assert during["commits"] == 0 and during["open_transactions"] == 1, during
    assert simulator.stats()["commits"] == 1


def test_the_lock_held_by_another_administrator_is_an_event(simulator: RunningSimulator) -> None:
    assert not simulator.wait_for("lock_held", 1, timeout=0.2)
    simulator.admin_post("hold-lock", {"seconds": 30, "user": "webadmin"})
    assert simulator.wait_for("lock_held", 1, timeout=5)


def test_an_event_that_does_not_come_answers_not_reached_after_the_timeout(simulator: RunningSimulator) -> None:
    answer = simulator.admin("wait?until=commits&at_least=1&timeout=0.2")
    assert answer == {"until": "commits", "at_least": 1, "value": 0, "reached": False}


def test_a_name_that_is_no_stat_is_refused(simulator: RunningSimulator) -> None:
    r = requests.get(f"{simulator.url}/_sim/wait?until=nonsense", verify=simulator.ca, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["type"] == "SyntacticError"
