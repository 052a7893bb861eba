"""A logged-in HTTP client of the simulator's documented API, and out-of-band changes made through it."""

from __future__ import annotations

from typing import Any

import requests

from sps_harness import RunningSimulator

API = "/api/configuration"


class Client:
    def __init__(self, sim: RunningSimulator, login: bool = True) -> None:
        self.sim = sim
        self.s = sim.anonymous()
        if login:
            r = self.s.get(f"{sim.url}/api/authentication", auth=("admin", "admin"))
            assert r.status_code == 200, r.text

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        if body is not None:
            kw["json"] = body
        return self.s.request(method, self.sim.url + path, **kw)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        r = self.call(method, path, body)
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    def commit(self) -> None:
        self.ok("PUT", "/api/transaction", {"status": "commit"})


def error_of(r: requests.Response) -> dict[str, Any]:
    err: dict[str, Any] = r.json()["error"]
    return err


def out_of_band(sim: RunningSimulator, method: str, path: str, body: Any = None) -> None:
    s = sim.session()
    r = s.request(method, f"{sim.url}{path}", json=body)
    assert r.status_code in (200, 201), r.text
    r = s.put(f"{sim.url}/api/transaction", json={"status": "commit"})
    assert r.status_code == 200, r.text
