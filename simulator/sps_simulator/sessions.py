"""A logged-in session and the transaction it holds, and what a session reads (its view)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sps_simulator.candidate import Candidate

View = Mapping[str, Mapping[str, Any]]  # the committed configuration, or a transaction's candidate


@dataclass
class Transaction:
    candidate: Candidate
    changes: list[dict[str, Any]] = field(default_factory=list)
    opened_at: float = field(default_factory=time.time)


@dataclass
class Session:
    sid: str
    user: str
    last_seen: float
    tx: Transaction | None = None
