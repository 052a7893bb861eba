"""The provider's HTTP client (`sps_provider.client.http`) against a keep-alive HTTP/1.1 server on
loopback: connections are reused, one the server closed while idle is not, cookies are kept and
expired, Basic credentials are sent only when asked for, answers beyond the size read are refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sps_provider.client import errors
from sps_provider.client import http as http_module
from sps_provider.client.http import AnswerTooLarge, Http
from sps_provider.client.session import Settings, SpsClient


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.connections = 0
        self.seen: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.cookie = "session_id=s1; Path=/"
        self.closed = threading.Event()

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.closed.set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def do_GET(self) -> None:
        self.server.seen.append(dict(self.headers.items()))
        self.server.paths.append(self.path)
        if self.path.startswith("/big"):
            return self.big()
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", self.server.cookie)
        if self.path == "/close":
            self.send_header("Connection", "close")
        self.close_connection = self.path in ("/close", "/drop")  # /drop: closed without a word
        self.end_headers()
        self.wfile.write(body)

    def big(self) -> None:
        """/big/<n>: an answer of n bytes, with its Content-Length or (/big/<n>/chunked) chunked."""
        size = int(self.path.split("/")[2])
        body = b'"' + b"x" * (size - 2) + b'"'
        self.send_response(200)
        if self.path.endswith("/chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, size, 1000):
                part = body[i : i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    threading.Thread(target=s.serve_forever, daemon=True).start()
    yield s
    s.shutdown()
    s.server_close()


def client(server: Server) -> Http:
    return Http(f"http://127.0.0.1:{server.server_address[1]}", True, 5.0, "test-agent")


def test_requests_reuse_one_keep_alive_connection(server: Server) -> None:
    http = client(server)
    for _ in range(5):
        assert http.request("GET", "/api/info", None).json() == {"ok": True}
    assert server.connections == 1
    assert server.seen[0]["User-Agent"] == "test-agent"


@pytest.mark.parametrize("path", ["/close", "/drop"])
def test_a_connection_the_server_closed_is_not_reused(server: Server, path: str) -> None:
    http = client(server)
    http.request("GET", path, None)
    assert server.closed.wait(5)
    assert http.request("GET", "/api/info", None).status == 200
    assert server.connections == 2


def test_cookies_are_sent_back_and_dropped_when_expired(server: Server) -> None:
    http = client(server)
    http.request("GET", "/api/authentication", None, auth=("admin", "pw"))
    assert http.cookies == {"session_id": "s1"}
    assert server.seen[0]["Authorization"] == "Basic YWRtaW46cHc="
    server.cookie = "session_id=; Max-Age=0; Path=/"
    http.request("GET", "/api/info", None)
    assert server.seen[1]["Cookie"] == "session_id=s1" and "Authorization" not in server.seen[1]
    assert http.cookies == {}
    http.request("GET", "/api/info", None)
    assert "Cookie" not in server.seen[2]


@pytest.mark.parametrize("framing", ["", "/chunked"])
def test_an_answer_beyond_the_size_read_is_refused_and_one_within_it_is_read_whole(
    server: Server, framing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_module, "MAX_ANSWER", 10_000)
    http = client(server)
    assert len(http.request("GET", f"/big/10000{framing}", None).body) == 10_000
    with pytest.raises(AnswerTooLarge):
        http.request("GET", f"/big/10001{framing}", None)
    assert http.request("GET", "/api/info", None).json() == {"ok": True}  # the client goes on


def test_the_client_raises_a_typed_error_for_a_too_large_answer_and_does_not_retry_it(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_module, "MAX_ANSWER", 10_000)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    sps = SpsClient(Settings(url=url, username="admin", password="pw", verify=True, timeout=5.0))
    with pytest.raises(errors.AnswerTooLarge) as caught:
        sps.get("/big/20000")
    assert caught.value.path == "/big/20000" and "too much" in str(caught.value)
    assert server.paths == ["/api/authentication", "/big/20000"], "one login, one GET: not retried"
