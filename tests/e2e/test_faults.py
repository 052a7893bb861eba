"""The fault matrix: nothing is ever half-applied. Real terraform against a simulator whose fault
switches are turned on; every test ends with the appliance's committed configuration equal to
Terraform's state and no transaction left open."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, Terraform, start_simulator
from tests.conftest import REQUIRED_PROVIDERS, provider_block

AUDIT = "policies/audit_policies"
BUILTIN_AUDIT = "78101850949e47437dd91d"


def write_policies(tf: Terraform, sim: RunningSimulator, names: list[str], **provider: object) -> None:
    blocks = "".join(
        f'resource "sps_audit_policy" "{n}" {{\n  name = "{n}"\n  encryption = {{ enabled = false }}\n'
        f"  signing = {{ enabled = false }}\n}}\n"
        for n in names
    )
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim, **provider) + blocks)


def assert_consistent(sim: RunningSimulator, *tfs: Terraform) -> None:
    """Committed objects == objects in Terraform state (by key and name); no transaction open."""
    committed = {k: b["name"] for k, b in sim.committed()[AUDIT].items() if k != BUILTIN_AUDIT}
    in_state: dict[str, str] = {}
    for tf in tfs:
        in_state.update({v["key"]: v["name"] for v in tf.resources().values()})
    assert committed == in_state
    stats = sim.stats()
    assert stats["open_transactions"] == 0 and not stats["lock_held"], stats


def names(n: int, prefix: str = "p") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def test_commit_failure_in_a_group_of_10_fails_only_the_guilty_change(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(10))
    tf.init()
    simulator.set_faults(reject_at_commit=["p7"])
    result = tf.apply_unchecked()
    assert result.returncode == 1
    assert "'p7' is refused at commit" in result.stderr
    assert result.stderr.count("\nError: ") == 1, result.stderr
    assert sorted(v["name"] for v in tf.resources().values()) == sorted(set(names(10)) - {"p7"})
    assert_consistent(simulator, tf)


def test_lock_held_by_another_admin_for_5s_is_waited_for(simulator: RunningSimulator, tf: Terraform) -> None:
    write_policies(tf, simulator, names(3))
    tf.init()
    simulator.admin_post("hold-lock", {"seconds": 5, "user": "webadmin"})
    assert simulator.stats()["lock_held"]
    tf.apply()
    assert len(tf.resources()) == 3
    assert_consistent(simulator, tf)


def test_lock_held_beyond_lock_timeout_fails_clearly_and_changes_nothing(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(3), lock_timeout=2)
    tf.init()
    before = simulator.committed()
    simulator.admin_post("hold-lock", {"seconds": 60, "user": "webadmin"})
    result = tf.apply_unchecked()
    assert result.returncode == 1
    assert "the configuration lock is held by webadmin and was not released within lock_timeout (2s)" in (
        " ".join(result.stderr.split())
    )
    assert "nothing was changed" in result.stderr
    assert simulator.committed() == before
    assert tf.resources() == {}
    simulator.admin_post("expire-sessions", {})
    assert_consistent(simulator, tf)


def test_session_expiry_mid_apply_logs_in_again_and_finishes(simulator: RunningSimulator, tf: Terraform) -> None:
    write_policies(tf, simulator, names(12))
    tf.init()
    simulator.set_faults(latency=0.05, commit_duration=0.5)
    expiries: list[int] = []
    applying = threading.Event()

    def expire_repeatedly() -> None:
        """Twice, while the provider has a transaction open, end every session (as a timeout would)."""
        while applying.is_set() and len(expiries) < 2:
            if simulator.stats()["open_transactions"]:
                expiries.append(simulator.admin_post("expire-sessions", {})["expired"])
                time.sleep(1.0)
            time.sleep(0.02)

    applying.set()
    killer = threading.Thread(target=expire_repeatedly)
    killer.start()
    try:
        tf.apply()
    finally:
        applying.clear()
        killer.join()
    assert sum(expiries) > 0, "the test must actually expire sessions mid-apply"
    assert len(tf.resources()) == 12
    assert_consistent(simulator, tf)


@pytest.mark.parametrize("when", ["before", "after"])
def test_connection_dropped_around_a_post_never_duplicates(
    when: str, simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, ["dropped"])
    tf.init()
    simulator.set_faults(drop=[{"method": "POST", "path": f"/api/configuration/{AUDIT}", "when": when, "count": 1}])
    tf.apply()
    assert simulator.stats()["dropped"] == 1
    committed = [b["name"] for b in simulator.committed()[AUDIT].values()]
    assert committed.count("dropped") == 1
    assert_consistent(simulator, tf)


def test_connection_dropped_after_the_commit_is_resolved_by_reading_back(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(4))
    tf.init()
    simulator.set_faults(drop=[{"method": "PUT", "path": "/api/transaction", "when": "after", "count": 1}])
    tf.apply()
    assert simulator.stats()["dropped"] == 1
    assert simulator.stats()["commits"] == 1
    assert_consistent(simulator, tf)


def test_sigint_mid_apply_of_20_leaves_state_and_appliance_equal(simulator: RunningSimulator, tf: Terraform) -> None:
    write_policies(tf, simulator, names(20))
    tf.init()
    simulator.set_faults(commit_duration=1.0)
    proc = subprocess.Popen(
        ["terraform", "apply", "-auto-approve", "-no-color", "-parallelism=5"], cwd=tf.workdir, env=tf.environ(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while simulator.stats()["commits"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches terraform and the provider, as in a terminal
    out, err = proc.communicate(timeout=120)
    assert "Interrupt received" in out + err
    created = len(tf.resources())
    assert 0 < created < 20, f"the interrupt should stop the apply part-way ({created} created)"
    assert_consistent(simulator, tf)
    tf.apply()
    assert len(tf.resources()) == 20
    assert_consistent(simulator, tf)


def test_simulator_killed_mid_commit_keeps_old_config_and_recovers(tmp_path: Path, tf: Terraform) -> None:
    sim = start_simulator(tmp_path / "sim")
    try:
        write_policies(tf, sim, names(5))
        tf.init()
        before = sim.committed()
        sim.set_faults(crash_during_commit=True)
        result = tf.apply_unchecked()
        assert result.returncode == 1
        assert sim.process.wait(10) == -signal.SIGKILL
        sim = sim.restart()
        assert sim.committed() == before, "a crash during commit leaves the old configuration"
        assert_consistent(sim, tf)
        tf.apply()
        assert_consistent(sim, tf)
        assert len(tf.resources()) == 5
    finally:
        sim.stop()


def test_two_applies_against_one_appliance_are_serialized_by_the_lock(
    simulator: RunningSimulator, tmp_path: Path, provider_mirror: Path
) -> None:
    simulator.set_faults(commit_duration=0.5)
    tfs = []
    for prefix in ("a", "b"):
        work = tmp_path / f"tf-{prefix}"
        work.mkdir()
        tf = Terraform(work)
        write_policies(tf, simulator, names(8, prefix))
        tf.init()
        tfs.append(tf)
    results = {}
    threads = [threading.Thread(target=lambda t=t: results.__setitem__(t.workdir, t.apply_unchecked())) for t in tfs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for tf in tfs:
        assert results[tf.workdir].returncode == 0, results[tf.workdir].stderr
        assert len(tf.resources()) == 8
    assert_consistent(simulator, *tfs)
