"""Authentication: every configuration endpoint refuses requests without a valid session, and
repeated failed logins are refused for increasingly longer periods (brute-force protection)."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from sps_catalog import TypeDef
from sps_harness import RunningSimulator
from tests.support.endpoints import configuration_endpoints
from tests.support.simulator_api import Client, error_of

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def endpoints(sim: RunningSimulator) -> list[str]:
    """Every configuration endpoint, with one live object of each collection type."""
    admin = Client(sim)

    def first_key(t: TypeDef) -> list[str]:
        items = admin.ok("GET", t.api_path).get("items", []) if not t.is_write_once else []
        return [items[0]["key"] if items else "some-key"]

    return configuration_endpoints(first_key)


@pytest.mark.parametrize("cookie", ["none", "forged", "ended"])
def test_every_endpoint_and_method_refuses_requests_without_a_valid_session(
    cookie: str, simulator: RunningSimulator
) -> None:
    s = simulator.anonymous()
    if cookie == "forged":
        s.cookies.set("session_id", "0" * 40)
    elif cookie == "ended":
        s.get(f"{simulator.url}/api/authentication", auth=("admin", "admin")).raise_for_status()
        simulator.admin_post("expire-sessions", {})
    before = simulator.committed()
    paths = endpoints(simulator)
    assert len(paths) > 60
    for path in paths:
        for method in METHODS:
            r = s.request(method, simulator.url + path, json={"name": "x"} if method in ("POST", "PUT") else None)
            assert r.status_code == 401, f"{method} {path}: {r.status_code} {r.text[:200]}"
            err = error_of(r)
            assert err["type"] == "Unauthenticated" and err["details"]["path"] == path, f"{method} {path}: {err}"
    assert simulator.committed() == before
    assert simulator.stats()["open_transactions"] == 0


def login(sim: RunningSimulator, password: str) -> requests.Response:
    return requests.get(f"{sim.url}/api/authentication", auth=("admin", password), verify=sim.ca)


def test_repeated_failed_logins_are_refused_for_increasingly_longer_periods(simulator: RunningSimulator) -> None:
    for _ in range(5):
        assert error_of(login(simulator, "guess"))["type"] == "AuthenticationFailure"
    blocked = login(simulator, "admin")  # even the right password is refused now
    assert blocked.status_code == 401 and error_of(blocked)["type"] == "AuthenticationFailure"
    assert "brute-force protection" in error_of(blocked)["message"]
    assert blocked.headers["Retry-After"] == "1"
    time.sleep(1.1)
    assert login(simulator, "guess").status_code == 401  # the 6th failure: blocked for 2 s now
    assert login(simulator, "admin").headers["Retry-After"] == "2"
    time.sleep(2.1)
    assert login(simulator, "admin").status_code == 200  # a success clears the count
    assert login(simulator, "guess").headers.get("Retry-After") is None


def test_brute_force_protection_follows_the_user_web_setting(simulator: RunningSimulator) -> None:
    api = Client(simulator)
    path = "/api/configuration/local_services/user_web"
    body = api.ok("GET", path)["body"]
    listen = [{**x, "address": x["address"]["key"]} for x in body["listen"]]  # references go back as keys
    api.ok("PUT", path, {**body, "listen": listen, "bruteforce_protection": False})
    api.commit()
    for _ in range(8):
        login(simulator, "guess")
    assert login(simulator, "admin").status_code == 200


def test_a_session_that_ends_during_its_commit_gets_401_and_nothing_is_committed(
    simulator: RunningSimulator,
) -> None:
    api = Client(simulator)
    simulator.set_faults(commit_duration=1.0)
    body = {"name": "late", "encryption": {"enabled": False}, "signing": {"enabled": False}}
    api.ok("POST", "/api/configuration/policies/audit_policies", body, status=201)
    before = simulator.committed()
    result: list[requests.Response] = []
    committing = threading.Thread(
        target=lambda: result.append(api.call("PUT", "/api/transaction", {"status": "commit"}))
    )
    committing.start()
    assert simulator.wait_for("commits_started", 1, timeout=30), "the commit never started"
    simulator.admin_post("expire-sessions", {})  # within its commit_duration: the commit is under way
    committing.join()
    assert result[0].status_code == 401 and error_of(result[0])["type"] == "Unauthenticated"
    assert simulator.committed() == before
