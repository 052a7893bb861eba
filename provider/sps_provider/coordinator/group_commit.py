"""When a batch of changes is committed: Terraform's calls, each in a `Slot`, and the pending queue.

Terraform calls PlanResourceChange and ApplyResourceChange in parallel (up to -parallelism).
Changes that arrive while a transaction is being gathered join it (group commit): one
transaction for all, and each caller gets its answer only after the commit that holds its write.
A call holds a `Slot` while it runs, and writes only through it: so the gathering knows which
calls may still bring a change (`gather.Gather` is the rule), and no call can write unseen.
The batch itself is `transactions.Transactions.run`'s.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType
from typing import Any

from sps_provider import no_wait
from sps_provider.coordinator.changes import Change, Method, Step
from sps_provider.coordinator.gather import Gather
from sps_provider.coordinator.transactions import Transactions

log = logging.getLogger(__name__)


class Slot:
    """One call of Terraform's for this appliance (PlanResourceChange or ApplyResourceChange of one
    resource, in one -parallelism slot), open as a context manager for as long as the call runs.
    While it is open and not waiting for its commit, the gathering transaction waits for it."""

    __slots__ = ("_applying", "_group", "_open", "_planned")

    def __init__(self, group: GroupCommit, applying: bool) -> None:
        self._group = group
        self._applying = applying  # an ApplyResourceChange: it takes up one planned change
        self._planned = False
        self._open = False

    def __enter__(self) -> Slot:
        self._group._enter(self._applying)
        self._open = True
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._open = False
        self._group._leave(self._planned)

    def submit(self, steps: list[Step]) -> list[Any]:
        """Run `steps`, in order, inside one SPS transaction; their results once committed, or raises."""
        if not self._open:
            raise RuntimeError("a write outside its call's slot: the gathering would not wait for it")
        return self._group._submit(steps)

    def submit_one(self, method: Method, path: str, body: Any = None) -> Any:
        """Run one write inside an SPS transaction; its result once committed, or raises."""
        return self.submit([Step(method, path, body)])[-1]

    def planned(self) -> None:
        """This PlanResourceChange proposed a change. In the apply walk (a provider process of its
        own) Terraform asks to apply it next; between the two calls none of them runs, and on a busy
        machine Terraform takes longer than the quiet gap to go from one to the other. Counted when
        the slot closes."""
        self._planned = True


class GroupCommit:
    """The pending queue of one appliance and the worker thread that hands each gathered batch to
    `transactions`. `policy` is read at every gather."""

    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions
        self.policy = transactions.policy
        self.name = transactions.name  # the appliance, for the log
        self._pending: list[Change] = []
        self._cond = threading.Condition()
        self._calls = 0  # slots open
        self._most_calls = 0  # the most `_calls` seen at once
        self._seen = (0, 0)  # `_most_calls` when the last two gathers ended (`slots`)
        self._planned = 0  # changes Terraform planned in this process and has not started to apply
        self._unanswered = 0  # changes submitted and not yet answered
        self._last_event = 0.0  # monotonic time of the last arrival or end of a slot
        self._worker: threading.Thread | None = None

    def slot(self, applying: bool = False) -> Slot:
        """A slot for one call (`applying`: an ApplyResourceChange); use it with `with`."""
        return Slot(self, applying)

    @property
    def slots(self) -> int:
        """How many calls of this appliance Terraform runs at once (its -parallelism slots, or all
        it has ready), once the most seen at once stayed the same over the last two gathers; 0
        until then. A first gather that closed while Terraform was still starting calls saw fewer
        than it runs: trusting that would commit before stragglers that could still come."""
        earlier, last = self._seen
        return last if last == earlier else 0

    @property
    def gathered(self) -> int:
        """Changes waiting for the next transaction."""
        with self._cond:
            return len(self._pending)

    @property
    def on_the_way(self) -> int:
        """Changes on their way: open slots not waiting for their commit, and planned changes whose
        apply has not started."""
        with self._cond:
            return self._outside()

    def stop(self) -> None:
        """StopProvider: see `Transactions.stop`."""
        self.transactions.stop()

    def close(self, timeout: float) -> bool:
        """Shutdown or exit: see `Transactions.close`."""
        return self.transactions.close(timeout)

    # -- the slots -------------------------------------------------------------------------
    def _enter(self, applying: bool) -> None:
        no_wait.acquire(self._cond)  # a plan on a reader thread: WouldWait rather than wait for the worker
        try:
            self._calls += 1
            self._most_calls = max(self._most_calls, self._calls)
            if applying:
                self._planned = max(0, self._planned - 1)
        finally:
            self._cond.release()

    def _leave(self, planned: bool) -> None:
        with self._cond:
            self._calls -= 1
            self._planned += planned
            self._last_event = time.monotonic()
            self._cond.notify_all()

    def _submit(self, steps: list[Step]) -> list[Any]:
        no_wait.check()  # it waits for the commit
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
            gather = Gather.of(self.policy, self.transactions.last_commit)
            started = time.monotonic()
            slots = self.slots
            while (left := gather.left(time.monotonic(), self._last_event, self._outside(), len(self._pending),
                                       slots)) > 0:  # fmt: skip
                self._cond.wait(left)
            self._seen = (self._seen[1], self._most_calls)
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

    def _outside(self) -> int:
        """`on_the_way`, with `_cond` held."""
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
                self.transactions.run(batch)
            except BaseException as exc:
                for c in batch:
                    if not c.done.is_set():
                        c.error = exc
            finally:
                self._answered(batch)
