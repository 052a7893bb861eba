"""The client reads the environment (proxies, NO_PROXY, the CA-bundle variables) once, when it is
made, and requests still goes through the proxy it names: no per-request re-read."""

from __future__ import annotations

import socket

import pytest
import requests

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


def test_the_proxy_named_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    c = client()
    monkeypatch.delenv("HTTPS_PROXY")  # read once: the client keeps what it saw when made
    with pytest.raises(errors.ConnectionFailed) as caught:
        c.get("/api/info")
    assert isinstance(caught.value.__cause__, requests.exceptions.ProxyError)


def test_no_proxy_bypasses_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    c = client(url=f"https://127.0.0.1:{closed_port()}")
    with pytest.raises(errors.ConnectionFailed) as caught:
        c.get("/api/info")
    assert not isinstance(caught.value.__cause__, requests.exceptions.ProxyError)
    assert c.http.proxies == {}


def test_the_ca_bundle_variables_apply_only_without_ca_bundle_or_insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURL_CA_BUNDLE", "/from/curl.pem")
    assert client().verify == "/from/curl.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/from/requests.pem")
    assert client().verify == "/from/requests.pem"
    assert client(verify="/configured.pem").verify == "/configured.pem"
    assert client(verify=False).verify is False


def test_without_variables_the_system_store_verifies() -> None:
    c = client()
    assert c.verify is True and c.http.proxies == {} and c.http.trust_env is False
