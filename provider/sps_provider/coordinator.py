"""Per-appliance transaction coordinator: every SPS write goes through here.

Terraform calls ApplyResourceChange in parallel (up to -parallelism). Changes that arrive while
a transaction is being prepared join it (group commit): one open, all writes, one commit, and
each caller gets its answer only after the commit that holds its write. A write SPS rejects
fails only its own change. A failed commit is reverted and the group is retried one change per
transaction, so only the guilty change fails. While another session holds the configuration
lock, opening waits with exponential backoff and jitter until `lock_timeout`.

Uncertain outcomes are resolved by reading back, never by blind retries: a POST whose answer
was lost is looked up in the transaction's changelog before it is sent again (no duplicate
objects); a commit whose answer was lost is checked with GET /api/transaction. An expired
session loses its transaction on the appliance, so the whole group is replayed after logging in
again, which cannot duplicate anything.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sps_provider.client import errors

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient

log = logging.getLogger(__name__)

Method = Literal["POST", "PUT", "DELETE"]
UNCERTAIN = (errors.ConnectionFailed, errors.ServerError)
ATTEMPTS = 4


@dataclass(frozen=True)
class Step:
    """One request of a change. `body` may be a function of the results of the earlier steps
    (e.g. an LDAP server that references the password object created just before it).
    `merge(body, current)` gives the body to send from the object as the transaction holds it
    just before the write (a PUT keeps the fields the catalog does not model)."""

    method: Method
    path: str
    body: Any = field(default=None, repr=False)  # may hold a secret (a password object's value)
    merge: Callable[[Any, Any], Any] | None = field(default=None, repr=False, compare=False)

    def body_for(self, results: list[Any]) -> Any:
        return self.body(results) if callable(self.body) else self.body

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Change:
    """The writes of one resource, waiting for the commit that makes them durable. The result
    is the last step's (a POST's is the new key); `partial` marks a change that failed after
    some of its steps were written, which taints the transaction."""

    steps: list[Step]
    results: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    partial: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def result(self) -> Any:
        return self.results[-1] if self.results else None

    def __str__(self) -> str:
        return ", ".join(map(str, self.steps))


class LockTimeout(errors.SpsError):
    """The configuration lock stayed with another session past `lock_timeout`."""


class SessionLost(Exception):
    """The writer session expired mid-transaction: SPS dropped the transaction with it."""


@dataclass(frozen=True)
class Policy:
    group_commit: bool = True
    lock_timeout: float = 300.0
    commit_message: str | None = None
    gather_quiet: float = 0.05
    gather_max: float = 0.5


def _backoff(attempt: int) -> float:
    return float(min(5.0, 0.2 * 2**attempt) * (0.5 + random.random()))


def _contains(whole: Any, part: Any) -> bool:
    """Whether `whole` holds everything in `part` (SPS may add defaults to what we sent)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(_contains(whole.get(k), v) for k, v in part.items())
    return bool(whole == part)


class Coordinator:
    def __init__(self, client: SpsClient, policy: Policy) -> None:
        self.client = client
        self.policy = policy
        self._pending: list[Change] = []
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None

    def submit(self, method: Method, path: str, body: Any = None) -> Any:
        """Run one write inside an SPS transaction; returns its result once committed, or raises."""
        return self.submit_steps([Step(method, path, body)])[-1]

    def submit_steps(self, steps: list[Step]) -> list[Any]:
        """Run several writes, in order, inside one SPS transaction; returns their results."""
        change = Change(list(steps))
        with self._cond:
            self._pending.append(change)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="sps-coordinator", daemon=True)
                self._worker.start()
            self._cond.notify_all()
        change.done.wait()
        if change.error is not None:
            raise change.error
        return change.results

    # -- the worker ------------------------------------------------------------------------
    def _take_batch(self) -> list[Change]:
        with self._cond:
            if not self._pending:
                return []
            if not self.policy.group_commit:
                return [self._pending.pop(0)]
            # Terraform starts ready resources one after another, not at one instant: keep
            # gathering while they still arrive (a quiet gap ends it), within a bounded wait.
            cap = time.monotonic() + self.policy.gather_max
            seen = 0
            while len(self._pending) > seen:
                seen = len(self._pending)
                left = min(self.policy.gather_quiet, cap - time.monotonic())
                if left <= 0:
                    break
                self._cond.wait(left)
            batch, self._pending = self._pending, []
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take_batch()
            if not batch:
                with self._cond:
                    if not self._pending:
                        self._worker = None
                        return
                continue
            try:
                self._commit_group(batch)
            except BaseException as exc:
                for c in batch:
                    if not c.done.is_set():
                        c.error = exc
            finally:
                for c in batch:
                    c.done.set()

    def _commit_group(self, batch: list[Change]) -> None:
        """One transaction for `batch`; replayed from the start if the session was lost."""
        for attempt in range(ATTEMPTS):
            for c in batch:
                c.results, c.error, c.partial = [], None, False
            try:
                self._transaction(batch)
                return
            except SessionLost:
                log.info(
                    "the SPS session expired mid-transaction; logging in again and replaying %d change(s)", len(batch)
                )
                self.client.login()
                time.sleep(_backoff(attempt))
        raise errors.Unauthenticated("the SPS session kept expiring during the transaction; nothing was changed")

    def _transaction(self, batch: list[Change]) -> None:
        log.debug("transaction for %d change(s): %s", len(batch), ", ".join(map(str, batch)))
        try:
            self._open()
        except SessionLost:
            raise
        except errors.SpsError as exc:
            for c in batch:
                c.error = exc
            return
        written = [c for c in batch if self._write(c, claimed={r for w in batch for r in w.results})]
        if any(c.partial for c in batch):
            self._revert()  # a half-written change must not be committed; replay the others without it
            rest = [c for c in batch if c.error is None]
            if rest:
                self._commit_group(rest)
            return
        if not written:
            self._revert()
            return
        try:
            self._commit()
        except errors.SpsError as exc:
            self._revert()
            if len(written) == 1:
                written[0].error = exc
                return
            log.info("group commit of %d changes failed (%s); retrying them one by one", len(written), exc)
            for c in written:
                self._commit_group([c])

    def _write(self, c: Change, claimed: set[Any]) -> bool:
        """Send a change's steps; True when all are in the transaction, False when SPS refused one."""
        for step in c.steps:
            try:
                c.results.append(self._write_step(step, c.results, claimed))
            except errors.SpsError as exc:
                c.error = exc
                c.partial = bool(c.results)
                return False
        return True

    def _write_step(self, step: Step, results: list[Any], claimed: set[Any]) -> Any:
        body = step.body_for(results)
        if step.merge is not None:
            try:
                current = self.client.read_in_transaction(step.path)
            except errors.Unauthenticated as exc:
                raise SessionLost() from exc
            body = step.merge(body, current.get("body") if isinstance(current, dict) else None)
        for attempt in range(ATTEMPTS):
            try:
                return self._send(step, body)
            except errors.Unauthenticated as exc:
                raise SessionLost() from exc
            except UNCERTAIN as exc:
                log.info("%s: answer lost (%s); checking the transaction before retrying", step, exc)
                time.sleep(_backoff(attempt))
                if step.method == "POST":
                    key = self._find_created(step, body, claimed)
                    if key is not None:
                        return key
            except errors.NotFound:
                if step.method == "DELETE" and attempt > 0:
                    return None  # the lost attempt did delete it
                raise
        raise errors.ConnectionFailed(f"{step}: no answer after {ATTEMPTS} attempts")

    def _send(self, step: Step, body: Any) -> Any:
        if step.method == "POST":
            return self.client.post(step.path, body)
        if step.method == "PUT":
            self.client.put(step.path, body)
            return None
        self.client.delete(step.path)
        return None

    def _find_created(self, step: Step, body: Any, claimed: set[Any]) -> str | None:
        """The key of an object this transaction created from `body`, if the lost POST did it."""
        for change in self.client.changes():
            path = str(change.get("path", ""))
            key = path.rsplit("/", 1)[-1]
            if (
                change.get("type") == "create"
                and path.startswith(step.path + "/")
                and key not in claimed
                and _contains(change.get("new_value"), body)
            ):
                return key
        return None

    def _commit(self) -> None:
        for attempt in range(ATTEMPTS):
            try:
                self.client.commit(self.policy.commit_message)
                return
            except errors.Unauthenticated as exc:
                raise SessionLost() from exc
            except UNCERTAIN as exc:
                log.info("commit: answer lost (%s); asking SPS whether it committed", exc)
                time.sleep(_backoff(attempt))
                try:
                    status = self.client.transaction_status()
                except errors.Unauthenticated as lost:
                    raise SessionLost() from lost
                if status == "closed":
                    return
        raise errors.ConnectionFailed(f"commit: no answer after {ATTEMPTS} attempts")

    def _revert(self) -> None:
        try:
            self.client.revert()
        except errors.SpsError as exc:
            log.warning("reverting the transaction failed: %s", exc)

    def _open(self) -> None:
        """Open a transaction, waiting for another session's lock with backoff and jitter."""
        deadline = time.monotonic() + self.policy.lock_timeout
        attempt = 0
        while True:
            try:
                self.client.open_transaction()
                return
            except errors.Unauthenticated as exc:
                raise SessionLost() from exc
            except errors.LockConflict as exc:
                holder = exc.details.get("locked_by") if isinstance(exc.details, dict) else None
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LockTimeout(
                        f"the configuration lock is held by {holder or 'another session'} and was not released "
                        f"within lock_timeout ({self.policy.lock_timeout:g}s); nothing was changed",
                        status=exc.status,
                        error_type=exc.error_type,
                        details=exc.details,
                    ) from exc
                delay = min(left, _backoff(attempt))
                log.info("configuration locked by %s; retrying in %.1fs", holder or "another session", delay)
                time.sleep(delay)
                attempt += 1
