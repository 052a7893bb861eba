"""How a change can end other than committed, besides the errors SPS answers with."""

from __future__ import annotations

from sps_provider.client import errors

STOPPED = "stopped while waiting for the configuration lock; nothing was changed"


class LockTimeout(errors.SpsError):
    """The configuration lock stayed with another session past `lock_timeout`."""


class Stopped(errors.SpsError):
    """StopProvider (Ctrl-C) ended the wait for the configuration lock; nothing was written."""


class OutcomeUnknown(errors.SpsError):
    """The commit's answer was lost and neither session could establish whether it was made."""


class SessionLost(Exception):
    """The writer session expired mid-transaction: SPS dropped the transaction with it."""
