"""One batch of changes as one SPS transaction: open, write, commit, and where an answer was lost,
read back, revert and replay.

A write SPS rejects fails only its own change. A failed commit is reverted and the batch is
retried one change per transaction, so only the guilty change fails. While another session holds
the configuration lock, opening waits with exponential backoff and jitter until `lock_timeout`.

Uncertain outcomes are resolved by reading back, never by blind retries: a POST whose answer
was lost is looked up in the transaction's changelog before it is sent again (no duplicate
objects); a commit whose answer was lost is checked with GET /api/transaction and, when the
writer session cannot answer, by reading the committed configuration through the reader
session (`read_back`). An outcome nothing can establish is reported as unknown, never guessed.
The writer session is never replaced silently: a 401 on it is `SessionLost` (SPS dropped the
transaction with the session), and the whole batch is replayed in a new transaction after a new
login. The writer session never holds a transaction it does not know about: a lost answer to
opening is checked, a revert that failed is repeated before the next open and on close().
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any, Protocol

from sps_provider.client import errors
from sps_provider.coordinator import read_back
from sps_provider.coordinator.changes import Change, Step
from sps_provider.coordinator.outcomes import STOPPED, LockTimeout, OutcomeUnknown, SessionLost, Stopped
from sps_provider.coordinator.policy import Policy

log = logging.getLogger(__name__)

UNCERTAIN = (errors.ConnectionFailed, errors.ServerError)
ATTEMPTS = 4


class Writer(Protocol):
    """The writer session (`SpsClient(relogin=False)`): a 401 on it raises Unauthenticated."""

    def login(self) -> None: ...
    def post(self, path: str, body: Any) -> str: ...
    def put(self, path: str, body: Any) -> None: ...
    def delete(self, path: str) -> None: ...
    def open_transaction(self) -> None: ...
    def commit(self, message: str | None = None) -> None: ...
    def revert(self) -> None: ...
    def changes(self) -> list[dict[str, Any]]: ...
    def transaction_status(self) -> str: ...
    def read_in_transaction(self, path: str) -> Any: ...


class Transactions:
    """The writer session of one appliance, one batch at a time. `last_commit`: seconds the last
    successful commit took (`policy.commit_estimate` until one is measured)."""

    def __init__(self, client: Writer, policy: Policy, reader: read_back.Reader, name: str = "") -> None:
        self.client = client
        self.reader = reader
        self.policy = policy
        self.name = name  # the appliance, for the log
        self.last_commit = policy.commit_estimate
        self._tx_lock = threading.Lock()  # one batch at a time on the writer session, and close()
        self._stop = threading.Event()
        self._held = False  # the writer session may hold a transaction (opened, not yet committed or reverted)
        self._lock_waited = 0.0  # seconds this process waited for the lock: one lock_timeout budget

    def run(self, batch: list[Change]) -> None:
        """Commit `batch` in one transaction (replayed from the start if the session was lost).
        Each change ends with its results or its `error`; raises when the whole batch failed
        (Stopped before it started, the session expiring on every attempt)."""
        with self._tx_lock:
            if self._stop.is_set():
                raise Stopped(STOPPED)
            self._replayed(batch)

    def stop(self) -> None:
        """StopProvider: lock waits and batches that have written nothing end at once with
        Stopped; a batch that has written finishes (commit) or reverts."""
        self._stop.set()

    def close(self, timeout: float) -> bool:
        """Shutdown or exit: revert any transaction the writer session still holds, retrying
        (e.g. through a network outage) until `timeout`. True when none is left. A batch still
        running past `timeout` is left alone: reverting under it would make its commit answer
        200 with nothing in it, and the batch report as committed what was not."""
        self.stop()
        deadline = time.monotonic() + timeout
        if not self._tx_lock.acquire(timeout=max(0.0, timeout)):
            log.error("a transaction group is still running; its transaction is left to SPS's session timeout")
            return False
        try:
            attempt = 0
            while self._held and not self._revert():
                left = deadline - time.monotonic()
                if left <= 0:
                    log.error("the SPS transaction of this provider could not be reverted; SPS drops it when the "
                              "session times out")  # fmt: skip
                    return False
                time.sleep(min(left, self._delay(attempt)))
                attempt += 1
            return True
        finally:
            self._tx_lock.release()

    def _delay(self, attempt: int) -> float:
        base = self.policy.backoff
        return float(min(25 * base, base * 2**attempt) * (0.5 + random.random()))

    def _replayed(self, batch: list[Change]) -> None:
        """One transaction for `batch`; replayed from the start if the session was lost."""
        for attempt in range(ATTEMPTS):
            for c in batch:
                c.results, c.error, c.partial = [], None, False
            try:
                self._transaction(batch)
                return
            except SessionLost:
                self._held = False  # SPS ended the session and its transaction with it
                log.info(
                    "the SPS session expired mid-transaction; logging in again and replaying %d change(s)", len(batch)
                )
                time.sleep(self._delay(attempt))
                self.client.login()
        raise errors.Unauthenticated("the SPS session kept expiring during the transaction; nothing was changed")

    def _transaction(self, batch: list[Change]) -> None:
        log.debug("transaction for %d change(s) on %s: %s", len(batch), self.name, ", ".join(map(str, batch)))
        try:
            self._open()
        except SessionLost:
            raise
        except errors.SpsError as exc:
            for c in batch:
                c.error = exc
            return
        written = self._write_all(batch)
        if any(c.partial for c in batch):
            # A half-written change must not be committed: revert, and replay the others without
            # it. A write whose answer was lost and could not be found is sent again after the
            # revert, which removed whatever it did (a bounded number of times).
            self._revert()
            for c in batch:
                if isinstance(c.error, UNCERTAIN) and c.replays < ATTEMPTS:
                    c.replays += 1
                    c.error = None
            rest = [c for c in batch if c.error is None]
            if rest:
                self._replayed(rest)
            return
        if not written:
            self._revert()
            return
        try:
            self._commit(written)
        except OutcomeUnknown as exc:
            self._revert()  # if the commit was not made, the transaction must not keep the lock
            for c in written:
                seen = "; ".join(read_back.where(s, r) for s, r in zip(c.steps, c.results, strict=False))
                c.error = OutcomeUnknown(f"{exc.message}. This change may be on the appliance: check {seen}")
        except errors.ConnectionFailed as exc:
            self._revert()  # no answer, and SPS said it was not committed: nothing to blame a change for
            for c in written:
                c.error = exc
        except errors.SpsError as exc:
            self._revert()
            if len(written) == 1:
                written[0].error = exc
                return
            log.info("group commit of %d changes failed (%s); retrying them one by one", len(written), exc)
            for c in written:
                self._replayed([c])

    def _write_all(self, batch: list[Change]) -> list[Change]:
        """Write the changes of `batch`, deletions last; the changes whose writes all succeeded.

        A deletion SPS refuses (400: the object is still referenced) is tried again once other
        changes of this transaction went in: with keys written as literals Terraform sees no
        dependency and sends re-pointings or the referrers' deletions alongside, in any order."""
        deletes_last = sorted(batch, key=lambda c: c.is_delete)
        written = [c for c in deletes_last if self._write(c, batch)]
        refused = [c for c in batch if c.is_delete and isinstance(c.error, errors.BadRequest) and not c.partial]
        while refused and written:
            for c in refused:
                c.error = None
            progress = [c for c in refused if self._write(c, batch)]
            if not progress:
                break
            written += progress
            refused = [c for c in refused if c.error is not None]
        return written

    def _write(self, c: Change, batch: list[Change]) -> bool:
        """Send a change's steps; True when all are in the transaction, False when one failed."""
        for step in c.steps:
            claimed = {r for w in batch for r in w.results}  # keys this transaction already accounts for
            try:
                c.results.append(self._write_step(step, c.results, claimed))
                if step.on_result is not None:
                    step.on_result(c.results[-1])
            except errors.SpsError as exc:
                c.error = exc
                c.partial = bool(c.results) or isinstance(exc, UNCERTAIN)
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
                if attempt + 1 == ATTEMPTS:
                    raise errors.ConnectionFailed(
                        f"{step}: no answer after {ATTEMPTS} attempts; not committed", method=step.method,
                        path=step.path,
                    ) from exc  # fmt: skip
                log.info("%s: answer lost (%s); checking the transaction before retrying", step, exc)
                time.sleep(self._delay(attempt))
                if step.method == "POST":
                    key = self._find_created(step, body, claimed)
                    if key is not None:
                        return key
            except errors.NotFound:
                if step.method == "DELETE" and attempt > 0:
                    return None  # the lost attempt did delete it
                raise
        raise AssertionError("unreachable")

    def _send(self, step: Step, body: Any) -> Any:
        if step.method == "POST":
            return self.client.post(step.path, body)
        if step.method == "PUT":
            self.client.put(step.path, body)
            return None
        self.client.delete(step.path)
        return None

    def _find_created(self, step: Step, body: Any, claimed: set[Any]) -> str | None:
        """The key of an object the lost POST created, if it did. Writes are sent one at a time
        and every answered POST's key is claimed, so an unclaimed create under the collection
        can only be the lost one's; its value must match what was sent unless SPS hides it (a
        write-once secret such as a password object shows no value in the changelog)."""
        try:
            changes = self.client.changes()
        except errors.Unauthenticated as exc:
            raise SessionLost() from exc
        for change in changes:
            path = str(change.get("path", ""))
            key = path.rsplit("/", 1)[-1]
            new = change.get("new_value")
            if (
                change.get("type") == "create"
                and path.startswith(step.path + "/")
                and key not in claimed
                and (not new or read_back.contains(new, body))
            ):
                return key
        return None

    def _commit(self, written: list[Change]) -> None:
        for attempt in range(ATTEMPTS):
            try:
                started = time.monotonic()
                self.client.commit(self.policy.commit_message)
                self.last_commit = time.monotonic() - started
                self._held = False
                return
            except errors.Unauthenticated as exc:
                raise SessionLost() from exc  # SPS refuses to commit for a session it ended
            except UNCERTAIN as exc:
                log.info("commit: answer lost (%s); asking SPS whether it committed", exc)
                time.sleep(self._delay(attempt))
                status: str | None
                try:
                    status = self.client.transaction_status()
                except errors.Unauthenticated:
                    status = "lost"  # the commit was made, or the transaction ended with the session
                except errors.SpsError as failed:
                    log.info("commit: GET /api/transaction failed too (%s)", failed)
                    status = None
                if status == "open":
                    continue
                if status == "closed":
                    self._held = False
                    return
                verdict = read_back.committed(self.reader, written)
                if status == "lost":
                    self._held = False
                    if verdict is False:
                        raise SessionLost() from exc
                if verdict is True:
                    self._held = False
                    return
                if verdict is None:
                    raise OutcomeUnknown(
                        f"the answer to the commit was lost ({exc}) and SPS could not tell whether it was made",
                        method="PUT",
                        path="/api/transaction",
                    ) from exc
        raise errors.ConnectionFailed(
            f"commit: no answer after {ATTEMPTS} attempts; not committed (the transaction is reverted)",
            method="PUT",
            path="/api/transaction",
        )

    def _revert(self) -> bool:
        """DELETE /api/transaction; False when it got no answer (the transaction may still be held)."""
        try:
            self.client.revert()
        except errors.Unauthenticated:
            pass  # the session ended, and its transaction with it
        except errors.SpsError as exc:
            log.warning("reverting the transaction failed: %s", exc)
            return False
        self._held = False
        return True

    def _open(self) -> None:
        """Open a transaction, waiting for another session's lock with backoff and jitter; the
        waits of all batches share one `lock_timeout` budget."""
        if self._held and not self._revert():
            raise errors.ConnectionFailed(
                "the previous transaction could not be reverted (no answer); nothing was changed",
                method="DELETE",
                path="/api/transaction",
            )
        attempt = lost = 0
        while True:
            self._held = True
            try:
                self.client.open_transaction()
                return
            except errors.Unauthenticated as exc:
                raise SessionLost() from exc
            except UNCERTAIN as exc:
                log.info("POST /api/transaction: answer lost (%s); asking SPS whether this session holds it", exc)
                time.sleep(self._delay(lost))
                lost += 1
                try:
                    if self.client.transaction_status() == "open":
                        return
                except errors.Unauthenticated as gone:
                    raise SessionLost() from gone
                except errors.SpsError as failed:
                    log.info("GET /api/transaction failed too (%s)", failed)
                if lost == ATTEMPTS:
                    raise errors.ConnectionFailed(
                        f"opening a transaction: no answer after {ATTEMPTS} attempts; nothing was changed",
                        method="POST",
                        path="/api/transaction",
                    ) from exc
            except errors.LockConflict as exc:
                self._held = False  # another session holds the lock, so this one holds no transaction
                holder = exc.details.get("locked_by") if isinstance(exc.details, dict) else None
                left = self.policy.lock_timeout - self._lock_waited
                if left <= 0:
                    raise LockTimeout(
                        f"the configuration lock is held by {holder or 'another session'} and was not released "
                        f"within lock_timeout ({self.policy.lock_timeout:g}s); nothing was changed",
                        status=exc.status,
                        error_type=exc.error_type,
                        details=exc.details,
                    ) from exc
                delay = min(left, self._delay(attempt) or 0.01)
                log.info("configuration locked by %s; retrying in %.1fs", holder or "another session", delay)
                started = time.monotonic()
                stopped = self._stop.wait(delay)
                self._lock_waited += time.monotonic() - started
                if stopped:
                    raise Stopped(STOPPED, status=exc.status, error_type="Stopped", details=exc.details) from exc
                attempt += 1
