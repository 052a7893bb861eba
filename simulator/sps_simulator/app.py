"""The HTTP face of the simulated appliance (an ASGI app served by uvicorn)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sps_catalog.firmware import INFO_PATH
from sps_catalog.model import TypeDef
from sps_simulator import bodies, opaque_routes, text
from sps_simulator.appliance import TRANSACTION_BODY, Appliance, LoginBlocked
from sps_simulator.errors import ApiError, method_not_allowed, not_found, syntactic, unauthenticated
from sps_simulator.links import ROOT, TRANSACTION, Tree, item_links, render_body
from sps_simulator.sessions import Session

COOKIE = "session_id"
LOGIN_METHODS = "/api/authentication/login_methods"
LOCAL_LOGIN = "local"


def _abort_connection(send: Any) -> None:
    """Cut the TCP connection without an answer (the drop fault switch). uvicorn's `send` is a
    bound method of its per-request cycle, which holds the transport."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("the drop fault switch needs uvicorn's transport")
    transport.abort()


class Api:
    def __init__(self, appliance: Appliance, *, secure_cookie: bool, admin: bool) -> None:
        self.appliance = appliance
        self.catalog = appliance.catalog
        self.hooks = appliance.hooks
        self.tree = Tree(appliance.endpoints, appliance.firmware)
        self.secure_cookie = secure_cookie
        self.types_by_href = {t.api_path: t for t in appliance.catalog}
        self._background: set[asyncio.Task[None]] = set()
        self._waiting: list[asyncio.Future[None]] = []  # /_sim/wait calls, woken when the state may have changed
        # Every method reaches the handlers, which check the session first and then answer 405 in
        # the documented error shape (Starlette's own 405 would be plain text).
        every = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
        routes = [
            Route("/api", self.api_root, methods=every),
            Route("/api/authentication", self.authenticate, methods=every),
            Route(LOGIN_METHODS, self.login_methods, methods=every),
            Route(INFO_PATH, self.info, methods=every),
            Route("/api/transaction", self.transaction, methods=every),
            Route("/api/transaction/changes", self.changes, methods=every),
            Route("/api/configuration", self.configuration, methods=every),
            Route("/api/configuration/{rest:path}", self.configuration, methods=every),
        ]
        if admin:
            routes += [
                Route("/_sim/stats", self.stats, methods=["GET"]),
                Route("/_sim/committed", self.committed, methods=["GET"]),
                Route("/_sim/faults", self.faults, methods=["GET", "POST"]),
                Route("/_sim/hold-lock", self.hold_lock, methods=["POST"]),
                Route("/_sim/expire-sessions", self.expire_sessions, methods=["POST"]),
                Route("/_sim/wait", self.wait, methods=["GET"]),
            ]
        handlers = {ApiError: self.api_error, HTTPException: self.http_error}
        self.app = Starlette(routes=routes, exception_handlers=handlers)  # type: ignore[arg-type]

    # -- plumbing ------------------------------------------------------------------------
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.handle(scope, receive, send)
        finally:
            self.changed()

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api"):
            await self.app(scope, receive, send)
            return
        refused = self.undecodable_url(scope)
        if refused is not None:
            await (await self.api_error(Request(scope), refused))(scope, receive, send)
            return
        faults = self.appliance.faults
        self.appliance.counters.requests += 1
        if faults.latency:
            await asyncio.sleep(faults.latency)
        expire = faults.take_expire(scope["method"], scope["path"])
        if expire == "before":
            self.appliance.expire_all_sessions()
        when = faults.take_drop(scope["method"], scope["path"])
        if when is None and expire != "after":
            await self.app(scope, receive, send)
            return
        if when != "before":

            async def held(message: Any) -> None:
                """The answer waits until the sessions have ended (or is lost: drop after)."""
                if when is None:
                    answer.append(message)

            answer: list[Any] = []
            await self.app(scope, receive, held)
            if expire == "after":
                self.appliance.expire_all_sessions()
            if when is None:
                for message in answer:
                    await send(message)
                return
        self.appliance.counters.dropped += 1
        _abort_connection(send)

    @staticmethod
    def undecodable_url(scope: Any) -> ApiError | None:
        """A URL whose path or query spells bytes that are not UTF-8 names no object and no value:
        the path answers 404 NotFound, the query 400 InvalidQuery, each quoting the URL as sent."""
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        if text.undecodable(raw_path):
            return ApiError(
                404, "NotFound", "The requested path is not UTF-8 text.", {"path": raw_path.decode("ascii", "replace")}
            )
        query: bytes = scope.get("query_string", b"")
        if text.undecodable(query.replace(b"+", b" ")):
            return ApiError(
                400,
                "InvalidQuery",
                "The query string is not UTF-8 text.",
                {"path": scope["path"], "query": query.decode("ascii", "replace")},
            )
        return None

    async def api_error(self, request: Request, exc: ApiError) -> Response:
        path = request.url.path
        parent = path.rsplit("/", 1)[0] or None
        body = {
            "error": {"type": exc.type, "message": exc.message, "details": exc.details},
            "meta": {"href": path, "parent": parent, "transaction": TRANSACTION},
        }
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        """Starlette's own answers (no such route) in the documented error shape."""
        path = request.url.path
        if exc.status_code == 404:
            return await self.api_error(request, not_found(path))
        if exc.status_code == 405:
            return await self.api_error(request, method_not_allowed(path, request.method))
        return await self.api_error(request, ApiError(exc.status_code, "Error", str(exc.detail), {"path": path}))

    def session(self, request: Request) -> Session:
        s = self.appliance.session(request.cookies.get(COOKIE) or request.headers.get(COOKIE))
        if s is None:
            raise unauthenticated(request.url.path)
        return s

    def meta(self, s: Session, **links: Any) -> dict[str, Any]:
        return {**links, "remaining_seconds": self.appliance.remaining_seconds(s), "transaction": TRANSACTION}

    async def json_body(self, request: Request) -> Any:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > bodies.MAX_BODY_BYTES:
            raise bodies.too_large(request.url.path, int(declared))
        return bodies.parse(request.url.path, await request.body())

    # -- authentication ------------------------------------------------------------------
    async def api_root(self, request: Request) -> Response:
        if request.method != "GET":
            raise method_not_allowed(request.url.path, request.method)
        items = [
            {"key": k, "meta": {"href": f"/api/{k}"}}
            for k in ("authentication", "configuration", "info", "transaction")
        ]
        return JSONResponse({"items": items, "meta": {"href": "/api", "parent": None}})

    async def info(self, request: Request) -> Response:
        """Host and firmware information. As documented, anonymous callers get the host part
        only; logged-in sessions also get `firmware_version` and the build details."""
        if request.method != "GET":
            raise method_not_allowed(request.url.path, request.method)
        body: dict[str, Any] = {
            "domainname": "example",
            "hostname": "sps-simulator",
            "nickname": None,
            "plugin_sdk_version": {"feature": "1.4", "full": "1.4.4"},
            "support_link": "mailto:sps-administrator@example.com",
        }
        s = self.appliance.session(request.cookies.get(COOKIE) or request.headers.get(COOKIE))
        if s is not None:
            body.update(
                analytics_enabled=False,
                build_date="2026-01-01T00:00:00+00:00",
                config_hash=self.appliance.config_hash(),
                firmware_version=self.appliance.firmware,
            )
        meta = {"href": INFO_PATH, "parent": "/api"}
        return JSONResponse({"body": dict(sorted(body.items())), "key": "about_info", "meta": meta})

    async def login_methods(self, request: Request) -> Response:
        """The 7.x list of login methods (AUTH-7.1.1), served without a session as safeguard-ps
        calls it; the simulator offers one, `local` (its user table), for Basic authentication."""
        if request.method != "GET":
            raise method_not_allowed(LOGIN_METHODS, request.method)
        items = [{"key": LOCAL_LOGIN, "meta": {"href": f"/api/authentication?login_method={LOCAL_LOGIN}"}}]
        return JSONResponse({"items": items, "meta": {"href": LOGIN_METHODS, "parent": "/api/authentication"}})

    async def authenticate(self, request: Request) -> Response:
        path = request.url.path
        if request.method != "GET":
            raise method_not_allowed(path, request.method)
        method = request.query_params.get("login_method", LOCAL_LOGIN)
        if method != LOCAL_LOGIN:
            raise ApiError(
                401, "AuthenticationFailure", f"No login method named {method!r}; see {LOGIN_METHODS}.", {"path": path}
            )
        header = request.headers.get("authorization", "")
        user = password = None
        if header.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user = None
        client = request.client.host if request.client else ""
        try:
            s = self.appliance.login(user, password or "", client) if user is not None else None
        except LoginBlocked as blocked:
            raise ApiError(
                401,
                "AuthenticationFailure",
                f"Too many failed login attempts from {client}; brute-force protection refuses logins from "
                f"this address for {blocked.retry_after} more seconds.",
                {"path": path, "retry_after": blocked.retry_after},
                headers={"Retry-After": str(blocked.retry_after)},
            ) from None
        if s is None:
            raise ApiError(
                401,
                "AuthenticationFailure",
                "Authenticating the user with the given credentials has failed.",
                {"path": path},
            )
        resp = JSONResponse({"meta": self.meta(s, href=path, parent="/api")})
        resp.set_cookie(COOKIE, s.sid, httponly=True, secure=self.secure_cookie, samesite="strict", path="/")
        return resp

    # -- transactions --------------------------------------------------------------------
    def transaction_doc(self, s: Session) -> dict[str, Any]:
        """The transaction's status in the shape of the firmware's pages: `{body: {commit_message,
        status}}` from 7.5 on [TX-7.x] [TX-8.0], `{transaction: {status}}` before [TX-OLD] [TX-6.9.3]."""
        status = "open" if s.tx is not None else "closed"
        if not TRANSACTION_BODY.exists_on(self.appliance.firmware):
            return {
                "key": "transaction",
                "meta": {"href": TRANSACTION, "parent": "/api"},
                "transaction": {"status": status},
            }
        return {
            "body": {
                "status": status,
                "commit_message": "required" if self.appliance.commit_message_required() else "optional",
            },
            "key": "transaction",
            "meta": self.meta(s, href=TRANSACTION, parent="/api", changes=f"{TRANSACTION}/changes"),
        }

    async def transaction(self, request: Request) -> Response:
        s = self.session(request)
        a = self.appliance
        if request.method not in ("GET", "POST", "PUT", "DELETE"):
            raise method_not_allowed(TRANSACTION, request.method)
        if request.method == "GET":
            return JSONResponse(self.transaction_doc(s))
        if request.method == "POST":
            if "content-length" not in request.headers and "transfer-encoding" not in request.headers:
                raise ApiError(
                    411,
                    "LengthRequired",
                    "POST /api/transaction needs a request body (may be empty).",
                    {"path": TRANSACTION},
                )
            a.open(s)
            return JSONResponse(self.transaction_doc(s))
        if request.method == "PUT":
            body = await self.json_body(request)
            if not isinstance(body, dict) or body.get("status") != "commit":
                raise syntactic(TRANSACTION, 'To commit, PUT {"status": "commit"}.')
            message = body.get("commit_message")
            if message is not None and not isinstance(message, str):
                raise syntactic(TRANSACTION, "commit_message must be a string.")
            if s.tx is not None:
                a.counters.commits_started += 1
                self.changed()
            if a.faults.commit_duration and s.tx is not None:
                await asyncio.sleep(a.faults.commit_duration)
                if a.sessions.get(s.sid) is not s:  # it ended meanwhile: its transaction was reverted
                    raise unauthenticated(TRANSACTION)
            a.commit(s, message)
            return JSONResponse(self.transaction_doc(s))
        a.revert(s)
        return JSONResponse({"meta": {"href": TRANSACTION, "parent": "/api"}})

    async def changes(self, request: Request) -> Response:
        s = self.session(request)
        if request.method != "GET":
            raise method_not_allowed(request.url.path, request.method)
        changes = s.tx.changes if s.tx is not None else []
        return JSONResponse(
            {"changes": changes, "meta": self.meta(s, href=f"{TRANSACTION}/changes", parent=TRANSACTION)}
        )

    # -- configuration -------------------------------------------------------------------
    async def configuration(self, request: Request) -> Response:
        s = self.session(request)
        href = request.url.path.rstrip("/") or ROOT
        method = request.method
        if self.tree.is_container(href):
            if method != "GET":
                raise method_not_allowed(href, method)
            kids = self.tree.children[href]
            items = [{"key": k, "meta": {"href": f"{href}/{k}"}} for k in kids]
            return JSONResponse({"items": items, "meta": self.meta(s, href=href, **self.tree.sibling_links(href))})
        opaque = await opaque_routes.serve(self, request, s, href)
        if opaque is not None:
            return opaque
        t = self.types_by_href.get(href)
        if t is not None and not t.versions.exists_on(self.appliance.firmware):
            raise not_found(href)
        if t is not None:
            return await (self.singleton(request, s, t) if t.is_singleton else self.collection(request, s, t))
        parent, key = href.rsplit("/", 1)
        t = self.types_by_href.get(parent)
        if t is None or t.is_singleton or not t.versions.exists_on(self.appliance.firmware):
            raise not_found(href)
        if key == "@order" and t.is_ordered:
            return await self.order(request, s, t)
        return await self.item(request, s, t, key)

    async def collection(self, request: Request, s: Session, t: TypeDef) -> Response:
        href = t.api_path
        if request.method == "POST":
            key = self.appliance.create(s, t, await self.json_body(request), href)
            return JSONResponse(
                {"key": key, "meta": {"href": f"{href}/{key}", "parent": href, "transaction": TRANSACTION}},
                status_code=201,
            )
        if request.method != "GET" or t.is_write_once:
            raise method_not_allowed(href, request.method)
        objs = self.appliance.view(s).get(t.path, {})
        items = [
            {
                "body": render_body(self.catalog, self.hooks, t, body),
                "key": key,
                "meta": {"href": f"{href}/{key}"},
            }
            for key, body in objs.items()
        ]
        links = self.tree.sibling_links(href)
        if t.is_ordered:
            links["order"] = f"{href}/@order"
        return JSONResponse({"items": items, "meta": self.meta(s, href=href, **links)})

    async def singleton(self, request: Request, s: Session, t: TypeDef) -> Response:
        href = t.api_path
        if request.method == "PUT":
            self.appliance.replace(s, t, t.singleton_key, await self.json_body(request), href)
            return JSONResponse(
                {
                    "key": t.singleton_key,
                    "meta": {"href": href, "parent": href.rsplit("/", 1)[0], "transaction": TRANSACTION},
                }
            )
        if request.method != "GET":
            raise method_not_allowed(href, request.method)
        body = self.appliance.view(s)[t.path][t.singleton_key]
        return JSONResponse(
            {
                "body": render_body(self.catalog, self.hooks, t, body),
                "key": t.singleton_key,
                "meta": self.meta(s, href=href, **self.tree.sibling_links(href)),
            }
        )

    async def item(self, request: Request, s: Session, t: TypeDef, key: str) -> Response:
        href = f"{t.api_path}/{key}"
        a = self.appliance
        if request.method == "PUT":
            a.replace(s, t, key, await self.json_body(request), href)
            return JSONResponse({"key": key, "meta": {"href": href, "parent": t.api_path, "transaction": TRANSACTION}})
        if request.method == "DELETE":
            keys = list(a.view(s).get(t.path, {}))
            a.delete(s, t, key, href)
            # [DELETE]: the links place the deleted object among the objects as they were before
            links = item_links(t.api_path, keys, key)
            return JSONResponse({"meta": {"href": href, **links, "transaction": TRANSACTION}})
        if request.method != "GET":
            raise method_not_allowed(href, request.method)
        objs = a.view(s).get(t.path, {})
        if key not in objs:
            raise not_found(href)
        return JSONResponse(
            {
                "body": {} if t.is_write_once else render_body(self.catalog, self.hooks, t, objs[key]),
                "key": key,
                "meta": self.meta(s, href=href, **self.item_links(t, objs, key)),
            }
        )

    @staticmethod
    def item_links(t: TypeDef, objs: Any, key: str) -> dict[str, Any]:
        """Sibling links of an object; a write-once secret's answer links only its collection, as
        first/last/next/previous would reveal the keys of other secrets, which cannot be listed."""
        if t.is_write_once:
            return {"parent": t.api_path}
        return item_links(t.api_path, list(objs), key)

    async def order(self, request: Request, s: Session, t: TypeDef) -> Response:
        href = f"{t.api_path}/@order"
        if request.method == "PUT":
            self.appliance.reorder(s, t, await self.json_body(request), href)
        elif request.method != "GET":
            raise method_not_allowed(href, request.method)
        keys = list(self.appliance.view(s).get(t.path, {}))
        return JSONResponse(
            {"body": {"@order": keys}, "key": "@order", "meta": self.meta(s, href=href, parent=t.api_path)}
        )

    # -- admin (tests and benchmarks only; off unless --admin) ---------------------------
    def current_stats(self) -> dict[str, int | bool]:
        a = self.appliance
        open_tx = [s.user for s in a.sessions.values() if s.tx is not None]
        return {**a.counters.as_dict(), "open_transactions": len(open_tx), "lock_held": a.lock_owner is not None}

    async def stats(self, request: Request) -> Response:
        return JSONResponse(self.current_stats())

    def changed(self) -> None:
        """Wake the /_sim/wait calls to look at the state again (after every request, and when a
        commit starts or a held lock is released)."""
        waiting, self._waiting = self._waiting, []
        for future in waiting:
            if not future.done():
                future.set_result(None)

    async def wait(self, request: Request) -> Response:
        """`?until=<stat>&at_least=<n>&timeout=<seconds>`: answers as soon as that stat of
        /_sim/stats (`lock_held` counts as 0 or 1) is at least n, `{"reached": true, "value": v}`,
        or after the timeout (at most 300 s) with `{"reached": false, ...}`, so a test waits for an
        event of the simulator (a commit started, a transaction open, the lock held) instead of
        sleeping and guessing."""
        query = request.query_params
        name = query.get("until", "")
        if name not in self.current_stats():
            raise syntactic(request.url.path, f"until: not a stat of /_sim/stats: {name!r}")
        try:
            at_least, timeout = int(query.get("at_least", "1")), min(float(query.get("timeout", "60")), 300.0)
        except ValueError as exc:
            raise syntactic(request.url.path, f"at_least and timeout must be numbers ({exc})") from exc
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (value := int(self.current_stats()[name])) < at_least and loop.time() < deadline:
            future: asyncio.Future[None] = loop.create_future()
            self._waiting.append(future)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, deadline - loop.time())
        return JSONResponse({"until": name, "at_least": at_least, "value": value, "reached": value >= at_least})

    async def faults(self, request: Request) -> Response:
        faults = self.appliance.faults
        if request.method == "POST":
            body = await self.json_body(request)
            for name, value in body.items():
                current = getattr(faults, name, None)
                if isinstance(current, float) and isinstance(value, int):
                    value = float(value)
                if current is None or not isinstance(value, type(current)):
                    raise syntactic(request.url.path, f"unknown fault switch or wrong type: {name}")
                setattr(faults, name, value)
        return JSONResponse(dict(faults.__dict__))

    async def hold_lock(self, request: Request) -> Response:
        """{"seconds": T, "user": "webadmin"}: another administrator holds the lock for T seconds."""
        body = await self.json_body(request)
        holder = self.appliance.hold_lock(str(body.get("user", "webadmin")))

        async def release() -> None:
            await asyncio.sleep(float(body.get("seconds", 5)))
            self.appliance.end_session(holder)
            self.changed()

        self._background.add(task := asyncio.get_running_loop().create_task(release()))
        task.add_done_callback(self._background.discard)
        return JSONResponse({"held_by": holder.user})

    async def expire_sessions(self, request: Request) -> Response:
        return JSONResponse({"expired": self.appliance.expire_all_sessions()})

    async def committed(self, request: Request) -> Response:
        return JSONResponse(self.appliance.committed)
