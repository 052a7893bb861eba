"""A scripted SPS for the coordinator's unit tests: the appliance's transaction semantics
(pure logic, no HTTP) and clients whose calls can lose their answer, expire the session or
fail at any step.

Semantics kept from SPS (docs/simulator.md): a transaction belongs to a session and holds the
one configuration lock; the first write opens one if none is open; reads in that session see
its candidate; a session that ends takes its transaction with it; a commit is all or nothing
and durable; committing or reverting with no transaction open is a no-op; names are unique per
collection; a write-once collection (passwords) hides its values in the changelog.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

from sps_provider.client import errors

OBJECTS = "/api/configuration/objects"
PASSWORDS = "/api/configuration/passwords"
Config = dict[str, dict[str, Any]]


@dataclass
class Tx:
    candidate: Config
    changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeSps:
    committed: Config
    sessions: dict[int, Tx | None] = field(default_factory=dict)
    lock_owner: int | None = None
    commits: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def login(self) -> int:
        sid = next(self._ids)
        self.sessions[sid] = None
        return sid

    def expire(self, sid: int) -> None:
        self.sessions.pop(sid, None)
        if self.lock_owner == sid:
            self.lock_owner = None

    def _session(self, sid: int, method: str, path: str) -> int:
        if sid not in self.sessions:
            raise errors.Unauthenticated("session expired", status=401, method=method, path=path)
        return sid

    def open(self, sid: int, path: str = "/api/transaction") -> Tx:
        tx = self.sessions[self._session(sid, "POST", path)]
        if tx is not None:
            return tx
        if self.lock_owner is not None:
            raise errors.LockConflict("locked", status=409, details={"locked_by": "webadmin"}, path=path)
        self.lock_owner = sid
        tx = self.sessions[sid] = Tx(copy.deepcopy(self.committed))
        return tx

    def status(self, sid: int) -> str:
        return "open" if self.sessions[self._session(sid, "GET", "/api/transaction")] else "closed"

    def changes(self, sid: int) -> list[dict[str, Any]]:
        tx = self.sessions[self._session(sid, "GET", "/api/transaction/changes")]
        return copy.deepcopy(tx.changes) if tx else []

    def commit(self, sid: int) -> None:
        tx = self.sessions[self._session(sid, "PUT", "/api/transaction")]
        if tx is None:
            return
        self.committed, self.sessions[sid], self.lock_owner = tx.candidate, None, None
        self.commits += 1

    def revert(self, sid: int) -> None:
        self._session(sid, "DELETE", "/api/transaction")
        self.sessions[sid] = None
        if self.lock_owner == sid:
            self.lock_owner = None

    def view(self, sid: int | None) -> Config:
        tx = self.sessions.get(sid) if sid is not None else None
        return tx.candidate if tx else self.committed

    def post(self, sid: int, path: str, body: Any) -> str:
        tx = self.open(self._session(sid, "POST", path), path)
        objs = tx.candidate[path]
        if path == OBJECTS and any(o["name"] == body["name"] for o in objs.values()):
            raise errors.SemanticError(f"{body['name']} already exists", status=400, method="POST", path=path)
        key = f"k{next(self._ids)}"
        objs[key] = copy.deepcopy(body)
        tx.changes.append({"type": "create", "path": f"{path}/{key}", "new_value": {} if path == PASSWORDS else body})
        return key

    def put(self, sid: int, path: str, body: Any) -> None:
        collection, key = path.rsplit("/", 1)
        if key not in self.view(self._session(sid, "PUT", path))[collection]:
            raise errors.NotFound("no such object", status=404, method="PUT", path=path)
        tx = self.open(sid, path)
        tx.candidate[collection][key] = copy.deepcopy(body)
        tx.changes.append({"type": "replace", "path": path, "new_value": body})

    def delete(self, sid: int, path: str) -> None:
        collection, key = path.rsplit("/", 1)
        if key not in self.view(self._session(sid, "DELETE", path))[collection]:
            raise errors.NotFound("no such object", status=404, method="DELETE", path=path)
        tx = self.open(sid, path)
        del tx.candidate[collection][key]
        tx.changes.append({"type": "delete", "path": path})

    def get(self, sid: int | None, path: str) -> Any:
        collection, key = path.rsplit("/", 1)
        objs = self.view(sid).get(collection, {})
        if key not in objs:
            raise errors.NotFound("no such object", status=404, method="GET", path=path)
        return {"key": key, "body": {} if collection == PASSWORDS else copy.deepcopy(objs[key])}


@dataclass(frozen=True)
class Fault:
    """What happens to the `nth` call (1-based) of kind `op`: `lost_after` (done, answer lost),
    `lost_before` (never arrives), `tls_reset` (connection reset during the TLS handshake),
    `expire` (the session ends just before the call), `lock_held` (another administrator holds
    the lock for the next two attempts to open)."""

    kind: str
    op: str
    nth: int = 1

    def __str__(self) -> str:
        return f"{self.kind}@{self.op}#{self.nth}"


@dataclass
class Script:
    """The faults of one scenario, consumed as the calls they name happen."""

    faults: list[Fault]
    counts: dict[str, int] = field(default_factory=dict)

    def take(self, op: str) -> list[str]:
        self.counts[op] = self.counts.get(op, 0) + 1
        return [f.kind for f in self.faults if f.op == op and f.nth == self.counts[op]]


class FakeWriter:
    """The writer session (`SpsClient(relogin=False)` semantics): a 401 is never hidden."""

    def __init__(self, sps: FakeSps, script: Script) -> None:
        self.sps, self.script = sps, script
        self.sid = sps.login()
        self.calls: list[str] = []
        self.holder: int | None = None  # another administrator's session holding the lock
        self.lock_holds = 0

    def _call(self, op: str, fn: Any) -> Any:
        self.calls.append(op)
        kinds = self.script.take(op)
        if "expire" in kinds:
            self.sps.expire(self.sid)
        if op == "open" and self.holder is not None:
            self.lock_holds -= 1
            if self.lock_holds == 0:
                self.sps.expire(self.holder)
                self.holder = None
        if "lock_held" in kinds and self.sps.lock_owner is None:
            self.holder = self.sps.login()
            self.sps.open(self.holder)
            self.lock_holds = 2
        if "lost_before" in kinds:
            raise errors.ConnectionFailed(f"{op}: connection reset before the request arrived")
        if "tls_reset" in kinds:
            raise errors.ConnectionFailed(f"{op}: EOF during the TLS handshake")
        result = fn()
        if "lost_after" in kinds:
            raise errors.ConnectionFailed(f"{op}: connection reset before the answer")
        return result

    def login(self) -> None:
        self.calls.append("login")
        self.sid = self.sps.login()

    def post(self, path: str, body: Any) -> str:
        return str(self._call("write", lambda: self.sps.post(self.sid, path, body)))

    def put(self, path: str, body: Any) -> None:
        self._call("write", lambda: self.sps.put(self.sid, path, body))

    def delete(self, path: str) -> None:
        self._call("write", lambda: self.sps.delete(self.sid, path))

    def open_transaction(self) -> None:
        self._call("open", lambda: self.sps.open(self.sid))

    def commit(self, message: str | None = None) -> None:
        self._call("commit", lambda: self.sps.commit(self.sid))

    def revert(self) -> None:
        self._call("revert", lambda: self.sps.revert(self.sid))

    def changes(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("changes", lambda: self.sps.changes(self.sid))
        return result

    def transaction_status(self) -> str:
        return str(self._call("status", lambda: self.sps.status(self.sid)))

    def read_in_transaction(self, path: str) -> Any:
        return self._call("read_in_tx", lambda: self.sps.get(self._session(), path))

    def _session(self) -> int:
        if self.sid not in self.sps.sessions:
            raise errors.Unauthenticated("session expired", status=401, method="GET")
        return self.sid


class FakeReader:
    """The reader session: sees the committed configuration; its reads can fail (`read` faults)."""

    def __init__(self, sps: FakeSps, script: Script) -> None:
        self.sps, self.script = sps, script

    def get(self, path: str) -> Any:
        if self.script.take("read"):
            raise errors.ConnectionFailed("read: no answer")
        return self.sps.get(None, path)
