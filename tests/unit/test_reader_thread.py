"""The reader-thread rule (`sps_provider/no_wait.py`): a handler the transport tries on a plugin
connection's reader thread never blocks it. A blocking call added to the plan path (here a GET to
the appliance) raises WouldWait where it would block and the call runs again on the pool, while
other calls on the same connection are still answered; locks wait only off the reader thread; a
handler that holds the thread too long is logged."""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from sps_catalog import load_catalog
from sps_provider import no_wait
from sps_provider.client.session import Settings, SpsClient
from sps_provider.engine.refresh import RefreshReader
from sps_provider.engine.resource import Plan, ResourceEngine
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.protocol.gen import tfplugin6_pb2_grpc as pb_grpc
from sps_provider.provider import Provider
from sps_provider.server import methods
from sps_provider.transport import rpc

HANG = 30.0  # a wait this long means the call was never answered
HELD = "/api/configuration/held"  # what the plan path newly asks the appliance for
AUDIT = load_catalog()["audit_policy"]


class Appliance(http.server.ThreadingHTTPServer):
    """A loopback HTTP stand-in for the appliance: logins succeed; GET `HELD` is answered once
    `release` is set, anything else at once. Every request path is recorded."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.paths: list[str] = []
        self.held_arrived = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Appliance

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        if self.path == HELD:
            self.server.held_arrived.set()
            self.server.release.wait(HANG)
            self.answer(b'{"body": {}}')
        else:
            self.answer(b"{}", cookie=self.path == "/api/authentication")

    def answer(self, body: bytes, cookie: bool = False) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if cookie:
            self.send_header("Set-Cookie", "session_id=s1; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def appliance() -> Iterator[Appliance]:
    server = Appliance()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def reader(appliance: Appliance) -> SpsClient:
    client = SpsClient(Settings(url=appliance.url, username="admin", password="pw", timeout=HANG))
    client.ensure_logged_in()
    return client


def test_a_blocking_call_added_to_the_plan_path_runs_on_the_pool_and_stalls_no_other_call(
    appliance: Appliance, reader: SpsClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def plan_with_a_new_request(engine: ResourceEngine, prior: Any, config: Any, diags: Any, target: Any = None,
                                lookups: RefreshReader | None = None, validated: bool = False) -> Plan:  # fmt: skip
        assert lookups is not None
        lookups.client.get(HELD)  # the new call: a request to the appliance, answered when `release` is set
        return Plan(None, [])

    monkeypatch.setattr(ResourceEngine, "plan", plan_with_a_new_request)
    provider = Provider()
    provider.reader, provider.refresh = reader, RefreshReader(reader)
    server = rpc.Server(methods(provider, threading.Event()), workers=4)
    server.start(str(tmp_path / "plugin.sock"), None)
    try:
        with grpc.insecure_channel(f"unix:{tmp_path / 'plugin.sock'}") as channel:
            stub = pb_grpc.ProviderStub(channel)
            planning = stub.PlanResourceChange.future(pb.PlanResourceChange.Request(type_name=AUDIT.resource_type))
            assert appliance.held_arrived.wait(HANG), "the plan never sent its request"
            other = stub.GetMetadata(pb.GetMetadata.Request(), timeout=HANG)  # same connection, meanwhile
            assert AUDIT.resource_type in {r.type_name for r in other.resources}
            assert not planning.done(), "the plan still waits for the appliance"
            appliance.release.set()
            answer = planning.result(timeout=HANG)
    finally:
        server.stop(grace=HANG)
    assert not [d.summary for d in answer.diagnostics]
    assert appliance.paths.count(HELD) == 1, "the reader thread sent nothing; the pool sent it once"


def test_the_client_sends_nothing_on_a_thread_that_must_not_wait(appliance: Appliance, reader: SpsClient) -> None:
    sent = len(appliance.paths)
    with no_wait.without_waiting(), pytest.raises(no_wait.WouldWait):
        reader.get("/api/configuration")
    assert len(appliance.paths) == sent
    reader.get("/api/configuration")
    assert appliance.paths[sent:] == ["/api/configuration"]


def test_a_lock_another_thread_holds_raises_would_wait_on_the_reader_thread_only() -> None:
    lock = no_wait.Lock()
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            release.wait(HANG)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(HANG)
    with no_wait.without_waiting(), pytest.raises(no_wait.WouldWait), lock:
        pytest.fail("taken while another thread holds it")
    release.set()
    with lock:  # off the reader thread it waits for the holder
        assert lock.locked()
    holder.join(HANG)
    with no_wait.without_waiting(), lock:  # free: taken at once, also on the reader thread
        assert lock.locked()


def test_a_handler_that_holds_the_reader_thread_too_long_is_logged(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def PlanResourceChange(request: str) -> str:
        return request.upper()

    caplog.set_level(logging.WARNING, logger="sps_provider")
    assert no_wait.attempt(PlanResourceChange, "fast", PlanResourceChange) == "FAST"
    assert caplog.records == []
    monkeypatch.setattr(no_wait, "SLOW", 0.0)
    assert no_wait.attempt(PlanResourceChange, "slow", PlanResourceChange) == "SLOW"
    [record] = caplog.records
    assert record.name == "sps_provider.no_wait"
    assert "PlanResourceChange held the plugin connection's reader thread" in record.getMessage()


def test_a_handler_that_would_wait_is_handed_to_the_pool() -> None:
    def waits(request: str) -> str:
        no_wait.check()
        return request

    assert no_wait.attempt(waits, "x", waits) is None
    assert not no_wait.forbidden(), "the mark ends with the attempt"
    assert waits("x") == "x"
