"""The rule for when a gathering transaction stops waiting for more changes (pure: the times
are passed in; `group_commit.GroupCommit` applies it)."""

from __future__ import annotations

from dataclasses import dataclass

from sps_provider.coordinator.policy import Policy


@dataclass(frozen=True)
class Gather:
    """When a gathering transaction stops waiting for more changes. An event is a change
    arriving or a call that may bring one ending (a `Slot` closing). While such a call is
    still running outside the coordinator (before its write, or reading back after its commit,
    when Terraform starts its dependents as it returns), or a planned change has not started to
    apply (`Slot.planned`), a change is on the way: wait, unless nothing at all happens
    for `patience` (a stuck call, a plan never applied). With none on its way, wait
    `quiet` after the last event: Terraform starts the next call a moment after one returns, and
    longer on a busy machine; when a commit takes seconds, a share of it costs less than the
    extra commit a straggler would need. But when as many changes wait as Terraform has run
    calls of this appliance at once (its -parallelism slots, learnt in earlier gathers) and none
    is outside, every slot waits here and no call is left to bring another: the quiet gap is only
    the `base` one (the most seen at once may still be short of the slots Terraform has, when the
    graph held fewer ready resources until now)."""

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
