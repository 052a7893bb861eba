"""One authenticated SPS REST session (a `session_id` cookie) over `client.http`."""

from __future__ import annotations

import http.client
import json
import logging
import os
import ssl
import time
from typing import Any

from sps_catalog.firmware import INFO_PATH
from sps_provider import no_wait
from sps_provider.client import errors
from sps_provider.client.http import AnswerTooLarge, Http, Response
from sps_provider.client.settings import Settings as Settings  # sps-export imports it from here

log = logging.getLogger(__name__)
GET_ATTEMPTS = 4


class SpsClient:
    """A logged-in session. With `relogin` (the reader), GETs log in again when the session
    expired; writes never do. The writer (`relogin=False`) never does: a new session would not
    hold the transaction the call belongs to, and would read `closed` for a transaction the old
    one lost; a 401 raises Unauthenticated and the coordinator replays the group."""

    def __init__(self, settings: Settings, *, relogin: bool = True) -> None:
        self.settings = settings
        self.relogin = relogin
        self.base = settings.url.rstrip("/")
        self.verify = _verify(settings.verify)
        self.http = Http(self.base, self.verify, settings.timeout, settings.user_agent)
        self._login_lock = no_wait.Lock()
        self._logged_in = False

    def __repr__(self) -> str:
        return f"SpsClient({self.settings!r})"

    # -- transport -----------------------------------------------------------------------
    def _send(self, method: str, path: str, body: Any = None, *, auth: bool = False) -> Response:
        """Every request (the login too). On a plugin connection's reader thread: WouldWait, and nothing is sent."""
        no_wait.check()
        data = None if body is None else json.dumps(body).encode()
        credentials = (self.settings.username, self.settings.password) if auth else None
        try:
            return self.http.request(method, path, data, auth=credentials)
        except AnswerTooLarge as exc:
            raise errors.AnswerTooLarge(f"{self.base} answered {method} {path} with too much: {exc}; refused",
                                        method=method, path=path) from exc  # fmt: skip
        except (OSError, http.client.HTTPException) as exc:
            if _verification_failure(exc) is not None:
                raise errors.TlsVerificationFailed(
                    f"the certificate of {self.base} is not trusted ({exc}). Pass the CA that signed it as the "
                    "provider's `ca_bundle` (a PEM file), or, for a lab appliance only, set `insecure = true`.",
                    method=method,
                    path=path,
                ) from exc
            raise errors.ConnectionFailed(f"cannot reach {self.base}: {exc}", method=method, path=path) from exc

    def ensure_logged_in(self) -> None:
        """Log in unless this client already holds a session: concurrent first calls make one
        login between them, not one each (double-checked under the login lock)."""
        if self._logged_in:
            return
        with self._login_lock:
            if not self._logged_in:
                self._login_locked()

    def replace_session(self, expired: str | None) -> None:
        """Replace the session `expired` (the cookie a 401 came back for), once: callers that saw
        the same session expire find it already replaced and share the new one."""
        with self._login_lock:
            if not self._logged_in or self.http.cookies.get("session_id") == expired:
                self._login_locked()

    def login(self) -> None:
        """A new session (replacing any current one): GET /api/authentication with HTTP Basic auth;
        SPS answers with the session cookie."""
        with self._login_lock:
            self._login_locked()

    def _login_locked(self) -> None:
        """One login. A connection error (also a TLS handshake cut short) is retried like any read;
        a refused login never is: repeating a wrong password would trip brute-force protection."""
        self._logged_in = False
        self.http.clear_cookies()
        for attempt in range(GET_ATTEMPTS):
            try:
                resp = self._send("GET", "/api/authentication", auth=True)
                break
            except errors.TlsVerificationFailed:
                raise
            except errors.ConnectionFailed:
                if attempt + 1 == GET_ATTEMPTS:
                    raise
                time.sleep(0.2 * 2**attempt)
        if resp.status != 200:
            raise errors.from_response(resp.status, _json(resp), "GET", "/api/authentication")
        if "session_id" not in self.http.cookies:
            raise errors.Unauthenticated(
                "login succeeded but no session_id cookie came back; check that the clocks of this "
                "machine and the appliance agree",
                method="GET",
                path="/api/authentication",
            )
        self._logged_in = True
        log.debug("logged in to %s as %s", self.base, self.settings.username)

    def request(self, method: str, path: str, body: Any = None, *, relogin: bool = True) -> Any:
        """One call. GETs are retried on connection errors and 5xx, and log in again on 401 when
        both the client's and the call's `relogin` allow it; writes are not: whether a write is
        safe to repeat is decided by the coordinator, by reading back."""
        self.ensure_logged_in()
        attempts = GET_ATTEMPTS if method == "GET" else 1
        for attempt in range(attempts):
            session = self.http.cookies.get("session_id")
            try:
                resp = self._send(method, path, body)
            except errors.TlsVerificationFailed:
                raise
            except errors.ConnectionFailed:
                if attempt + 1 == attempts:
                    raise
                time.sleep(0.2 * 2**attempt)
                continue
            if resp.status == 401 and method == "GET" and relogin and self.relogin and attempt + 1 < attempts:
                self.replace_session(session)
                continue
            if resp.status >= 500 and attempt + 1 < attempts:
                time.sleep(0.2 * 2**attempt)
                continue
            if resp.status >= 400:
                raise errors.from_response(resp.status, _json(resp), method, path)
            return _json(resp)
        raise AssertionError("unreachable")

    # -- verbs ---------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        """GET an endpoint, collection or object."""
        return self.request("GET", path)

    def firmware_version(self) -> str | None:
        """The appliance's SPS version: `body.firmware_version` of GET /api/info, which SPS shows to
        logged-in sessions only (REST API Reference Guide, "Retrieve basic firmware and host
        information"). None when the appliance does not report one."""
        try:
            doc = self.get(INFO_PATH)
        except errors.NotFound:
            return None
        body = doc.get("body") if isinstance(doc, dict) else None
        version = body.get("firmware_version") if isinstance(body, dict) else None
        return version if isinstance(version, str) and version else None

    def read_in_transaction(self, path: str) -> Any:
        """GET as the open transaction sees it. Never logs in again: a new session would not hold
        the transaction, so an expired one raises Unauthenticated for the coordinator to replay."""
        return self.request("GET", path, relogin=False)

    def post(self, path: str, body: Any) -> str:
        """POST a new object to a collection; returns the key SPS assigned."""
        return str(self.request("POST", path, body)["key"])

    def put(self, path: str, body: Any) -> None:
        """PUT the whole body of an object or singleton (a full replace)."""
        self.request("PUT", path, body)

    def delete(self, path: str) -> None:
        """DELETE an object."""
        self.request("DELETE", path)

    # -- transactions --------------------------------------------------------------------
    def open_transaction(self) -> None:
        """POST /api/transaction (with an empty body: SPS answers 411 without one). Takes the lock."""
        self.request("POST", "/api/transaction")

    def commit(self, message: str | None = None) -> None:
        """PUT /api/transaction {"status": "commit"}; releases the lock."""
        body: dict[str, Any] = {"status": "commit"}
        if message:
            body["commit_message"] = message
        self.request("PUT", "/api/transaction", body)

    def revert(self) -> None:
        """DELETE /api/transaction: drop the uncommitted changes and release the lock."""
        self.request("DELETE", "/api/transaction")

    def changes(self) -> list[dict[str, Any]]:
        """GET /api/transaction/changes: what the open transaction holds."""
        result: list[dict[str, Any]] = self.get("/api/transaction/changes").get("changes", [])
        return result

    def transaction_status(self) -> str:
        doc = self.get("/api/transaction")
        body = doc.get("body") or doc.get("transaction") or {}
        return str(body.get("status", "closed"))


def _verification_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error behind `exc`, if that is what failed (raised as is by
    `ssl`, or linked as `__cause__`/`__context__`, a `reason` or an argument where a layer wraps
    it); a handshake cut by the network (EOF, reset) has none."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ssl.SSLCertVerificationError):
            return e
        linked = [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
        todo.extend(x for x in linked if isinstance(x, BaseException))
    return None


def _verify(verify: bool | str) -> bool | str:
    """The verification to use: `ca_bundle` or `insecure` first, else the CA bundle the environment
    names (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, read once, as `requests` read them), else the
    system's trust store."""
    if verify is True:
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return verify


def _json(resp: Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return {"error": {"type": "", "message": resp.text[:500] or f"HTTP {resp.status}"}}
