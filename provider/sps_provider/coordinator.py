"""Per-appliance transaction coordinator: every SPS write goes through here.

Terraform calls ApplyResourceChange in parallel (up to -parallelism). Changes that arrive while
a transaction is being prepared join it (group commit): one open, all writes, one commit, and
each caller gets its answer only after the commit that holds its write. A write SPS rejects
fails only its own change. A failed commit is reverted and the group is retried one change
per transaction, so only the guilty change fails. While another session holds the
configuration lock, opening waits with exponential backoff and jitter until `lock_timeout`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sps_provider.client import errors

if TYPE_CHECKING:
    from sps_provider.client.session import SpsClient

log = logging.getLogger(__name__)

Write = Callable[["SpsClient"], Any]


@dataclass
class Change:
    """One write (POST/PUT/DELETE closure) waiting for the commit that makes it durable."""

    describe: str
    write: Write
    result: Any = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class LockTimeout(errors.SpsError):
    """The configuration lock stayed with another session past `lock_timeout`."""


@dataclass(frozen=True)
class Policy:
    group_commit: bool = True
    lock_timeout: float = 300.0
    commit_message: str | None = None
    gather_window: float = 0.05


class Coordinator:
    def __init__(self, client: SpsClient, policy: Policy) -> None:
        self.client = client
        self.policy = policy
        self._pending: list[Change] = []
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self.commits = 0

    def submit(self, describe: str, write: Write) -> Any:
        """Run `write` inside an SPS transaction; returns its result once committed, or raises."""
        change = Change(describe, write)
        with self._cond:
            self._pending.append(change)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="sps-coordinator", daemon=True)
                self._worker.start()
            self._cond.notify_all()
        change.done.wait()
        if change.error is not None:
            raise change.error
        return change.result

    def _take_batch(self) -> list[Change]:
        with self._cond:
            if not self._pending:
                return []
            if self.policy.group_commit:
                deadline = time.monotonic() + self.policy.gather_window
                while (left := deadline - time.monotonic()) > 0:
                    self._cond.wait(left)
                batch, self._pending = self._pending, []
            else:
                batch = [self._pending.pop(0)]
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
                        c.done.set()

    def _commit_group(self, batch: list[Change]) -> None:
        log.debug("transaction for %d change(s): %s", len(batch), ", ".join(c.describe for c in batch))
        try:
            self._open()
        except BaseException as exc:
            for c in batch:
                c.error = exc
                c.done.set()
            return
        written: list[Change] = []
        for c in batch:
            try:
                c.result = c.write(self.client)
                written.append(c)
            except errors.SpsError as exc:
                c.error = exc
        failed = [c for c in batch if c.error is not None]
        if not written:
            self._revert()
            self._finish(failed)
            return
        try:
            self.client.commit(self.policy.commit_message)
            self.commits += 1
        except errors.SpsError as exc:
            self._revert()
            if len(written) == 1:
                written[0].error = exc
                self._finish(batch)
                return
            log.info("group commit of %d changes failed (%s); retrying them one by one", len(written), exc)
            self._finish(failed)
            for c in written:
                c.result = None
                self._commit_group([c])
            return
        self._finish(batch)

    def _finish(self, changes: list[Change]) -> None:
        for c in changes:
            c.done.set()

    def _revert(self) -> None:
        try:
            self.client.revert()
        except errors.SpsError as exc:
            log.warning("reverting the transaction failed: %s", exc)

    def _open(self) -> None:
        """Open a transaction, waiting for another session's lock with backoff and jitter."""
        deadline = time.monotonic() + self.policy.lock_timeout
        delay = 0.1
        while True:
            try:
                self.client.open_transaction()
                return
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
                log.info("configuration locked by %s; retrying in %.1fs", holder or "another session", delay)
                time.sleep(min(left, delay * (0.5 + random.random())))
                delay = min(delay * 2, 5.0)
