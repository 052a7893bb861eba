"""Calls that must not wait, and the rule enforced where waiting happens.

The plugin transport runs some calls on a connection's reader thread (the compute-only ones, and
ReadResource and PlanResourceChange when they can be answered at once): a thread switch there and
back cost more CPU than the call's own work. While a handler runs there, no other call on that
connection is read, so it must never wait for the appliance or for another thread. The transport
runs every such handler through `attempt`, which marks the thread; what would wait checks the mark
where it would block, and raises `WouldWait` instead: the client before it sends a request
(`client/session.py`), `Lock` before it waits for another holder, a change before it waits for its
commit. `attempt` then answers None and the transport runs the call again on its pool, from the
start: everything a handler does before it would wait is repeatable (sets of seen keys, balanced
counters). A handler that still holds the thread longer than `SLOW` is logged.

Both the transport and the layers above it import this module; it imports nothing of theirs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, TypeVar

log = logging.getLogger(__name__)

SLOW = 0.1
"""Seconds a handler may hold a reader thread before it is logged. A reader-thread answer takes
about a millisecond or less; the longest expected is the first GetProviderSchema of a process,
which builds the ~290 KB schema once (34 ms on the shared 2-core machine)."""

Request = TypeVar("Request")
Response = TypeVar("Response")


class WouldWait(BaseException):
    """Not an Exception: it passes the handlers that turn errors into diagnostics."""


_thread = threading.local()


class _WithoutWaiting:
    def __enter__(self) -> None:
        _thread.on = True

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        _thread.on = False


_MARK = _WithoutWaiting()


def without_waiting() -> _WithoutWaiting:
    """Mark this thread as one that must not wait, for the `with` block."""
    return _MARK


def forbidden() -> bool:
    """Whether this thread must not wait (inside `without_waiting`)."""
    return bool(getattr(_thread, "on", False))


def check() -> None:
    """Before a request or a wait for another thread: WouldWait inside `without_waiting`."""
    if forbidden():
        raise WouldWait


def attempt(call: Callable[[Request], Response | None], request: Request, handler: object) -> Response | None:
    """`call(request)` on a reader thread: its answer, or None when it would wait (it answered
    None or raised WouldWait) and must run on the pool. Logs when it held the thread past `SLOW`."""
    started = time.perf_counter()
    try:
        with _MARK:
            return call(request)
    except WouldWait:
        return None
    finally:
        held = time.perf_counter() - started
        if held > SLOW:
            name = getattr(handler, "__name__", handler)
            log.warning("%s held the plugin connection's reader thread for %.1f ms (more than %.0f ms): no other "
                        "call on the connection was read meanwhile", name, held * 1e3, SLOW * 1e3)  # fmt: skip


class Acquirable(Protocol):
    def acquire(self, blocking: bool = ..., timeout: float = ...) -> bool: ...


def acquire(lock: Acquirable) -> None:
    """Take `lock`: at once when it is free; else wait for its holder, or raise WouldWait on a
    thread that must not wait."""
    if not lock.acquire(False):
        check()
        lock.acquire()


class Lock:
    """A lock for code a reader thread may run. `with lock:` takes it as `acquire` above does;
    `acquire()` always waits (for what must run whatever the thread, such as undoing what was
    counted, under a lock held for a few statements only)."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        if not self._lock.acquire(False):
            check()
            self._lock.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._lock.release()

    def acquire(self) -> None:
        self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()
