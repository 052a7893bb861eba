"""The HTTP answers of the opaque endpoints (`sps_simulator.opaque`), in the envelopes typed
endpoints answer with: a singleton's `{body, key, meta}`, a collection's `items` (with bodies),
an object's `{body, key, meta}`, a create's 201 `{key, meta}`, a delete's `meta`."""

from __future__ import annotations

from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sps_catalog.endpoints import Endpoint
from sps_simulator.appliance import Appliance
from sps_simulator.errors import method_not_allowed, not_found
from sps_simulator.links import TRANSACTION, Tree, item_links
from sps_simulator.sessions import Session


class Api(Protocol):
    """What these answers use of the simulator's HTTP API (`sps_simulator.app.Api`)."""

    appliance: Appliance
    tree: Tree

    def meta(self, s: Session, **links: Any) -> dict[str, Any]: ...

    async def json_body(self, request: Request) -> Any: ...


async def serve(api: Api, request: Request, s: Session, href: str) -> Response | None:
    """The answer when `href` is an opaque endpoint or one of its objects; None otherwise."""
    opaque = api.appliance.opaque
    e = opaque.get(_relative(href))
    if e is not None:
        return await (singleton(api, request, s, e) if e.is_singleton else collection(api, request, s, e))
    parent, key = href.rsplit("/", 1)
    e = opaque.get(_relative(parent))
    if e is None or not e.is_collection:
        return None
    return await item(api, request, s, e, key)


def _relative(href: str) -> str:
    return href.removeprefix("/api/configuration").strip("/")


async def singleton(api: Api, request: Request, s: Session, e: Endpoint) -> Response:
    href = e.api_path
    a = api.appliance
    if request.method == "PUT":
        a.opaque.replace(a, s, e, e.name, await api.json_body(request), href)
        meta = {"href": href, "parent": href.rsplit("/", 1)[0], "transaction": TRANSACTION}
        return JSONResponse({"key": e.name, "meta": meta})
    if request.method != "GET":
        raise method_not_allowed(href, request.method)
    body = a.view(s)[e.path][e.name]
    return JSONResponse({"body": body, "key": e.name, "meta": api.meta(s, href=href, **api.tree.sibling_links(href))})


async def collection(api: Api, request: Request, s: Session, e: Endpoint) -> Response:
    href = e.api_path
    a = api.appliance
    if request.method == "POST":
        key = a.opaque.create(a, s, e, await api.json_body(request), href)
        return JSONResponse(
            {"key": key, "meta": {"href": f"{href}/{key}", "parent": href, "transaction": TRANSACTION}}, status_code=201
        )
    if request.method != "GET":
        raise method_not_allowed(href, request.method)
    objs = a.view(s).get(e.path, {})
    items = [{"body": body, "key": key, "meta": {"href": f"{href}/{key}"}} for key, body in objs.items()]
    return JSONResponse({"items": items, "meta": api.meta(s, href=href, **api.tree.sibling_links(href))})


async def item(api: Api, request: Request, s: Session, e: Endpoint, key: str) -> Response:
    collection_href = e.api_path
    href = f"{collection_href}/{key}"
    a = api.appliance
    if request.method == "PUT":
        a.opaque.replace(a, s, e, key, await api.json_body(request), href)
        return JSONResponse({"key": key, "meta": {"href": href, "parent": collection_href, "transaction": TRANSACTION}})
    if request.method == "DELETE":
        before = list(a.view(s).get(e.path, {}))
        a.opaque.delete(a, s, e, key, href)
        return JSONResponse({"meta": {**deleted_links(collection_href, before, key), "transaction": TRANSACTION}})
    if request.method != "GET":
        raise method_not_allowed(href, request.method)
    objs = a.view(s).get(e.path, {})
    if key not in objs:
        raise not_found(href)
    links = item_links(collection_href, list(objs), key)
    return JSONResponse({"body": objs[key], "key": key, "meta": api.meta(s, href=href, **links)})


def deleted_links(collection_href: str, before: list[str], key: str) -> dict[str, Any]:
    """The meta of a delete answer ([DELETE]): the deleted object's href, its collection, the
    first and last of what remains, and the neighbours the deleted object had."""
    i = before.index(key)
    remaining = [k for k in before if k != key]
    return {
        "href": f"{collection_href}/{key}",
        "parent": collection_href,
        "first": f"{collection_href}/{remaining[0]}" if remaining else None,
        "last": f"{collection_href}/{remaining[-1]}" if remaining else None,
        "next": f"{collection_href}/{before[i + 1]}" if i + 1 < len(before) else None,
        "previous": f"{collection_href}/{before[i - 1]}" if i > 0 else None,
    }
