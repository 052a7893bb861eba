"""The client reads the environment (proxies, NO_PROXY, the CA-bundle variables) once, when it is
made, and still goes through the proxy it names: no per-request re-read."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest

from sps_provider.client import errors
from sps_provider.client.session import Settings, SpsClient

ENV = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ENV, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def client(url: str = "https://sps.example.test", verify: bool | str = True) -> SpsClient:
    return SpsClient(Settings(url=url, username="admin", password="pw", verify=verify, timeout=2.0))


class RefusingProxy:
    """A proxy on loopback that records the first request line of each connection and refuses it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.lines: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                reader = conn.makefile("rb")
                while (line := reader.readline()) not in (b"\r\n", b""):  # the request line and headers
                    self.lines.append(line.strip())
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")


def test_the_proxy_named_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = RefusingProxy()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    c = client()
    monkeypatch.delenv("HTTPS_PROXY")  # read once: the client keeps what it saw when made
    with pytest.raises(errors.ConnectionFailed):
        c.get("/api/info")
    assert proxy.lines[0].startswith(b"CONNECT sps.example.test:443 HTTP/")


def test_credentials_in_the_proxy_url_are_sent_to_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = RefusingProxy()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("http://", "http://user:p%40ss@"))
    with pytest.raises(errors.ConnectionFailed):
        client().get("/api/info")
    assert b"Proxy-Authorization: Basic dXNlcjpwQHNz" in proxy.lines  # user:p@ss


def test_no_proxy_bypasses_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = RefusingProxy()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    c = client(url=f"https://127.0.0.1:{closed_port()}")
    with pytest.raises(errors.ConnectionFailed) as caught:
        c.get("/api/info")
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)
    assert c.http.proxy is None and proxy.lines == []


def test_the_ca_bundle_variables_apply_only_without_ca_bundle_or_insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURL_CA_BUNDLE", "/from/curl.pem")
    assert client().verify == "/from/curl.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/from/requests.pem")
    assert client().verify == "/from/requests.pem"
    assert client(verify="/configured.pem").verify == "/configured.pem"
    assert client(verify=False).verify is False


def test_without_variables_the_system_store_verifies() -> None:
    c = client()
    assert c.verify is True and c.http.proxy is None
    assert c.http.context is not None and c.http.context.verify_mode == ssl.CERT_REQUIRED
    assert c.http.context.check_hostname
