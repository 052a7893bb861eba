"""Start `sps-simulator` as a separate process on a free loopback port and talk to it."""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests


@dataclass
class RunningSimulator:
    process: subprocess.Popen[bytes]
    url: str
    ca: str | None
    state: Path
    log: Path
    args: list[str]
    username: str = "admin"
    password: str = "admin"

    def anonymous(self) -> requests.Session:
        """A session that trusts this simulator's CA and has not logged in."""
        s = requests.Session()
        s.trust_env = False  # else REQUESTS_CA_BUNDLE would override `verify`
        s.verify = self.ca or True
        return s

    def session(self) -> requests.Session:
        s = self.anonymous()
        resp = s.get(f"{self.url}/api/authentication", auth=(self.username, self.password))
        resp.raise_for_status()
        return s

    def admin(self, path: str) -> Any:
        resp = requests.get(
            f"{self.url}/_sim/{path}", verify=self.ca or True, timeout=10, proxies={"https": "", "http": ""}
        )
        resp.raise_for_status()
        return resp.json()

    def set_faults(self, **faults: Any) -> None:
        self.admin_post("faults", faults)

    def admin_post(self, path: str, body: Any) -> Any:
        resp = requests.post(f"{self.url}/_sim/{path}", json=body, verify=self.ca or True, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("stats")
        return result

    def wait_for(self, stat: str, at_least: int = 1, timeout: float = 60) -> bool:
        """Whether `stat` of `stats()` (`commits_started`, `open_transactions`, `lock_held`, ...)
        reached `at_least` within `timeout` seconds: the simulator answers as soon as it does
        (`/_sim/wait`), so a test waits for the event itself instead of sleeping."""
        params: dict[str, str | int | float] = {"until": stat, "at_least": at_least, "timeout": timeout}
        resp = requests.get(
            f"{self.url}/_sim/wait",
            params=params,
            verify=self.ca or True,
            timeout=timeout + 10,
            proxies={"https": "", "http": ""},
        )
        resp.raise_for_status()
        return bool(resp.json()["reached"])

    def committed(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.admin("committed")
        return result

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def restart(self) -> RunningSimulator:
        """Start again on the same state file (and port), as after a reboot."""
        self.stop()
        args = list(self.args)
        args[args.index("--port") + 1] = self.url.rsplit(":", 1)[1]
        return _launch(args, self.state, self.log)


_LIVE: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _kill_survivors() -> None:
    """No simulator outlives the test run or script that started it, whatever went wrong."""
    for proc in list(_LIVE):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _launch(args: list[str], state: Path, log: Path, timeout: float = 30.0) -> RunningSimulator:
    ready = state.parent / f"ready-{os.getpid()}-{time.monotonic_ns()}.json"
    cmd = [sys.executable, "-m", "sps_simulator.cli", *args, "--ready-file", str(ready)]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    _LIVE.add(proc)
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"sps-simulator exited with {proc.returncode}; see {log}:\n{log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"sps-simulator did not start within {timeout}s; see {log}")
        time.sleep(0.02)
    info = json.loads(ready.read_text())
    ready.unlink()
    return RunningSimulator(process=proc, url=info["url"], ca=info["ca"], state=state, log=log, args=args)


def start_simulator(directory: Path | None = None, *extra: str) -> RunningSimulator:
    """A simulator with its own state folder, HTTPS, admin endpoints on, on a free port."""
    directory = Path(directory or tempfile.mkdtemp(prefix="sps-sim-"))
    directory.mkdir(parents=True, exist_ok=True)
    state = directory / "sps.sqlite3"
    args = ["--port", "0", "--state", str(state), "--admin", *extra]
    return _launch(args, state, directory / "simulator.log")


@contextmanager
def simulator(directory: Path | None = None, *extra: str) -> Iterator[RunningSimulator]:
    sim = start_simulator(directory, *extra)
    try:
        yield sim
    finally:
        sim.stop()
