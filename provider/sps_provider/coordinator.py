"""Per-appliance transaction coordinator: every SPS write goes through here.

Terraform calls ApplyResourceChange in parallel (up to -parallelism). Changes that arrive while
a transaction is being prepared join it (group commit): one open, all writes, one commit, and
each caller gets its answer only after the commit that holds its write. A write SPS rejects
fails only its own change. A failed commit is reverted and the group is retried one change per
transaction, so only the guilty change fails. While another session holds the configuration
lock, opening waits with exponential backoff and jitter until `lock_timeout`.

Uncertain outcomes are resolved by reading back, never by blind retries: a POST whose answer
was lost is looked up in the transaction's changelog before it is sent again (no duplicate
objects); a commit whose answer was lost is checked with GET /api/transaction and, when the
writer session cannot answer, by reading the committed configuration through the reader
session. An outcome nothing can establish is reported as unknown, never guessed. The writer
session is never replaced silently: a 401 on it is `SessionLost` (SPS dropped the transaction
with the session), and the whole group is replayed in a new transaction after a new login.
The writer session never holds a transaction it does not know about: a lost answer to opening
is checked, a revert that failed is repeated before the next open and on close().
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sps_provider.client import errors

log = logging.getLogger(__name__)

Method = Literal["POST", "PUT", "DELETE"]
UNCERTAIN = (errors.ConnectionFailed, errors.ServerError)
ATTEMPTS = 4
STOPPED = "stopped while waiting for the configuration lock; nothing was changed"


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


class Reader(Protocol):
    """A session that never holds a transaction: it sees the committed configuration."""

    def get(self, path: str) -> Any: ...


@dataclass(frozen=True)
class Step:
    """One request of a change. `body` may be a function of the results of the earlier steps
    (e.g. an LDAP server that references the password object created just before it).
    `merge(body, current)` gives the body to send from the object as the transaction holds it
    just before the write (a PUT keeps the fields the catalog does not model). `on_result` hears
    the step's answer as soon as it is in the transaction, before any change of the group is
    answered (a POST's new key: claimed before another resource could adopt it)."""

    method: Method
    path: str
    body: Any = field(default=None, repr=False)  # may hold a secret (a password object's value)
    merge: Callable[[Any, Any], Any] | None = field(default=None, repr=False, compare=False)
    on_result: Callable[[Any], None] | None = field(default=None, repr=False, compare=False)

    def body_for(self, results: list[Any]) -> Any:
        return self.body(results) if callable(self.body) else self.body

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Change:
    """The writes of one resource, waiting for the commit that makes them durable. The result
    is the last step's (a POST's is the new key); `partial` marks a change that failed but may
    have left writes in the transaction (an earlier step, or a write whose answer never came),
    which taints the transaction."""

    steps: list[Step]
    results: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    partial: bool = False
    replays: int = 0  # times sent again after its answer was lost and the transaction reverted
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def result(self) -> Any:
        return self.results[-1] if self.results else None

    @property
    def is_delete(self) -> bool:
        return all(s.method == "DELETE" for s in self.steps)

    def __str__(self) -> str:
        return ", ".join(map(str, self.steps))


class LockTimeout(errors.SpsError):
    """The configuration lock stayed with another session past `lock_timeout`."""


class Stopped(errors.SpsError):
    """StopProvider (Ctrl-C) ended the wait for the configuration lock; nothing was written."""


class OutcomeUnknown(errors.SpsError):
    """The commit's answer was lost and neither session could establish whether it was made."""


class SessionLost(Exception):
    """The writer session expired mid-transaction: SPS dropped the transaction with it."""


@dataclass(frozen=True)
class Policy:
    group_commit: bool = True
    lock_timeout: float = 300.0
    commit_message: str | None = None
    gather_quiet: float = 0.05  # with no change on its way, commit when none came for this long
    gather_max: float = 0.5  # with changes on their way, commit when nothing happened for this long (or 2x quiet)
    gather_share: float = 0.3  # the quiet gap grows to this share of the last commit's duration
    commit_estimate: float = 1.0  # the commit's duration until one is measured (setting `commit_estimate`)
    backoff: float = 0.2  # first retry delay in seconds, doubling up to 25x (tests set it to 0)


@dataclass(frozen=True)
class Gather:
    """When a gathering transaction stops waiting for more changes. An event is a change
    arriving or a call that may bring one ending (`Coordinator.expecting`). While such a call is
    still running outside the coordinator (before its write, or reading back after its commit,
    when Terraform starts its dependents as it returns), or a planned change has not started to
    apply (`Coordinator.planned`), a change is on the way: wait, unless nothing at all happens
    for `patience` (a stuck call, a plan never applied). With none on its way, wait
    `quiet` after the last event: Terraform starts the next call a moment after one returns, and
    longer on a busy machine; when a commit takes seconds, a share of it costs less than the
    extra commit a straggler would need. But when as many changes wait as Terraform has run
    calls of this appliance at once (its -parallelism slots, learnt in earlier gathers) and none
    is outside, every slot waits here and no call is left to bring another: the quiet gap is only
    the `base` one (the most seen at once may still be short of the slots Terraform has, when the
    graph held fewer ready resources until now). Pure: the times are passed in."""

    quiet: float
    patience: float
    base: float = 0.0

    @classmethod
    def of(cls, policy: Policy, last_commit: float) -> Gather:
        quiet = max(policy.gather_quiet, policy.gather_share * last_commit)
        return cls(quiet, max(policy.gather_max, 2 * quiet), policy.gather_quiet)

    def left(self, now: float, last_event: float, outside: int, waiting: int = 0, slots: int = 0) -> float:
        """Seconds to keep waiting; zero or less: commit what is gathered. `waiting`: changes
        gathered; `slots`: the most calls seen running at once before this gather (0: unknown)."""
        if outside > 0:
            return last_event + self.patience - now
        return last_event + (self.base if 0 < slots <= waiting else self.quiet) - now


def _contains(whole: Any, part: Any) -> bool:
    """Whether `whole` holds everything in `part` (SPS may add defaults to what we sent)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(_contains(whole.get(k), v) for k, v in part.items())
    return bool(whole == part)


def _where(step: Step, result: Any) -> str:
    """How to see one write's effect on the appliance (for an OutcomeUnknown message)."""
    if step.method == "POST":
        return f"GET {step.path}/{result} (created; if it is there, `terraform import` it with the key {result})"
    if step.method == "DELETE":
        return f"GET {step.path} (deleted when it answers 404)"
    return f"GET {step.path} (replaced)"


class Coordinator:
    def __init__(self, client: Writer, policy: Policy, reader: Reader, name: str = "") -> None:
        self.client = client
        self.reader = reader
        self.policy = policy
        self.name = name  # the appliance, for the log
        self._pending: list[Change] = []
        self._cond = threading.Condition()
        self._calls = 0  # calls running that may submit a change (`expecting`)
        self._most_calls = 0  # the most `_calls` seen at once
        self._slots = (0, 0)  # `_most_calls` when the last two gathers ended (`_known_slots`)
        self._planned = 0  # changes Terraform planned in this process and has not started to apply
        self._unanswered = 0  # changes submitted and not yet answered
        self._last_event = 0.0  # monotonic time of the last arrival or end of an expecting call
        self._worker: threading.Thread | None = None
        self._tx_lock = threading.Lock()  # one group at a time on the writer session, and close()
        self._stop = threading.Event()
        self._held = False  # the writer session may hold a transaction (opened, not yet committed or reverted)
        self._lock_waited = 0.0  # seconds this process waited for the lock: one lock_timeout budget
        self._last_commit = policy.commit_estimate  # seconds the last successful commit took

    def submit(self, method: Method, path: str, body: Any = None) -> Any:
        """Run one write inside an SPS transaction; returns its result once committed, or raises."""
        return self.submit_steps([Step(method, path, body)])[-1]

    def submit_steps(self, steps: list[Step]) -> list[Any]:
        """Run several writes, in order, inside one SPS transaction; returns their results."""
        change = Change(list(steps))
        with self._cond:
            self._pending.append(change)
            self._unanswered += 1
            self._last_event = time.monotonic()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="sps-coordinator", daemon=True)
                self._worker.start()
            self._cond.notify_all()
        change.done.wait()
        if change.error is not None:
            raise change.error
        return change.results

    @contextmanager
    def expecting(self, applying: bool = False) -> Iterator[None]:
        """Around a call that may submit a change (Terraform's PlanResourceChange and
        ApplyResourceChange of one resource, in the same -parallelism slot): while it runs outside
        the coordinator, the gathering transaction waits for it (see `Gather`). `applying`: an
        ApplyResourceChange, which takes up one `planned` change."""
        with self._cond:
            self._calls += 1
            self._most_calls = max(self._most_calls, self._calls)
            if applying:
                self._planned = max(0, self._planned - 1)
        try:
            yield
        finally:
            with self._cond:
                self._calls -= 1
                self._last_event = time.monotonic()
                self._cond.notify_all()

    def planned(self) -> None:
        """A PlanResourceChange proposed a change. In the apply walk (a provider process of its
        own) Terraform asks to apply it next; between the two calls none of them runs, and on a busy
        machine Terraform takes longer than the quiet gap to go from one to the other."""
        with self._cond:
            self._planned += 1

    def stop(self) -> None:
        """StopProvider: lock waits and groups that have written nothing end at once with
        Stopped; a group that has written finishes (commit) or reverts."""
        self._stop.set()

    def close(self, timeout: float) -> bool:
        """Shutdown or exit: revert any transaction the writer session still holds, retrying
        (e.g. through a network outage) until `timeout`. True when none is left. A group still
        running past `timeout` is left alone: reverting under it would make its commit answer
        200 with nothing in it, and the group report as committed what was not."""
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

    # -- the worker ------------------------------------------------------------------------
    def _take_batch(self) -> list[Change]:
        with self._cond:
            if not self._pending:
                return []
            if not self.policy.group_commit:
                return [self._pending.pop(0)]
            # Terraform starts ready resources one after another, not at one instant, and
            # starts the next level as the answers of the last commit come back: keep gathering
            # while they are on the way (`Gather`). It ends: no unbounded wait, since a call that
            # submitted waits here, and Terraform starts no more calls than -parallelism.
            gather = Gather.of(self.policy, self._last_commit)
            started = time.monotonic()
            slots = self._known_slots()
            while (left := gather.left(time.monotonic(), self._last_event, self._outside(), len(self._pending),
                                       slots)) > 0:  # fmt: skip
                self._cond.wait(left)
            self._slots = (self._slots[1], self._most_calls)
            if self._planned and self._calls <= self._unanswered:
                # Nothing happened for the patience: those plans will not be applied (a plan
                # Terraform rejected, a walk that only plans); no later group waits for them.
                self._planned = 0
            batch, self._pending = self._pending, []
            log.debug(
                "gathered %d change(s) in %.2fs (quiet gap %.2fs) on %s",
                len(batch), time.monotonic() - started, gather.quiet, self.name,
            )  # fmt: skip
            return batch

    def _known_slots(self) -> int:
        """How many calls of this appliance Terraform runs at once (its -parallelism slots, or all
        it has ready), once the most seen at once stayed the same over the last two gathers; 0
        until then. A first gather that closed while Terraform was still starting calls saw fewer
        than it runs: trusting that would commit before stragglers that could still come."""
        earlier, last = self._slots
        return last if last == earlier else 0

    def _outside(self) -> int:
        """Changes on their way (held with `_cond`): expecting calls that are not waiting for their
        commit, and planned changes whose apply has not started."""
        return max(0, self._calls - self._unanswered) + self._planned

    def _answered(self, batch: list[Change]) -> None:
        """Wake the callers of `batch`; from now on they run outside again (reading back)."""
        with self._cond:
            for c in batch:
                c.done.set()
            self._unanswered -= len(batch)
            self._last_event = time.monotonic()
            self._cond.notify_all()

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
                with self._tx_lock:
                    if self._stop.is_set():
                        raise Stopped(STOPPED)
                    self._commit_group(batch)
            except BaseException as exc:
                for c in batch:
                    if not c.done.is_set():
                        c.error = exc
            finally:
                self._answered(batch)

    def _commit_group(self, batch: list[Change]) -> None:
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
                self._commit_group(rest)
            return
        if not written:
            self._revert()
            return
        try:
            self._commit(written)
        except OutcomeUnknown as exc:
            self._revert()  # if the commit was not made, the transaction must not keep the lock
            for c in written:
                where = "; ".join(_where(s, r) for s, r in zip(c.steps, c.results, strict=False))
                c.error = OutcomeUnknown(f"{exc.message}. This change may be on the appliance: check {where}")
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
                self._commit_group([c])

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
                and (not new or _contains(new, body))
            ):
                return key
        return None

    def _commit(self, written: list[Change]) -> None:
        for attempt in range(ATTEMPTS):
            try:
                started = time.monotonic()
                self.client.commit(self.policy.commit_message)
                self._last_commit = time.monotonic() - started
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
                verdict = self._verify(written)
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

    def _verify(self, written: list[Change]) -> bool | None:
        """Whether the commit holding `written` was made, judged from the committed
        configuration (the reader session holds no transaction). A commit is all or nothing:
        one write seen proves it, one write missing disproves it; None when undecidable."""
        verdicts: set[bool | None] = set()
        for c in written:
            results: list[Any] = []
            for step, result in zip(c.steps, c.results, strict=False):
                try:
                    verdicts.add(self._visible(step, step.body_for(results), result))
                except errors.SpsError as exc:
                    log.info("commit: reading back %s failed (%s)", step, exc)
                    return None
                results.append(result)
        if False in verdicts:
            return None if True in verdicts else False
        return True  # every write is visible, or (PUTs only) the configuration is as wanted either way

    def _visible(self, step: Step, body: Any, result: Any) -> bool | None:
        """True/False: the committed configuration has/lacks this write; None: a PUT whose body is
        there (committed, or it changed nothing)."""
        if step.method == "POST":
            try:
                self.reader.get(f"{step.path}/{result}")
                return True
            except errors.NotFound:
                return False
        try:
            doc = self.reader.get(step.path)
        except errors.NotFound:
            return step.method == "DELETE"
        if step.method == "DELETE":
            return False
        return None if _contains(doc.get("body"), body) else False

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
        waits of all groups share one `lock_timeout` budget."""
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
