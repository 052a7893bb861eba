"""The provider settings that shape transactions: grouping, gathering, lock waits, backoff."""

from __future__ import annotations

from dataclasses import dataclass


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
