"""The generic resources `sps_object` (an object of any collection) and `sps_settings` (any
singleton), and the `sps_object` data source: one engine for every endpoint no typed resource manages.

create = POST (settings: PUT, adopting the appliance's object); read = GET, 404 -> gone; update =
PUT of the appliance's current body (read inside the transaction) with the configured body laid
over it, so what the body does not name is never deleted; delete = DELETE (settings: forget, with
a warning). Every write goes through the call's slot of the group commit like the typed ones.
What the paths and bodies may be, and how bodies compare, is `sps_catalog.generic`.

With `catalog_validation = false` a path the catalog does not know (a newer firmware's endpoint)
is accepted at validate when its spelling is sound and it lies in no secret, and checked at plan
against the appliance (`check_live`): every level below the deepest known container must list the
next, and the endpoint's own answer decides its kind. It then runs through the same engine as a
known opaque endpoint, as an endpoint without references or firmware range (`generic.discovered`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sps_catalog.endpoints import Endpoint, load_endpoints
from sps_catalog.generic import (
    CATALOG_VALIDATION,
    RESOURCE_TYPES,
    SHAPES,
    GenericKind,
    body_state,
    canonical,
    discovered,
    endpoint_for,
    firmware_problem,
    live_kind,
    normalized,
    parse_body,
    path_problem,
    planned_body,
)
from sps_catalog.keys import item_path, key_problem
from sps_catalog.unknown_fields import overlay
from sps_catalog.values import UNKNOWN
from sps_provider.client import errors
from sps_provider.coordinator.changes import Step
from sps_provider.engine.attrs import KEY_DESCRIPTION, object_type
from sps_provider.engine.firmware_gate import Target
from sps_provider.engine.referrers import delete_when_released
from sps_provider.engine.resource import Plan
from sps_provider.protocol.cty import CtyType, Unencodable, dotted
from sps_provider.protocol.diagnostics import Diagnostics
from sps_provider.protocol.schema import Attr

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient
    from sps_provider.coordinator.group_commit import Slot
    from sps_provider.engine.refresh import RefreshReader

PATH, BODY, KEY, NAME = "path", "body", "key", "name"
SHOWN = 10
"""How many of a listing's names an error about an unlisted endpoint shows."""


@dataclass(frozen=True)
class Listing:
    """An endpoint as the refresh snapshots list it (`engine.refresh.Listed`): a generic
    resource's reads are answered from one GET per collection, as a typed resource's are, and
    share the snapshot of a data-source type of the same path."""

    api_path: str
    is_singleton: bool
    singleton_key: str
    title: str
    name_field: str | None = None
    is_write_once: bool = False


_LISTINGS: dict[str, Listing] = {}


def listing(e: Endpoint) -> Listing:
    """`e`'s listing, made once per path (every read and write of a generic resource asks)."""
    found = _LISTINGS.get(e.path)
    if found is None:
        name_field = e.type.name_field if e.type is not None else None
        found = _LISTINGS[e.path] = Listing(e.api_path, e.is_singleton, e.name, e.path, name_field, e.is_write_once)
    return found


BODY_DESCRIPTION = (
    "The body as JSON (`jsonencode({...})`): the fields to manage, by their SPS names; references are "
    "keys (e.g. another resource's `key`). Compared by JSON value: key order and formatting never show "
    "as a change, and fields the appliance holds that the body does not name are kept as they are."
)
DESCRIPTIONS: dict[GenericKind, str] = {
    "object": (
        "An object of any SPS collection no typed resource manages (docs/coverage.md lists them), its body "
        "as JSON. Create POSTs it, update PUTs the appliance's body with the configured fields laid over "
        "it, destroy deletes it. Import ID: `<path>/<key>`."
    ),
    "settings": (
        "Any SPS singleton no typed resource manages (docs/coverage.md lists them), its body as JSON. "
        "Create adopts the appliance's settings (PUT with the configured fields laid over them); destroy "
        "leaves the appliance as it is and only forgets it. Import ID: `<path>`."
    ),
}


CATALOG_VALIDATION_DESCRIPTION = (
    "Whether the path must be an endpoint the provider's catalog knows (default `true`). Set `false` for an "
    "endpoint of a newer firmware the catalog does not know yet: the path is then checked at plan against the "
    "appliance (its container must list it, and its answer must be {shape}), and paths inside secret endpoints "
    "(`passwords`, `private_keys`, ...) stay refused. A path the catalog knows is checked by the catalog whatever "
    "this says. Import sets it to whether the catalog knows the path."
)


def _validation_attr(what: str) -> Attr:
    return Attr(
        name=CATALOG_VALIDATION,
        cty="bool",
        optional=True,
        computed=True,
        description=CATALOG_VALIDATION_DESCRIPTION.format(shape=what),
    )


def catalog_validation(config: Any) -> bool:
    """Whether `config` (a configuration or a state) keeps catalog validation on (unset: on)."""
    return not (isinstance(config, dict) and config.get(CATALOG_VALIDATION) is False)


def _path_attr(kind: GenericKind) -> Attr:
    what = "a collection's path" if kind == "object" else "a singleton's path"
    example = "policies/indexing" if kind == "object" else "management/health_monitoring"
    return Attr(
        name=PATH,
        cty="string",
        required=True,
        requires_replace=True,
        description=f"{what[0].upper()}{what[1:]} below `/api/configuration`, without a leading `/` "
        f'(e.g. `"{example}"`). Changing it replaces the resource.',
    )


class GenericEngine:
    """`sps_object` (kind "object") or `sps_settings` (kind "settings")."""

    version_limited = True  # every path has its firmware range: the plan always reads the version
    schema_version = 0
    caches_validation = True

    def __init__(self, kind: GenericKind) -> None:
        self.kind = kind
        self.resource_type = RESOURCE_TYPES[kind]
        self.description = DESCRIPTIONS[kind]
        body = Attr(name=BODY, cty="string", required=True, description=BODY_DESCRIPTION)
        key = Attr(name=KEY, cty="string", computed=True, description=KEY_DESCRIPTION)
        self.found: set[tuple[str, str]] = set()
        """(appliance URL, path) of unknown endpoints `check_live` found as this resource's shape:
        an appliance's tree does not change under one run, so each is checked once per process."""
        validation = _validation_attr("a collection's" if kind == "object" else "a singleton's")
        self.attrs: tuple[Attr, ...] = (
            (_path_attr(kind), body, key, validation) if kind == "object" else (_path_attr(kind), body, validation)
        )

    @cached_property
    def type(self) -> CtyType:
        return object_type(self.attrs)

    # -- validate / plan -----------------------------------------------------------------
    def endpoint(self, config: Any, diags: Diagnostics) -> Endpoint | None:
        """The endpoint `config`'s path names (one of this resource's shape when the catalog does
        not know it and `catalog_validation` is false), or None (with the reason as an error when
        the path and the flag are known)."""
        path = config.get(PATH) if isinstance(config, dict) else None
        if not isinstance(path, str):
            return None
        if config.get(CATALOG_VALIDATION) is UNKNOWN and load_endpoints().get(path) is None:
            return None  # the flag decides; the plan sees it known
        if problem := path_problem(load_endpoints(), path, self.kind, catalog_validation(config)):
            diags.error(f"{self.resource_type}: cannot manage {path!r}", problem, [PATH])
            return None
        return endpoint_for(load_endpoints(), path, self.kind)

    def validate(self, config: dict[str, Any], diags: Diagnostics, prior: Any = None) -> None:
        e = self.endpoint(config, diags)
        text = config.get(BODY)
        if isinstance(text, str) and (e is not None or config.get(PATH) is UNKNOWN):
            _, problem = parse_body(text, e)
            if problem:
                diags.error(f"Invalid {self.resource_type} configuration", f"body: {problem}", [BODY])

    def plan(self, prior: Any, config: Any, diags: Diagnostics, target: Target | None = None,
             lookups: RefreshReader | None = None, validated: bool = False) -> Plan:  # fmt: skip
        if config is None:
            if prior is not None and target is not None and self.kind == "object":
                self.check_destroy(prior, target, diags)
            return Plan(None, [])
        if not validated:
            self.validate(config, diags, prior)
        text = config.get(BODY)
        body = planned_body(prior.get(BODY), text) if prior is not None else text
        flag = config.get(CATALOG_VALIDATION)
        if flag is None:
            flag = prior.get(CATALOG_VALIDATION) if prior is not None else True
        planned = {PATH: config.get(PATH), BODY: body, CATALOG_VALIDATION: flag}
        if self.kind == "object":
            planned[KEY] = prior.get(KEY) if prior is not None else UNKNOWN
        path = planned[PATH]
        if target is not None and isinstance(path, str) and not diags.has_errors and flag is not UNKNOWN:
            e = load_endpoints().get(path)
            if e is None and lookups is not None:
                self.check_live(path, lookups, target, diags)
            elif (
                e is not None
                and target.firmware is not None
                and (problem := firmware_problem(load_endpoints(), e, target.firmware, self.resource_type))
            ):
                writes = prior is None or planned != prior
                (diags.error if writes else diags.warning)(
                    f"{self.resource_type}: {path} cannot be written on {target.url}", problem, [PATH]
                )
        replace: list[list[str | int]] = [[PATH]] if prior is not None and prior.get(PATH) != path else []
        return Plan(planned, replace)

    def check_live(self, path: str, refresh: RefreshReader, target: Target, diags: Diagnostics) -> None:
        """An endpoint the catalog does not know, against the appliance's tree: from the deepest
        container the catalog knows down, each level must list the next (the levels in between as
        containers, whose items carry no body), and the endpoint must answer as this resource's shape."""
        if (target.url, path) in self.found:
            return
        segments = path.split("/")
        known = max(n for n in range(len(segments)) if load_endpoints().get("/".join(segments[:n])) is not None)
        summary = f"{self.resource_type}: {target.url} has no {self.resource_type.removeprefix('sps_')} at {path!r}"
        try:
            for n in range(known, len(segments)):
                here = discovered("/".join(segments[:n]), "container")
                items = refresh.client.get(here.api_path).get("items")
                listed = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
                if n > known and (not isinstance(items, list) or any(BODY in i for i in listed)):
                    diags.error(summary, f"GET {here.api_path} does not answer as a container.", [PATH])
                    return
                names = [str(i.get(KEY)) for i in listed]
                if segments[n] not in names:
                    shown = ", ".join(repr(name) for name in names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")
                    diags.error(
                        summary,
                        f"The catalog does not know {path!r} ({CATALOG_VALIDATION} = false), and the appliance does "
                        f"not list {segments[n]!r} in GET {here.api_path} (it lists {shown or 'nothing'}). Check the "
                        "path; docs/coverage.md lists the endpoints the catalog knows.",
                        [PATH],
                    )
                    return
            answer = refresh.client.get(discovered(path, "container").api_path)
            kind = live_kind(answer)
            if kind == "collection" and self.is_container(refresh, path, answer["items"]):
                kind = "container"
        except errors.SpsError as exc:
            diags.error(f"{self.resource_type}: cannot check {path!r} on {target.url}", str(exc), [PATH])
            return
        if kind == SHAPES[self.kind]:
            self.found.add((target.url, path))
            return
        shape = {
            "singleton": "a singleton (its GET answers a body)",
            "collection": "a collection (its GET answers items)",
            "container": "a container (its items answer listings of their own), which holds no configuration",
        }.get(str(kind), "neither a singleton nor a collection")
        other = {"singleton": "sps_settings", "collection": "sps_object"}.get(str(kind))
        diags.error(
            f"{self.resource_type}: cannot manage {path!r}",
            f"On {target.url}, {path} is {shape}" + (f": manage it with {other}." if other else "."),
            [PATH],
        )

    @staticmethod
    def is_container(refresh: RefreshReader, path: str, items: list[Any]) -> bool:
        """Whether an unknown endpoint that answered `items` is a container: its items carry no body
        and the first answers with a listing of its own (a 6.x collection's items carry no body
        either, but answer with one)."""
        listed = [i for i in items if isinstance(i, dict)]
        if not listed or any(BODY in i for i in listed):
            return False
        first = refresh.client.get(item_path(discovered(path, "container").api_path, str(listed[0].get(KEY))))
        return live_kind(first) == "collection"

    def check_destroy(self, prior: Any, target: Target, diags: Diagnostics) -> None:
        """Deleting an object the firmware keeps read-only would fail at apply: refused at plan."""
        e = load_endpoints().get(str(prior.get(PATH)))
        if e is None or target.firmware is None or not load_endpoints().exists_on(e.path, target.firmware):
            return
        if not e.writable_on(target.firmware):
            diags.error(
                f"{self.resource_type} cannot be destroyed on this appliance",
                f"{target.url} runs SPS {target.firmware}, where {e.path} is read-only over REST "
                f"({e.versions.describe()}), so deleting {e.path}/{prior.get(KEY)} would fail at apply. To stop "
                "managing it, remove it from the state: a `removed` block with `lifecycle { destroy = false }`, "
                "or `terraform state rm <address>`.",
            )

    # -- apply ---------------------------------------------------------------------------
    def apply(self, slot: Slot, refresh: RefreshReader, prior: Any, planned: Any, config: Any,
              diags: Diagnostics, target: Target | None = None) -> Any:  # fmt: skip
        state = planned if planned is not None else prior
        e = self.endpoint(state, diags) if planned is not None else self.held_endpoint(prior)
        if e is None and planned is None:
            diags.error(
                f"Cannot destroy {self.resource_type} {prior.get(PATH)!r}: the catalog no longer knows the path",
                "Remove it from the state (`terraform state rm <address>`, or a `removed` block with "
                "`lifecycle { destroy = false }`) and delete it in the SPS web interface if it should go.",
                [PATH],
            )
        if e is None:  # refused since the plan: the path was unknown then, or the catalog changed
            return prior
        try:
            if planned is None:
                return self.destroy(slot, refresh, e, prior, diags)
            body, problem = parse_body(planned[BODY], e)
            if problem:  # a body known only now (it held another resource's key at plan)
                diags.error(f"Invalid {self.resource_type} configuration", f"body: {problem}", [BODY])
                return prior
            body = normalized(body, e.references)
            key = prior.get(KEY) if prior is not None and self.kind == "object" else None

            def laid_over(sent: Any, current: Any) -> Any:
                return overlay(normalized(current, e.references), sent)

            if self.kind == "object" and key is None:
                key = str(slot.submit([Step("POST", e.api_path, body)])[-1])
            else:
                slot.submit([Step("PUT", self.object_path(e, key), body, merge=laid_over)])
            held = refresh.client.get(self.object_path(e, key)).get("body")
            refresh.committed(listing(e), key or e.name, held)
            return self.state(e, key, planned[BODY], held, planned.get(CATALOG_VALIDATION))
        except errors.SpsError as exc:
            refresh.invalidate(listing(e))
            self.report(diags, "apply", exc, e, state.get(KEY) if isinstance(state, dict) else None)
            return prior

    def destroy(self, slot: Slot, refresh: RefreshReader, e: Endpoint, prior: Any, diags: Diagnostics) -> None:
        if self.kind == "settings":
            diags.warning(
                f"{self.resource_type} {e.path} removed from Terraform state only",
                f"{e.path} is a singleton on the appliance: destroying it forgets it; the appliance keeps its "
                "current settings.",
            )
            return None
        key = str(prior[KEY])
        delete_when_released(slot, item_path(e.api_path, key))
        refresh.deleted(listing(e), key)
        return None

    @staticmethod
    def object_path(e: Endpoint, key: str | None) -> str:
        return item_path(e.api_path, key) if key is not None and e.is_collection else e.api_path

    def held_endpoint(self, state: Any) -> Endpoint | None:
        """The endpoint of a resource in state: the catalog's, or (catalog validation off) one of
        this resource's shape; None when the catalog no longer knows a path it validated."""
        path = str(state.get(PATH))
        e = load_endpoints().get(path)
        return e if e is not None or catalog_validation(state) else discovered(path, SHAPES[self.kind])

    def state(self, e: Endpoint, key: str | None, text: Any, held: Any, validation: Any) -> dict[str, Any]:
        """The state; `validation` (the configured flag) unset says whether the catalog knows the path."""
        known = load_endpoints().get(e.path) is not None
        out: dict[str, Any] = {
            PATH: e.path,
            BODY: body_state(text, held, e.references),
            CATALOG_VALIDATION: known if validation is None else validation,
        }
        if self.kind == "object":
            out[KEY] = key
        return out

    def report(self, diags: Diagnostics, action: str, exc: errors.SpsError, e: Endpoint, key: Any) -> None:
        """An SPS error as a diagnostic naming the resource type, the object and SPS's error type."""
        where = self.object_path(e, key if isinstance(key, str) else None)
        paths = exc.field_errors()
        summary = f"SPS refused to {action} {self.resource_type} {where}: {exc.error_type or type(exc).__name__}"
        if not paths:
            diags.error(summary, str(exc), [BODY] if isinstance(exc, errors.BadRequest) else None)
        for field, message in paths:
            diags.error(summary, f"body.{field}: {message}\n\n{exc}", [BODY])

    # -- read / import -------------------------------------------------------------------
    def read(self, refresh: RefreshReader, current: Any, diags: Diagnostics) -> Any:
        if current is None:
            return None
        e = self.held_endpoint(current)
        if e is None:
            return current
        key = current.get(KEY) if self.kind == "object" else None
        try:
            held = refresh.get(listing(e), self.object_path(e, key), key or e.name).get("body")
        except errors.NotFound:
            return None
        except errors.SpsError as exc:
            self.report(diags, "read", exc, e, key)
            return current
        return self.state(e, key, current.get(BODY), held, current.get(CATALOG_VALIDATION))

    def import_(self, reader: SpsClient, id: str, diags: Diagnostics) -> Any:
        """ID `<path>/<key>` (objects: the key is the last segment) or `<path>` (settings). Every
        field the appliance holds starts out in `body`; a configuration naming fewer plans no change.
        A path the catalog does not know is imported with `catalog_validation` false (the
        configuration must say so too), and the plan that follows checks it against the appliance."""
        path, key = id.rsplit("/", 1) if self.kind == "object" and "/" in id else (id, None)
        example = "<path>/<key> (policies/indexing/<key>)", "<path> (management/health_monitoring)"
        form = example[0] if self.kind == "object" else example[1]
        if self.kind == "object" and key is None:
            diags.error(f"Cannot import {self.resource_type} {id!r}", f"The import ID is {form}.")
            return None
        if problem := path_problem(load_endpoints(), path, self.kind, catalog_validation=False):
            diags.error(f"Cannot import {self.resource_type} {id!r}", f"{problem}. The import ID is {form}.")
            return None
        if key is not None and (problem := key_problem(key)):
            diags.error(f"Cannot import {self.resource_type}: the key {problem}", f"The import ID is {form}.")
            return None
        e = endpoint_for(load_endpoints(), path, self.kind)
        try:
            held = reader.get(self.object_path(e, key)).get("body")
        except errors.NotFound:
            diags.error(
                f"Cannot import {self.resource_type} {id!r}: no such object",
                f"GET {self.object_path(e, key)} answered 404 NotFound; list the keys with GET {e.api_path}.",
            )
            return None
        except errors.SpsError as exc:
            self.report(diags, "import", exc, e, key)
            return None
        return self.state(e, key, None, held, None)


class GenericDataSource:
    """`data "sps_object"`: any object by `path` and `key` or `name` (its body's `name`), or a
    singleton by `path`; `body` is what the appliance holds, references as keys. With
    `catalog_validation` false, an endpoint the catalog does not know is read too, its kind as
    its GET answers."""

    resource_type = "sps_object"
    description = (
        "Read any SPS object: an object of a collection by `path` and `key` or `name` (the body's `name` "
        "field), or a singleton by `path`. `body` is the object's JSON, references as keys."
    )

    def __init__(self) -> None:
        self.attrs: tuple[Attr, ...] = (
            Attr(
                name=PATH,
                cty="string",
                required=True,
                description="The endpoint's path below `/api/configuration` (a collection or a singleton).",
            ),
            Attr(name=KEY, cty="string", optional=True, computed=True, description="The object's key (collections)."),
            Attr(
                name=NAME,
                cty="string",
                optional=True,
                description="The value of the body's `name` field to find the object by (collections; give "
                "`key` or `name`).",
            ),
            Attr(name=BODY, cty="string", computed=True, description="The object's body as JSON, references as keys."),
            Attr(
                name=CATALOG_VALIDATION,
                cty="bool",
                optional=True,
                description="Whether the path must be an endpoint the provider's catalog knows (default `true`). "
                "`false` reads an endpoint of a newer firmware the catalog does not know yet (not inside a secret "
                "endpoint), its kind as the appliance answers.",
            ),
        )

    @cached_property
    def type(self) -> CtyType:
        return object_type(self.attrs)

    def validate(self, config: dict[str, Any], diags: Diagnostics) -> None:
        path = config.get(PATH)
        e = load_endpoints().get(path) if isinstance(path, str) and path and not path.startswith("/") else None
        problem = path_problem(load_endpoints(), path, "object", False) if isinstance(path, str) and e is None else None
        if isinstance(path, str) and e is None and catalog_validation(config):
            problem = path_problem(load_endpoints(), path, "object")
        if isinstance(path, str) and (problem is not None or (e is not None and e.is_container)):
            diags.error(f"data.{self.resource_type}: cannot read {path!r}", problem or f"{path} is a container", [PATH])
            return
        if e is not None and e.is_collection and config.get(KEY) is None and config.get(NAME) is None:
            diags.error(f"data.{self.resource_type}: give `key` or `name`", f"{path} is a collection.")
        key = config.get(KEY)
        if isinstance(key, str) and (problem := key_problem(key)):
            diags.error(f"data.{self.resource_type}: key {problem}", f"Keys of {path} objects.", [KEY])

    def read(self, reader: SpsClient, config: dict[str, Any], diags: Diagnostics) -> Any:
        self.validate(config, diags)
        if diags.has_errors:
            return None
        key, name = config.get(KEY), config.get(NAME)
        try:
            e = load_endpoints().get(config[PATH]) or self.discover(reader, config, diags)
            if e is None:
                return None
            if not e.is_collection:
                return self.answer(config, None, reader.get(e.api_path).get("body"), e)
            if key is not None:
                held = reader.get(item_path(e.api_path, key)).get("body")
                if name is not None and (not isinstance(held, dict) or held.get(NAME) != name):
                    diags.error(
                        f"data.{self.resource_type}: key and name disagree",
                        f"{e.path}/{key} is not named {name!r}.",
                        [NAME],
                    )
                    return None
                return self.answer(config, key, held, e)
            found = [
                (str(i.get("key")), i.get("body"))
                for i in reader.get(e.api_path).get("items", [])
                if isinstance(i, dict) and isinstance(i.get("body"), dict) and i["body"].get(NAME) == name
            ]
            if len(found) != 1:
                diags.error(
                    f"data.{self.resource_type}: {len(found) or 'no'} object(s) of {e.path} named {name!r}",
                    f"Looked in GET {e.api_path}; names are case-sensitive.",
                    [NAME],
                )
                return None
            return self.answer(config, *found[0], e)
        except errors.NotFound:
            where = discovered(config[PATH], "container").api_path
            where = item_path(where, str(key)) if key is not None else where
            diags.error(
                f"data.{self.resource_type}: no object {config[PATH]}" + (f"/{key}" if key is not None else ""),
                f"GET {where} answered 404 NotFound.",
                [KEY] if key is not None else [PATH],
            )
        except errors.SpsError as exc:
            diags.error(f"SPS refused to read data.{self.resource_type} {config[PATH]}", str(exc))
        return None

    def discover(self, reader: SpsClient, config: dict[str, Any], diags: Diagnostics) -> Endpoint | None:
        """An endpoint the catalog does not know (catalog validation off), of the kind its GET shows."""
        path = config[PATH]
        kind = live_kind(reader.get(discovered(path, "container").api_path))
        if kind is None:
            diags.error(f"data.{self.resource_type}: cannot read {path!r}", f"{path} answers no object.", [PATH])
            return None
        if kind == "collection" and config.get(KEY) is None and config.get(NAME) is None:
            diags.error(f"data.{self.resource_type}: give `key` or `name`", f"{path} is a collection.")
            return None
        return discovered(path, kind)

    @staticmethod
    def answer(config: dict[str, Any], key: str | None, held: Any, e: Endpoint) -> dict[str, Any]:
        return {PATH: e.path, KEY: key, NAME: config.get(NAME), BODY: canonical(normalized(held, e.references))}


def generic_unencodable(diags: Diagnostics, resource_type: str, action: str, exc: Unencodable) -> None:
    """A value SPS holds that Terraform cannot be sent (cty.Unencodable), in a generic resource's state."""
    where = dotted(exc.path)
    diags.error(
        f"Cannot {action} {resource_type}: SPS holds a value of {where} Terraform cannot hold",
        f"{where} {exc.reason}. Correct it on the appliance, then run Terraform again.",
        exc.path,
    )
