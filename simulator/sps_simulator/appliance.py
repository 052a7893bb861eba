"""The appliance's state machine: sessions, the configuration lock, transactions, validation.

All methods run on the server's event loop thread, so no further locking is needed. A session
that holds an open transaction holds the appliance's single configuration lock (shared, on a
real box, with the web UI). Reads inside that session see its candidate configuration; every
other session sees the committed one.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import secrets
import signal
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sps_catalog.endpoints import Endpoints, endpoints_of
from sps_catalog.firmware import DEFAULT_FIRMWARE, fields_on, held_on
from sps_catalog.model import Catalog, TypeDef, Value
from sps_catalog.option_caps import caps, excesses, options_of
from sps_catalog.paths import dotted
from sps_catalog.values import Problem, apply_defaults, validate
from sps_catalog.versions import Versions
from sps_simulator import mend, newer_firmware
from sps_simulator.bruteforce import LoginGuard
from sps_simulator.candidate import Candidate, Overlay
from sps_simulator.errors import ApiError, method_not_allowed, not_found, semantic, syntactic
from sps_simulator.index import Index, reference_fields, references
from sps_simulator.opaque import Opaque
from sps_simulator.overlays import Behaviour, hooks_by_type
from sps_simulator.sessions import Session, Transaction, View
from sps_simulator.store import Config, Delta, Store

SESSION_IDLE_SECONDS = 20 * 60
WRITES_OPEN_TRANSACTIONS = Versions(since="6.9", note="[TX-OLD] 5.7.0, 6.0.x: must POST first; [TX-6.9.3] 6.9.2+")
"""Where the first write opens the transaction itself; before, a write outside one is refused."""
TRANSACTION_BODY = Versions(since="7.5", note="[TX-7.x] doc2256017, [TX-8.0]; old shape up to 7.x doc1959456")
"""Where `GET /api/transaction` answers `{body: {commit_message, status}}`; before, `{transaction: {status}}`."""
ACCOUNTING = "management/accounting"
"""The endpoint whose `require_commitlog` makes every commit need a `commit_message` [TX-7.x] [TX-8.0]."""
REMAINING_SECONDS_SHOWN = 600
"""The most `meta.remaining_seconds` shows: every doc sample has 600 (one 599), while a session
lasts 20 idle minutes [AUTH-7.0.5.1]; how the two relate is not documented (docs/simulator.md)."""


@dataclass
class Faults:
    """Failure injection, off unless asked for (command-line flags, POST /_sim/faults).

    `reject_at_commit`: names of objects whose presence in a commit makes it fail, as a
    commit-time check on a real appliance would. `drop` rules: {"method": "POST", "path":
    "/api/configuration/...", "when": "before"|"after", "count": 1}; the connection is cut before
    the request is handled, or after it was handled but before the answer is sent (a path
    ending in "/" matches every path below it). `expire` rules (same shape): every session ends,
    as on a timeout, just before the matching request is handled or just after it (before its
    answer is sent); with a drop rule for the same request, the answer is lost too.
    """

    latency: float = 0.0
    commit_duration: float = 0.0
    fail_commits: int = 0
    crash_during_commit: bool = False
    reject_at_commit: list[str] = field(default_factory=list)
    drop: list[dict[str, Any]] = field(default_factory=list)
    expire: list[dict[str, Any]] = field(default_factory=list)

    def take_drop(self, method: str, path: str) -> str | None:
        """The `when` of the first matching drop rule (consuming one of its count), if any."""
        return _take(self.drop, method, path)

    def take_expire(self, method: str, path: str) -> str | None:
        """The `when` of the first matching expire rule (consuming one of its count), if any."""
        return _take(self.expire, method, path)


def _take(rules: list[dict[str, Any]], method: str, path: str) -> str | None:
    for rule in rules:
        target = str(rule.get("path", ""))
        matches = path == target or (target.endswith("/") and path.startswith(target))
        if rule.get("method", method) == method and matches and rule.get("count", 1) > 0:
            rule["count"] = rule.get("count", 1) - 1
            return str(rule.get("when", "before"))
    return None


@dataclass
class Counters:
    requests: int = 0
    commits_started: int = 0  # commit requests received while a transaction was open (before commit_duration)
    commits: int = 0
    reverts: int = 0
    failed_commits: int = 0
    logins: int = 0
    failed_logins: int = 0
    dropped: int = 0
    lock_conflicts: int = 0  # attempts to open refused because another session held the lock

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class LoginBlocked(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"login refused for {retry_after}s")
        self.retry_after = retry_after


class Appliance:
    def __init__(
        self,
        catalog: Catalog,
        store: Store,
        users: dict[str, str],
        session_idle_seconds: float = SESSION_IDLE_SECONDS,
        with_samples: bool = True,
        extra_fields: bool = False,
        firmware: str = DEFAULT_FIRMWARE,
        endpoints: Endpoints | None = None,
    ) -> None:
        self.catalog = catalog
        self.endpoints = endpoints if endpoints is not None else endpoints_of(catalog)
        self.opaque = Opaque(self.endpoints, firmware)
        self.hooks = hooks_by_type(catalog)
        self.behaviour = Behaviour()
        self.firmware = firmware
        self._roots = {t.terraform_name: fields_on(t.root, firmware) for t in catalog}
        self.with_samples = with_samples
        self.extra_fields = extra_fields
        self.store = store
        self.users = users
        self.session_idle_seconds = session_idle_seconds
        self.sessions: dict[str, Session] = {}
        self.lock_owner: str | None = None
        self.counters = Counters()
        self.faults = Faults()
        self.login_guard = LoginGuard()
        if not store.is_initialized():
            store.initialize(self.factory_config())
        self.committed: Config = store.load()
        self.opaque.fill(self.committed)
        self.types_by_path = {t.path: t for t in catalog}
        self.mended = self.mend_stored()
        self.set_aside = [self.href(path, key) for path, key in store.set_aside_now]
        self.restore_singletons()
        self.index = Index()
        for t in catalog:
            objs = self.committed.setdefault(t.path, {})
            for key, body in objs.items():
                if extra_fields:  # as a firmware upgrade migrates the stored configuration
                    objs[key] = body = newer_firmware.fill(t, body)
                self.index.add(t, key, body)
                self.take_effect(t, body)

    # -- factory state -------------------------------------------------------------------
    def factory_config(self) -> Config:
        config: Config = {}
        for t in self.catalog:
            objs: dict[str, Any] = {}
            for b in (*t.builtins, *(t.samples if self.with_samples else ())):
                objs[b.key] = copy.deepcopy(dict(b.body))
            if t.is_singleton:
                held = held_on(t.root, copy.deepcopy(dict(t.initial_body or {})), self.firmware)
                objs[t.singleton_key] = t.as_body(held)
            config[t.path] = objs
        return config | self.opaque.factory()

    def href(self, path: str, key: str) -> str:
        t = self.types_by_path.get(path)
        return f"{t.api_path if t else path}/{key}"

    def restore_singletons(self) -> None:
        """A singleton always exists on SPS: one the state lacks (its row set aside, or a type newer
        than the state) starts from its initial body, as on a new state."""
        factory: Config | None = None
        deltas: list[Delta] = []
        for t in self.catalog:
            if t.is_singleton and t.singleton_key not in self.committed.get(t.path, {}):
                factory = factory or self.factory_config()
                body = factory[t.path][t.singleton_key]
                self.committed.setdefault(t.path, {})[t.singleton_key] = body
                deltas.append(Delta(t.path, {t.singleton_key: body}, ()))
        if deltas:
            self.store.save(deltas)

    def mend_stored(self) -> list[str]:
        """Hrefs of the stored objects whose values no answer could carry (`mend.py`: lone
        surrogates, NaN, infinities), now mended in memory and in the store."""
        deltas: list[Delta] = []
        hrefs: list[str] = []
        for path, objs in self.committed.items():
            fixed = {key: mend.mended(body) for key, body in objs.items() if mend.needs_mending(body)}
            if fixed:
                objs.update(fixed)
                deltas.append(Delta(path, fixed, ()))
                hrefs += [self.href(path, key) for key in fixed]
        if deltas:
            self.store.save(deltas)
        return hrefs

    def config_hash(self) -> str:
        """A digest of the committed configuration (`config_hash` of /api/info; 32 hex digits as in the sample)."""
        dump = json.dumps(self.committed, sort_keys=True).encode()
        return hashlib.md5(dump, usedforsecurity=False).hexdigest()

    def builtin_keys(self, t: TypeDef) -> set[str]:
        return {b.key for b in t.builtins}

    def take_effect(self, t: TypeDef, body: Any) -> None:
        """A committed body changes the appliance's behaviour, for the types whose overlay says how."""
        applied = self.hooks[t.terraform_name].applied
        if applied is not None:
            applied(self.behaviour, body)

    # -- sessions ------------------------------------------------------------------------
    def login(self, user: str, password: str, client: str) -> Session | None:
        """A new session, or None for wrong credentials. Raises LoginBlocked while brute-force
        protection refuses this client."""
        guard = self.behaviour.bruteforce_protection
        if guard and (wait := self.login_guard.retry_after(client)):
            self.counters.failed_logins += 1
            raise LoginBlocked(wait)
        expected = self.users.get(user)
        if expected is None or not secrets.compare_digest(expected.encode(), password.encode()):
            self.counters.failed_logins += 1
            if guard:
                self.login_guard.failed(client)
            return None
        self.login_guard.succeeded(client)
        self.counters.logins += 1
        s = Session(sid=secrets.token_hex(20), user=user, last_seen=time.monotonic())
        self.sessions[s.sid] = s
        return s

    def session(self, sid: str | None) -> Session | None:
        self.expire_sessions()
        if sid is None:
            return None
        s = self.sessions.get(sid)
        if s is not None:
            s.last_seen = time.monotonic()
        return s

    def expire_sessions(self) -> None:
        now = time.monotonic()
        for s in list(self.sessions.values()):
            if now - s.last_seen > self.session_idle_seconds:
                self.end_session(s)

    def remaining_seconds(self, s: Session) -> int:
        left = self.session_idle_seconds - (time.monotonic() - s.last_seen)
        return max(0, min(REMAINING_SECONDS_SHOWN, int(left)))

    # -- transactions --------------------------------------------------------------------
    def lock_error(self, path: str) -> ApiError:
        owner = self.sessions.get(self.lock_owner or "")
        who = owner.user if owner else "another session"
        return ApiError(
            409,
            "ConfigurationLocked",
            f"The configuration is locked by {who}; another administrator is changing it.",
            {"path": path, "locked_by": who},
        )

    def open(self, s: Session, path: str = "/api/transaction") -> Transaction:
        if s.tx is not None:
            return s.tx
        if self.lock_owner is not None and self.lock_owner != s.sid:
            self.counters.lock_conflicts += 1
            raise self.lock_error(path)
        self.lock_owner = s.sid
        s.tx = Transaction(candidate=Candidate(self.committed))
        return s.tx

    def write_transaction(self, s: Session, path: str) -> Transaction:
        """The transaction a write goes into: from 6.9 on the first write opens one [TX-6.9.3];
        before, a write outside an open transaction is refused [TX-OLD]."""
        if s.tx is None and not WRITES_OPEN_TRANSACTIONS.exists_on(self.firmware):
            raise semantic(
                path,
                f"No transaction is open: before changing anything on SPS {self.firmware}, POST /api/transaction.",
            )
        return self.open(s, path)

    def revert(self, s: Session) -> None:
        if s.tx is not None:
            s.tx = None
            self.counters.reverts += 1
        if self.lock_owner == s.sid:
            self.lock_owner = None

    def commit_message_required(self) -> bool:
        """Whether the committed accounting settings require a commit message (`require_commitlog`,
        where this firmware serves them)."""
        if self.opaque.get(ACCOUNTING) is None:
            return False
        settings = self.committed.get(ACCOUNTING, {}).get(ACCOUNTING.rsplit("/", 1)[-1])
        return isinstance(settings, dict) and settings.get("require_commitlog") is True

    def commit(self, s: Session, message: str | None = None) -> None:
        tx = s.tx
        if tx is None:
            return
        if not (message and message.strip()) and self.commit_message_required():
            raise semantic(
                "/api/transaction",
                f"A commit message is required (require_commitlog is set in /api/configuration/{ACCOUNTING}): "
                'PUT {"status": "commit", "commit_message": "<why>"}.',
            )
        changed = tx.candidate.changed()
        problems = self.check_integrity(tx.candidate)
        problems += [
            {
                "path": f"/api/configuration/{path}/{key}",
                "message": f"{body.get('name')!r} is refused at commit (fault switch)",
            }
            for path, overlay in changed.items()
            for key, body in overlay.written.items()
            if isinstance(body, dict) and body.get("name") in self.faults.reject_at_commit
        ]
        if self.faults.fail_commits > 0:
            self.faults.fail_commits -= 1
            problems = [{"path": "/api/transaction", "message": "injected commit failure (simulator fault switch)"}]
        if problems:
            self.counters.failed_commits += 1
            raise semantic("/api/transaction", "The configuration is invalid; commit refused.", problems)
        crash = self.faults.crash_during_commit
        self.store.save([o.delta(path) for path, o in changed.items()], midway=_sigkill_self if crash else None)
        for path, overlay in changed.items():
            t = self.types_by_path.get(path)  # None: an opaque endpoint, neither indexed nor in effect
            if t is not None:
                for key in overlay.deleted | (overlay.written.keys() & overlay.base.keys()):
                    self.index.remove(t, key, overlay.base[key])
                for key, body in overlay.written.items():
                    self.index.add(t, key, body)
                    self.take_effect(t, body)
            overlay.apply()
        self.counters.commits += 1
        s.tx = None
        self.lock_owner = None

    def hold_lock(self, user: str) -> Session:
        """Another administrator (e.g. in the web UI) takes the configuration lock."""
        s = Session(sid=secrets.token_hex(20), user=user, last_seen=time.monotonic())
        self.sessions[s.sid] = s
        self.open(s)
        return s

    def end_session(self, s: Session) -> None:
        self.revert(s)
        self.sessions.pop(s.sid, None)

    def expire_all_sessions(self) -> int:
        """Every session ends now, as on a timeout: open transactions are reverted."""
        count = len(self.sessions)
        for s in list(self.sessions.values()):
            self.end_session(s)
        return count

    def view(self, s: Session) -> View:
        return s.tx.candidate if s.tx is not None else self.committed

    # -- objects -------------------------------------------------------------------------
    def check_body(self, t: TypeDef, body: Any, config: View, path: str, own_key: str | None) -> Any:
        """Validate a request body for type `t`; returns it with documented defaults applied. A
        bare-value body (a time zone name) is checked as the object of its type's one field."""
        if t.value_body is not None:
            return t.as_body(self.check_object(t, t.as_object(body), config, path, own_key))
        return self.check_object(t, body, config, path, own_key)

    def check_object(self, t: TypeDef, body: Any, config: View, path: str, own_key: str | None) -> Any:
        if not isinstance(body, dict):
            raise syntactic(path, "The request body must be a JSON object.")
        before_write = self.hooks[t.terraform_name].before_write
        if before_write is not None:
            body = before_write(body)
        if t.is_typed:
            held, newer = body, list[Problem]()
            if self.extra_fields:
                body, newer = newer_firmware.split(t, body)
                newer = newer if own_key is not None else []  # a POST gets the defaults
            root = self._roots[t.terraform_name]  # the fields this firmware has
            body = apply_defaults(root, body)

            def ref_check(spec: Value, key: str, _at: tuple[str | int, ...]) -> str | None:
                problem = self.reference_problem(config, spec, key)
                target = self.catalog[spec.target or ""]
                if problem is None and target.is_write_once:
                    others = [r for r in self.referrers(config, target, key) if r != path]
                    if others:
                        return f"{target.title.lower()} {key} is already used by {others[0]}; it can be referenced once"
                return problem

            problems = newer + validate(root, body, allow_unknown_fields=t.partly_documented, reference_check=ref_check)
            if problems:
                kind = "SyntacticError" if all(p.is_type_error for p in problems) else "SemanticError"
                raise ApiError(
                    400,
                    kind,
                    f"Invalid {t.title.lower()}: {problems[0]}",
                    {"path": path, "errors": problems_as_details(problems)},
                )
            if self.extra_fields:
                body = newer_firmware.fill(t, apply_defaults(root, held))
        elif t.name_field and t.name_field in body:
            name = body[t.name_field]
            if not isinstance(name, str) or not name or any(c.isspace() for c in name):
                raise semantic(path, f"{t.name_field}: must be a string without whitespace")
        if t.name_field and not t.is_singleton:
            name = body.get(t.name_field)
            for key in self.keys_named(config, t, name):
                if key != own_key:
                    raise semantic(path, f"{t.name_field}: a {t.title.lower()} named {name!r} already exists ({key})")
        return body

    def _require_writable(self, t: TypeDef, path: str, method: str) -> None:
        if not t.rest_writable or (t.is_write_once and method != "POST"):
            raise method_not_allowed(path, method)
        if not t.versions.writable_on(self.firmware):
            raise ApiError(
                405,
                "MethodNotAllowed",
                f"{t.title} objects are read-only over REST on SPS {self.firmware}; use the web interface.",
                {"path": path},
            )

    def create(self, s: Session, t: TypeDef, body: Any, path: str) -> str:
        self._require_writable(t, path, "POST")
        if t.is_singleton:
            raise method_not_allowed(path, "POST")
        tx = self.write_transaction(s, path)
        body = self.check_body(t, body, tx.candidate, path, None)
        if t.is_write_once:  # keep a digest only: the secret itself never rests on the appliance
            body = {"sha256": hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()}
        key = str(uuid.uuid4())
        tx.candidate[t.path][key] = body
        shown = {} if t.is_write_once else body
        tx.changes.append({"type": "create", "path": f"{t.api_path}/{key}", "new_value": shown})
        return key

    def replace(self, s: Session, t: TypeDef, key: str, body: Any, path: str) -> None:
        self._require_writable(t, path, "PUT")
        if key not in self.view(s).get(t.path, {}):
            raise not_found(path)
        tx = self.write_transaction(s, path)
        body = self.check_body(t, body, tx.candidate, path, key)
        old = tx.candidate[t.path][key]
        tx.candidate[t.path][key] = body
        tx.changes.append({"type": "replace", "path": path, "old_value": old, "new_value": body})

    def delete(self, s: Session, t: TypeDef, key: str, path: str) -> None:
        self._require_writable(t, path, "DELETE")
        if t.is_singleton:
            raise method_not_allowed(path, "DELETE")
        if key not in self.view(s).get(t.path, {}):
            raise not_found(path)
        if key in self.builtin_keys(t):
            raise semantic(path, f"{key} is a built-in {t.title.lower()}; built-in objects cannot be deleted.")
        users = self.referrers(self.view(s), t, key)
        if users:
            raise ApiError(
                400,
                "SemanticError",
                f"The {t.title.lower()} {key} is used by {', '.join(users)}; remove those references first.",
                {"path": path, "referrers": users},
            )
        tx = self.write_transaction(s, path)
        old = tx.candidate[t.path].pop(key)
        tx.changes.append({"type": "delete", "path": path, "old_value": old})

    def reorder(self, s: Session, t: TypeDef, body: Any, path: str) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("@order"), list):
            raise syntactic(path, 'The request body must be {"@order": [<key>, ...]}.')
        new_order = body["@order"]
        current = list(self.view(s).get(t.path, {}))
        if sorted(new_order) != sorted(current) or len(set(new_order)) != len(new_order):
            raise semantic(path, "@order must list every existing key exactly once.")
        tx = self.write_transaction(s, path)
        tx.candidate[t.path].reorder(new_order)
        tx.changes.append({"type": "reorder", "path": path, "old_order": current, "new_order": new_order})

    def keys_named(self, config: View, t: TypeDef, name: Any) -> list[str]:
        """Keys of the objects in `t`'s collection named `name` (none for a null name)."""
        if name is None:
            return []
        objs = config.get(t.path, {})
        if not isinstance(name, str):
            return [key for key, other in objs.items() if other.get(t.name_field) == name]
        keys = [key for key in self.index.named(t.path, name) if key in objs]
        if isinstance(objs, Overlay):
            keys = [k for k in keys if k not in objs.written]
            keys += [k for k, body in objs.written.items() if body.get(t.name_field) == name]
        return keys

    def referrers(self, config: View, target: TypeDef, key: str) -> list[str]:
        """Hrefs of the objects in `config` that reference `key` of type `target`."""
        wanted = (target.terraform_name, key)
        out: list[str] = []
        overlays = config.overlays if isinstance(config, Candidate) else {}
        for path, okey in self.index.referrers(*wanted):
            overlay = overlays.get(path)
            if overlay is None or not overlay.shadows(okey):
                out.append(f"{self.types_by_path[path].api_path}/{okey}")
        for path, overlay in overlays.items():
            if (t := self.types_by_path.get(path)) is None:
                continue
            out += [f"{t.api_path}/{okey}" for okey, body in overlay.written.items() if wanted in references(t, body)]
        return out

    def reference_problem(self, config: View, spec: Value, key: str) -> str | None:
        """Why a reference does not resolve on this configuration, or None when it does."""
        target = self.catalog[spec.target or ""]
        resolve = self.hooks[target.terraform_name].reference_problem
        if spec.is_inner_reference and resolve is not None:
            return resolve(key, config.get(target.path, {}).get)
        if key not in config.get(target.path, {}):
            return f"references {key!r}, but no {target.title.lower()} has that key ({target.api_path})"
        return None

    def check_integrity(self, candidate: Candidate) -> list[dict[str, str]]:
        """Checks run at commit: every reference resolves. Deletions were refused while referenced,
        so only the written objects need checking, unless a type referenced inside its objects
        (the NICs' addresses) changed: then every object is."""
        changed = {path: o for path, o in candidate.changed().items() if path in self.types_by_path}
        if any(self.hooks[self.types_by_path[path].terraform_name].reference_problem for path in changed):
            bodies = ((t, key, body) for t in self.catalog for key, body in candidate.get(t.path, {}).items())
        else:
            bodies = (
                (self.types_by_path[path], key, body)
                for path, overlay in changed.items()
                for key, body in overlay.written.items()
            )
        problems: list[dict[str, str]] = []
        for t, okey, body in bodies:
            if not t.is_typed:
                continue
            for spec, ref in reference_fields(t.root, t.as_object(body)):
                if self.reference_problem(candidate, spec, ref) is not None:
                    problems.append({"path": f"{t.api_path}/{okey}", "message": f"dangling reference {ref!r}"})
        return problems + self.cap_problems(candidate) + self.opaque.integrity(candidate)

    def cap_problems(self, candidate: Candidate) -> list[dict[str, str]]:
        """Checked at commit: values capped by their protocol's global options (option_caps) do not
        exceed them, when either side changed in this transaction."""
        changed = candidate.changed()
        problems: list[dict[str, str]] = []
        for t in self.catalog:
            options = options_of(t, self.catalog) if caps(t) else None
            if options is None or not (t.path in changed or options.path in changed):
                continue
            options_body = candidate[options.path].get(options.singleton_key)
            for key, body in candidate.get(t.path, {}).items():
                problems += [
                    {
                        "path": f"{t.api_path}/{key}",
                        "message": f"{dotted(e.cap.field_path)} is {e.value}, more than the global "
                        f"{dotted(e.cap.option_path)} of {options.api_path} ({e.limit})",
                    }
                    for e in excesses(t, body, options_body)
                ]
        return problems


def _sigkill_self() -> None:
    """The crash_during_commit fault: die in the middle of writing the new configuration."""
    os.kill(os.getpid(), signal.SIGKILL)


def problems_as_details(problems: list[Problem]) -> list[dict[str, str]]:
    return [{"path": p.dotted(), "message": p.message} for p in problems]
