"""When a gathering transaction commits: the pure rule (`Gather`, with scripted times) and the
group commit waiting for a change still on its way (an open `Slot`, `Slot.planned`)."""

from __future__ import annotations

import threading
import time

import pytest

from sps_provider.coordinator.gather import Gather
from sps_provider.coordinator.group_commit import GroupCommit
from sps_provider.coordinator.policy import Policy
from tests.support.coordinator import fresh, submit
from tests.support.fake_sps import OBJECTS, FakeSps

POLICY = Policy(gather_quiet=0.05, gather_max=0.5, gather_share=0.3)
HANG = 60.0  # a join that takes this long means the coordinator never committed


def test_the_quiet_gap_is_the_base_gap_until_a_commit_was_measured_then_a_share_of_it() -> None:
    assert Gather.of(POLICY, last_commit=0.0) == Gather(quiet=0.05, patience=0.5, base=0.05)
    assert Gather.of(POLICY, last_commit=0.1) == Gather(quiet=0.05, patience=0.5, base=0.05)
    assert Gather.of(POLICY, last_commit=4.0) == Gather(quiet=1.2, patience=2.4, base=0.05)


def test_with_no_call_outside_it_waits_the_quiet_gap_after_the_last_event() -> None:
    gather = Gather(quiet=0.3, patience=0.6)
    assert gather.left(now=10.1, last_event=10.0, outside=0) == pytest.approx(0.2)
    assert gather.left(now=10.3, last_event=10.0, outside=0) <= 0


def test_while_a_call_is_outside_it_waits_until_nothing_happens_for_the_patience() -> None:
    gather = Gather(quiet=0.3, patience=0.6)
    assert gather.left(now=10.4, last_event=10.0, outside=2) == pytest.approx(0.2)
    assert gather.left(now=10.6, last_event=10.0, outside=2) <= 0


def test_when_every_slot_seen_before_waits_and_none_is_outside_it_waits_the_base_gap_only() -> None:
    gather = Gather(quiet=0.3, patience=0.6, base=0.05)
    assert gather.left(now=10.0, last_event=10.0, outside=0, waiting=10, slots=10) == pytest.approx(0.05)
    assert gather.left(now=10.05, last_event=10.0, outside=0, waiting=10, slots=10) <= 0
    assert gather.left(now=10.0, last_event=10.0, outside=1, waiting=10, slots=10) == pytest.approx(0.6)
    assert gather.left(now=10.0, last_event=10.0, outside=0, waiting=9, slots=10) == pytest.approx(0.3)
    assert gather.left(now=10.0, last_event=10.0, outside=0, waiting=3, slots=0) == pytest.approx(0.3)


def test_slots_are_trusted_once_two_gathers_saw_the_same_most_calls_at_once() -> None:
    """Two rounds of three resources at once teach the coordinator that Terraform runs three
    calls of it at a time; in the third round, with a quiet gap that would never end, the three
    changes commit once all three wait, after the base gap only."""
    policy = Policy(backoff=0.0, gather_quiet=0.01, gather_max=0.5, gather_share=0.0, commit_estimate=0.0)
    sps, _, coordinator = fresh([], policy)

    def round_of_three(first: int) -> None:
        barrier = threading.Barrier(3)

        def resource(name: str) -> None:
            with coordinator.slot() as slot:
                barrier.wait()
                slot.submit_one("POST", OBJECTS, {"name": name, "v": 1})

        threads = [threading.Thread(target=resource, args=(f"r{first + i}",)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(HANG)
        assert not any(t.is_alive() for t in threads), "the round never committed"

    round_of_three(0)
    round_of_three(3)
    assert coordinator.slots == 3
    coordinator.policy = Policy(backoff=0.0, gather_quiet=0.01, gather_max=HANG * 10, gather_share=HANG * 10)
    coordinator.transactions.last_commit = 1.0  # the quiet gap: HANG * 10 seconds
    commits = sps.commits
    round_of_three(6)
    assert sps.commits == commits + 1
    assert {o["name"] for o in sps.committed[OBJECTS].values()} >= {"r6", "r7", "r8"}


def submitted(coordinator: GroupCommit, sps: FakeSps) -> None:
    """Wait until a change waits in the coordinator's gather (or was committed already)."""
    deadline = time.monotonic() + HANG
    while not coordinator.gathered and not sps.commits:
        assert time.monotonic() < deadline, "the change never reached the coordinator"
        time.sleep(0.001)


def test_a_change_waits_for_a_call_still_on_its_way_and_shares_its_commit() -> None:
    """No quiet gap at all: only the call running outside (a resource Terraform is still
    planning) keeps the first change from being committed alone."""
    sps, _, coordinator = fresh([], Policy(backoff=0.0, gather_quiet=0.0, gather_max=HANG, commit_estimate=0.0))

    def resource(name: str, started: threading.Event, go: threading.Event) -> None:
        with coordinator.slot() as slot:
            started.set()
            go.wait()
            slot.submit_one("POST", OBJECTS, {"name": name, "v": 1})

    a_started, b_started, go_a, go_b = (threading.Event() for _ in range(4))
    a = threading.Thread(target=resource, args=("a", a_started, go_a))
    b = threading.Thread(target=resource, args=("b", b_started, go_b))
    a.start()
    b.start()
    a_started.wait()
    b_started.wait()
    go_a.set()
    submitted(coordinator, sps)
    go_b.set()
    a.join(HANG)
    b.join(HANG)
    assert sps.commits == 1
    assert {o["name"] for o in sps.committed[OBJECTS].values()} >= {"a", "b"}


def test_a_call_that_ends_without_a_write_lets_the_gathered_change_commit() -> None:
    sps, _, coordinator = fresh([], Policy(backoff=0.0, gather_quiet=0.0, gather_max=HANG * 10, commit_estimate=0.0))
    planning = threading.Event()
    done = threading.Event()

    def no_change() -> None:
        with coordinator.slot():
            planning.set()
            done.wait()

    other = threading.Thread(target=no_change)
    other.start()
    planning.wait()
    writer = threading.Thread(target=submit, args=(coordinator, "POST", OBJECTS, {"name": "a", "v": 1}))
    writer.start()
    submitted(coordinator, sps)
    done.set()
    writer.join(HANG)
    other.join(HANG)
    assert not writer.is_alive()
    assert sps.commits == 1


def test_a_change_waits_for_the_apply_of_a_change_planned_before_it() -> None:
    """Terraform plans a resource and applies it in a second call; between the two nothing of it
    runs, so only the plan says its write is coming."""
    sps, _, coordinator = fresh([], Policy(backoff=0.0, gather_quiet=0.0, gather_max=HANG, commit_estimate=0.0))
    for _ in range(2):
        with coordinator.slot() as plan:
            plan.planned()

    def apply(name: str) -> None:
        submit(coordinator, "POST", OBJECTS, {"name": name, "v": 1})

    a = threading.Thread(target=apply, args=("a",))
    a.start()
    submitted(coordinator, sps)
    b = threading.Thread(target=apply, args=("b",))
    b.start()
    a.join(HANG)
    b.join(HANG)
    assert sps.commits == 1


def test_a_plan_never_applied_holds_up_one_group_only() -> None:
    _, _, coordinator = fresh([], Policy(backoff=0.0, gather_quiet=0.0, gather_max=0.01, commit_estimate=0.0))
    with coordinator.slot() as plan:
        plan.planned()
    assert coordinator.on_the_way == 1
    submit(coordinator, "POST", OBJECTS, {"name": "a", "v": 1})
    assert coordinator.on_the_way == 0
