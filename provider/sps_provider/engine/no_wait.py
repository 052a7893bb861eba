"""Calls that must not wait: the plugin transport runs a ReadResource or PlanResourceChange on its
connection's reader thread when it can be answered at once (a thread switch there and back cost
more CPU than the call's own work). `without_waiting()` marks the thread; where the read and plan
paths would send a request to the appliance or wait for another thread's (the refresh snapshots,
the firmware version) they raise `WouldWait` instead, and the call is run again on the pool from
the start: everything it did before is repeatable (sets of seen keys, balanced counters)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WouldWait(BaseException):
    """Not an Exception: it passes the handlers that turn errors into diagnostics."""


_thread = threading.local()


@contextmanager
def without_waiting() -> Iterator[None]:
    _thread.on = True
    try:
        yield
    finally:
        _thread.on = False


def forbidden() -> bool:
    """Whether this thread must not wait (inside `without_waiting`)."""
    return bool(getattr(_thread, "on", False))


def check() -> None:
    """Before a request or a wait for another thread: WouldWait inside `without_waiting`."""
    if forbidden():
        raise WouldWait
