"""HTTP/1.1 to one appliance over the standard library's `http.client`: keep-alive connections
pooled for the threads that share a client, TLS verified against the system store, a CA bundle or
not at all (`insecure`), the proxy the environment names (read once), and the cookies the
appliance sets. `requests` and its dependencies cost ~200 M instructions to import in the process
that talks to the appliance, more than a no-op plan's requests themselves (issue 28)."""

from __future__ import annotations

import base64
import email.utils
import http.client
import json
import os
import select
import ssl
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

MAX_IDLE = 64  # keep-alive connections kept per client (Terraform's -parallelism is 10 by default)
MAX_ANSWER = 128 * 1024 * 1024
"""The largest answer read (bytes). The appliance's text is written by many admins and the provider
keeps an answer whole in memory: a listing of 10,000 connection policies is ~30 MB, so this leaves
room for four times that and bounds what a broken or hostile server can make the process hold."""


class AnswerTooLarge(http.client.HTTPException):
    """The answer (its Content-Length, or the bytes sent) exceeds `MAX_ANSWER`; nothing of it is kept."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def tls_context(verify: bool | str) -> ssl.SSLContext:
    """`True`: the system's trust store; a path: that CA bundle (a file, or a hashed directory as
    OpenSSL reads one); `False`: no verification (`insecure`, for a lab appliance only)."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if verify is True:
        return ssl.create_default_context()
    if os.path.isdir(verify):
        return ssl.create_default_context(capath=verify)
    return ssl.create_default_context(cafile=verify)


def environment_proxy(url: str) -> str | None:
    """The proxy the environment names for `url` (https_proxy/HTTPS_PROXY, all_proxy; none where
    no_proxy/NO_PROXY matches the host), as `requests` chose it."""
    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    if urllib.request.proxy_bypass(parts.hostname or ""):  # no_proxy (on Linux: the environment only)
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


class Http:
    """Requests to `base` (scheme, host, port and a path prefix). Connections are taken from the
    idle pool, or made; one the appliance has closed while idle is dropped, not reused."""

    def __init__(self, base: str, verify: bool | str, timeout: float, user_agent: str) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base!r}")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.user_agent = user_agent
        self.verify = verify
        self._context: ssl.SSLContext | None = None
        self.proxy = environment_proxy(base)
        self.cookies: dict[str, str] = {}
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    @property
    def context(self) -> ssl.SSLContext | None:
        """The TLS context, made on first use: a CA bundle that cannot be read fails the request
        (OSError), as with `requests`, not the making of the client."""
        if self.https and self._context is None:
            self._context = tls_context(self.verify)
        return self._context

    def _connect(self) -> http.client.HTTPConnection:
        context = self.context
        if self.proxy is None:
            if context is not None:
                return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=context)
            return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        proxy = urllib.parse.urlsplit(self.proxy if "://" in self.proxy else f"http://{self.proxy}")
        if proxy.hostname is None:
            raise ValueError(f"unusable proxy {self.proxy!r} in the environment")
        if context is None:  # plain HTTP through a proxy: absolute-form requests (see _target)
            return http.client.HTTPConnection(proxy.hostname, proxy.port or 80, timeout=self.timeout)
        conn = http.client.HTTPSConnection(proxy.hostname, proxy.port or 80, timeout=self.timeout, context=context)
        conn.set_tunnel(self.host, self.port, headers=_proxy_authorization(proxy))
        return conn

    def _take(self) -> http.client.HTTPConnection:
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if conn.sock is not None and _quiet(conn.sock):
                    return conn
                conn.close()
        return self._connect()

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def _target(self, path: str) -> str:
        if self.proxy is not None and not self.https:
            return f"http://{self.host}:{self.port}{self.prefix}{path}"
        return self.prefix + path

    def request(self, method: str, path: str, body: bytes | None, *, auth: tuple[str, str] | None = None) -> Response:
        """One request and its whole answer. OSError (ssl.SSLError and timeouts included) or
        http.client.HTTPException when the exchange fails."""
        headers = {"User-Agent": self.user_agent, "Accept": "*/*"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        elif method in ("POST", "PUT"):
            body = b""
        if auth is not None:
            token = f"{auth[0]}:{auth[1]}".encode("latin-1", errors="replace")
            headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = self._take()
        try:
            conn.request(method, self._target(path), body=body, headers=headers)
            resp = conn.getresponse()
            data = _bounded(resp)
        except BaseException:
            conn.close()
            raise
        self._remember(resp.headers.get_all("Set-Cookie") or [])
        if resp.will_close:
            conn.close()
        else:
            self._give_back(conn)
        return Response(resp.status, data)

    def clear_cookies(self) -> None:
        with self._lock:
            self.cookies.clear()

    def _remember(self, set_cookies: list[str]) -> None:
        """Keep the cookies set; drop those the appliance expires (Max-Age 0, Expires past)."""
        for header in set_cookies:
            try:
                jar = SimpleCookie(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                with self._lock:
                    if _expired(morsel["max-age"], morsel["expires"]):
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _bounded(resp: http.client.HTTPResponse) -> bytes:
    """The whole answer, or AnswerTooLarge as soon as it is known to exceed `MAX_ANSWER`."""
    if resp.length is not None and resp.length > MAX_ANSWER:
        raise AnswerTooLarge(f"the answer is {resp.length} bytes, more than the {MAX_ANSWER} read")
    data = resp.read(MAX_ANSWER + 1)
    if len(data) > MAX_ANSWER:
        raise AnswerTooLarge(f"the answer is more than the {MAX_ANSWER} bytes read")
    return data


def _quiet(sock: Any) -> bool:
    """An idle keep-alive socket with nothing to read; readable means the peer closed it (or sent
    what no request asked for), so it is not reused."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return not poller.poll(0)


def _proxy_authorization(proxy: urllib.parse.SplitResult) -> dict[str, str] | None:
    """Basic credentials for the proxy when its URL carries them (`http://user:pass@proxy:3128`)."""
    if proxy.username is None:
        return None
    user = urllib.parse.unquote(proxy.username)
    password = urllib.parse.unquote(proxy.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Proxy-Authorization": f"Basic {token}"}


def _expired(max_age: str, expires: str) -> bool:
    if max_age:
        try:
            return int(max_age) <= 0
        except ValueError:
            return False
    if expires:
        try:
            return email.utils.parsedate_to_datetime(expires).timestamp() <= time.time()
        except (TypeError, ValueError):
            return False
    return False
