"""The endpoints the catalog knows without a type (`catalog/endpoints.yaml`): stored as given.

Their objects live in the same configuration as typed ones, keyed by endpoint path, so a
transaction's candidate, the commit and the SQLite store treat them alike. A write checks only
what the docs let us check: the body's JSON type (an object; a singleton's documented list or
string), that the endpoint is writable on this firmware, that built-ins stay, and that documented
references (`references` in endpoints.yaml) name existing objects; commit checks the references
again over the whole candidate, so deleting a referenced object fails there.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from sps_catalog.endpoints import BODY_PYTHON_TYPES, Endpoint, Endpoints
from sps_simulator.errors import ApiError, method_not_allowed, not_found, semantic, syntactic
from sps_simulator.sessions import Session, Transaction, View
from sps_simulator.store import Config


class Sessions(Protocol):
    """What writes to opaque endpoints use of the appliance (`sps_simulator.appliance.Appliance`):
    a session's view and its write transaction."""

    def view(self, s: Session) -> View: ...

    def write_transaction(self, s: Session, path: str) -> Transaction: ...


WRITE_ONLY_STORED: dict[str, Any] = {}
"""What a write-only singleton (the root password) keeps of a PUT: nothing of the secret."""


class Opaque:
    """The opaque endpoints one firmware has, and the writes to them."""

    def __init__(self, endpoints: Endpoints, firmware: str) -> None:
        self.firmware = firmware
        self.served: dict[str, Endpoint] = {
            e.path: e for e in endpoints.on(firmware) if e.type is None and not e.is_container
        }

    def get(self, path: str) -> Endpoint | None:
        return self.served.get(path)

    def factory(self) -> Config:
        """What a factory appliance holds: each singleton's default, each collection's built-ins."""
        config: Config = {}
        for e in self.served.values():
            if e.is_singleton:
                config[e.path] = {e.name: copy.deepcopy(e.default)}
            else:
                config[e.path] = {b.key: copy.deepcopy(dict(b.body)) for b in e.builtins}
        return config

    def fill(self, committed: Config) -> None:
        """Add what a store made before an endpoint was served lacks (its factory state)."""
        for path, objs in self.factory().items():
            held = committed.setdefault(path, {})
            for key, body in objs.items():
                held.setdefault(key, body)

    # -- writes --------------------------------------------------------------------------
    def check(self, e: Endpoint, body: Any, config: Mapping[str, Mapping[str, Any]], href: str) -> None:
        wanted = BODY_PYTHON_TYPES[e.body] if e.is_singleton else dict
        if not isinstance(body, wanted):
            raise syntactic(href, f"The request body must be a JSON {e.body if e.is_singleton else 'object'}.")
        problems = [
            {"path": f"{href}: {field}", "message": message} for field, message in reference_problems(e, body, config)
        ]
        if problems:
            raise semantic(href, f"Invalid body: {problems[0]['path']} {problems[0]['message']}", problems)

    def require_writable(self, e: Endpoint, href: str, method: str) -> None:
        if not e.writable or (e.is_singleton and method in ("POST", "DELETE")):
            raise method_not_allowed(href, method)
        if not e.versions.writable_on(self.firmware):
            raise ApiError(
                405,
                "MethodNotAllowed",
                f"{e.api_path} is read-only over REST on SPS {self.firmware}; use the web interface.",
                {"path": href},
            )

    def create(self, appliance: Sessions, s: Session, e: Endpoint, body: Any, href: str) -> str:
        if not e.is_collection:
            raise method_not_allowed(href, "POST")
        self.require_writable(e, href, "POST")
        tx = appliance.write_transaction(s, href)
        self.check(e, body, tx.candidate, href)
        key = str(uuid.uuid4())
        tx.candidate[e.path][key] = body
        tx.changes.append({"type": "create", "path": f"{e.api_path}/{key}", "new_value": body})
        return key

    def replace(self, appliance: Sessions, s: Session, e: Endpoint, key: str, body: Any, href: str) -> None:
        self.require_writable(e, href, "PUT")
        if key not in appliance.view(s).get(e.path, {}):
            raise not_found(href)
        tx = appliance.write_transaction(s, href)
        self.check(e, body, tx.candidate, href)
        stored = WRITE_ONLY_STORED if e.write_only else body
        old = tx.candidate[e.path][key]
        tx.candidate[e.path][key] = stored
        tx.changes.append({"type": "replace", "path": href, "old_value": old, "new_value": stored})

    def delete(self, appliance: Sessions, s: Session, e: Endpoint, key: str, href: str) -> None:
        self.require_writable(e, href, "DELETE")
        if key not in appliance.view(s).get(e.path, {}):
            raise not_found(href)
        if key in {b.key for b in e.builtins}:
            raise semantic(href, f"{key} is a built-in object of {e.api_path}; built-in objects cannot be deleted.")
        tx = appliance.write_transaction(s, href)
        old = tx.candidate[e.path].pop(key)
        tx.changes.append({"type": "delete", "path": href, "old_value": old})

    def integrity(self, candidate: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
        """Checked at commit: every documented reference of every opaque object still resolves."""
        return [
            {"path": f"{e.api_path}/{key}" if e.is_collection else e.api_path, "message": f"{field}: {message}"}
            for e in self.served.values()
            if e.references
            for key, body in candidate.get(e.path, {}).items()
            for field, message in reference_problems(e, body, candidate)
        ]


def reference_problems(e: Endpoint, body: Any, config: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str]]:
    """(field, why) for each documented reference in `body` that names no object. A field that
    is absent, null or not a string (e.g. a list of keys) is not checked."""
    for field, target in e.references.items():
        value = _dotted(body, field)
        if isinstance(value, str) and value not in config.get(target, {}):
            yield field, f"references {value!r}, but /api/configuration/{target} has no object with that key"


def _dotted(body: Any, field: str) -> Any:
    for step in field.split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(step)
    return body
