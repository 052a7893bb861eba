"""SIGTERM to the process group (what CI cancellations send) is handled like Ctrl-C: Terraform
stops scheduling, the provider finishes or reverts the group in flight and answers every call, so
every object committed on the appliance is in Terraform's state and no transaction stays open."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from sps_harness import RunningSimulator, Terraform
from tests.support.audit_policies import AUDIT, assert_consistent, names, write_policies


def test_sigterm_to_the_process_group_mid_commit_leaves_state_and_appliance_equal(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(30))
    tf.init()
    simulator.set_faults(commit_duration=1.5)
    proc = subprocess.Popen(
        ["terraform", "apply", "-auto-approve", "-no-color", "-parallelism=10"], cwd=tf.workdir, env=tf.environ(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    # the first group is committed and the next one is committing now (for commit_duration)
    assert simulator.wait_for("commits_started", 2), "the second commit never started"
    os.killpg(proc.pid, signal.SIGTERM)  # as a CI runner cancels a job
    out, err = proc.communicate(timeout=120)
    assert "Interrupt received" in out + err, out + err
    created = len(tf.resources())
    assert 0 < created < 30, f"the signal should stop the apply part-way ({created} created)"
    assert_consistent(simulator, tf)
    tf.apply()
    assert len(tf.resources()) == 30
    assert_consistent(simulator, tf)


def test_sigkill_of_terraform_mid_commit_leaves_no_provider_and_no_open_transaction(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """What SIGKILL cannot keep: the answers of calls in flight never reach the state. What it
    keeps: the orphaned provider finishes them, reverts anything uncommitted and exits."""
    write_policies(tf, simulator, names(30))
    tf.init()
    simulator.set_faults(commit_duration=1.5)
    proc = subprocess.Popen(
        ["terraform", "apply", "-auto-approve", "-no-color", "-parallelism=10"], cwd=tf.workdir, env=tf.environ(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    # the first group is committed and the next one is committing now (for commit_duration)
    assert simulator.wait_for("commits_started", 2), "the second commit never started"
    proc.kill()  # terraform alone: its provider is orphaned, as when a runner kills the main process
    proc.wait()
    deadline = time.monotonic() + 30
    while provider_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not provider_alive(proc.pid), "the provider outlived terraform"
    stats = simulator.stats()
    assert stats["open_transactions"] == 0 and not stats["lock_held"], stats
    in_state = {v["key"] for v in tf.resources().values()}
    committed = set(simulator.committed()[AUDIT])
    assert in_state <= committed  # nothing in state that is not on the appliance


def provider_alive(group: int) -> bool:
    """Whether any process of terraform's process group (its providers) still runs."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
