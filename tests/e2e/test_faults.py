"""The fault matrix: nothing is ever half-applied. Real terraform against a simulator whose fault
switches are turned on; every test ends with the appliance's committed configuration equal to
Terraform's state and no transaction left open."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, Terraform, start_simulator
from tests.support.audit_policies import AUDIT, BUILTIN_AUDIT, assert_consistent, names, write_policies
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block
from tests.support.secrets import SECRET_A, ldap


def background_apply(tf: Terraform, *extra: str) -> subprocess.Popen[str]:
    """`terraform apply` in its own process group, as a terminal or CI runner starts it."""
    return subprocess.Popen(
        ["terraform", "apply", "-auto-approve", "-no-color", *extra], cwd=tf.workdir, env=tf.environ(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


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
        """Twice, while the provider has a transaction open, end every session (as a timeout would);
        the second time once a commit went through after the first."""
        while applying.is_set() and len(expiries) < 2:
            if simulator.wait_for("open_transactions", 1, timeout=1):
                commits = simulator.stats()["commits"]
                expiries.append(simulator.admin_post("expire-sessions", {})["expired"])
                simulator.wait_for("commits", commits + 1, timeout=60)

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
    proc = background_apply(tf, "-parallelism=5")
    assert simulator.wait_for("commits", 1), "no commit"
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


# -- combined faults (issue 12) --------------------------------------------------------------
TRANSACTION = "/api/transaction"
AUDIT_API = f"/api/configuration/{AUDIT}"


def commit_answer_and_status_lost() -> list[dict[str, object]]:
    """Drop rules: the commit is made but its answer lost, and the status check fails (the
    provider tries a GET 4 times)."""
    return [
        {"method": "PUT", "path": TRANSACTION, "when": "after", "count": 1},
        {"method": "GET", "path": TRANSACTION, "when": "before", "count": 4},
    ]


def audit_names(sim: RunningSimulator) -> list[str]:
    return sorted(b["name"] for k, b in sim.committed()[AUDIT].items() if k != BUILTIN_AUDIT)


def test_destroy_whose_commit_is_lost_with_the_session_is_replayed_not_reported_done(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """The commit never arrives and the session ends: the status GET must not log in again and
    read `closed` in a new session (which reported "Destruction complete" with every object left)."""
    write_policies(tf, simulator, names(8))
    tf.init()
    tf.apply()
    simulator.set_faults(
        drop=[{"method": "PUT", "path": TRANSACTION, "when": "before", "count": 1}],
        expire=[{"method": "PUT", "path": TRANSACTION, "when": "before", "count": 1}],
    )
    tf.destroy()
    assert simulator.stats()["dropped"] == 1
    assert audit_names(simulator) == []
    assert_consistent(simulator, tf)


def test_lost_post_answer_with_the_session_ending_replays_the_whole_group(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """8 deletes + 1 create in one group; the create's answer is lost and the session ends with
    it. Before, the changelog GET logged in again, found nothing, re-sent the POST in a new
    transaction and committed only that: the deletes were lost but reported done."""
    write_policies(tf, simulator, names(8))
    tf.init()
    tf.apply()
    write_policies(tf, simulator, ["new"])
    simulator.set_faults(
        drop=[{"method": "POST", "path": AUDIT_API, "when": "after", "count": 1}],
        expire=[{"method": "POST", "path": AUDIT_API, "when": "after", "count": 1}],
    )
    tf.apply()
    assert simulator.stats()["dropped"] == 1
    assert audit_names(simulator) == ["new"]
    assert_consistent(simulator, tf)


def test_lost_commit_answer_with_failing_status_checks_is_settled_by_reading_back(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """Before, the failed status check took the 'commit failed' path and retried each change
    alone: every POST answered 'already exists' and the objects were orphaned."""
    write_policies(tf, simulator, names(4))
    tf.init()
    simulator.set_faults(drop=commit_answer_and_status_lost())
    tf.apply()
    assert simulator.stats()["dropped"] == 5
    assert simulator.stats()["commits"] == 1
    assert_consistent(simulator, tf)


def test_an_outcome_nothing_can_establish_is_reported_unknown_and_the_next_apply_adopts(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """Commit answer lost, status check and read-back both failing: each resource gets an error
    saying it may be applied and how to check; the next apply finds the objects (same name,
    exactly the configured values) and adopts them instead of failing on 'already exists'."""
    write_policies(tf, simulator, names(3))
    tf.init()
    read_back_fails = {"method": "GET", "path": f"{AUDIT_API}/", "when": "before", "count": 4}
    simulator.set_faults(drop=[*commit_answer_and_status_lost(), read_back_fails])
    result = tf.apply_unchecked()
    assert result.returncode == 1
    err = " ".join(result.stderr.split())
    assert err.count("Error: Outcome unknown: sps_audit_policy may have been applied on SPS") == 3, err
    assert "terraform import` it with the key" in err
    assert simulator.stats()["commits"] == 1 and audit_names(simulator) == names(3), "never retried blindly"
    assert tf.resources() == {}
    adopted = tf.apply()
    assert adopted.stdout.count("adopted") >= 3, adopted.stdout
    assert simulator.stats()["commits"] == 1, "nothing was created again"
    assert_consistent(simulator, tf)
    assert not tf.plan_changes()


def test_lost_answer_to_opening_a_transaction_neither_fails_nor_leaks_the_lock(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write_policies(tf, simulator, names(3))
    tf.init()
    simulator.set_faults(drop=[{"method": "POST", "path": TRANSACTION, "when": "after", "count": 1}])
    tf.apply()
    assert simulator.stats()["dropped"] == 1
    assert_consistent(simulator, tf)


def test_a_revert_without_answer_is_repeated_when_the_provider_shuts_down(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """A change SPS refuses at commit leaves a transaction to revert; the revert gets no answer.
    The transaction must not stay with the session after terraform exits."""
    write_policies(tf, simulator, ["p"])
    tf.init()
    simulator.set_faults(
        reject_at_commit=["p"], drop=[{"method": "DELETE", "path": TRANSACTION, "when": "before", "count": 1}]
    )
    result = tf.apply_unchecked()
    assert result.returncode == 1 and "'p' is refused at commit" in result.stderr, result.stderr
    assert simulator.stats()["dropped"] == 1
    assert_consistent(simulator, tf)


def test_lost_answer_to_a_password_post_leaves_exactly_one_password_object(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """The changelog hides a password object's value, so the lost POST cannot be matched by body;
    it is the create nobody claimed. Before, a second, permanent password object was created."""
    (tf.workdir / "main.tf").write_text(ldap(simulator, 1))
    tf.env["TF_VAR_bind_password"] = SECRET_A
    tf.init()
    before = set(simulator.committed()["passwords"])
    simulator.set_faults(drop=[{"method": "POST", "path": "/api/configuration/passwords", "when": "after", "count": 1}])
    tf.apply()
    assert simulator.stats()["dropped"] == 1
    created = set(simulator.committed()["passwords"]) - before
    assert created == {tf.resources()["sps_ldap_server.ad"]["bind_password"]}
    stats = simulator.stats()
    assert stats["open_transactions"] == 0 and not stats["lock_held"]


def test_ctrl_c_ends_a_lock_wait_at_once(simulator: RunningSimulator, tf: Terraform) -> None:
    write_policies(tf, simulator, names(3), lock_timeout=600)
    tf.init()
    simulator.admin_post("hold-lock", {"seconds": 600, "user": "webadmin"})
    proc = background_apply(tf)
    assert simulator.wait_for("lock_conflicts", 2), "the provider never waited for the lock"  # it is in its lock wait
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)  # lock_timeout is 600 s: only the stop ends the wait
    text = " ".join((out + err).split())
    assert "stopped while waiting for the configuration lock; nothing was changed" in text, text
    assert tf.resources() == {}
    assert audit_names(simulator) == []
    simulator.admin_post("expire-sessions", {})
    assert_consistent(simulator, tf)


def provider_pids(terraform_pid: int) -> list[int]:
    """The provider plugin processes terraform started."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(terraform_pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_sigkill_of_the_provider_after_a_commit_converges_on_the_next_apply(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    """SIGKILL after SPS committed but before Terraform heard of it: the objects are on the
    appliance and not in state. The next apply adopts them (same name, exactly the configured
    values) instead of failing on 'already exists' or creating them twice."""
    write_policies(tf, simulator, names(5))
    tf.init()
    simulator.set_faults(drop=[{"method": "PUT", "path": TRANSACTION, "when": "after", "count": 1}])
    proc = background_apply(tf)
    assert simulator.wait_for("dropped", 1), "the commit's answer was never dropped"
    simulator.set_faults(latency=5.0)  # the provider's status check hangs: it is killed before an answer
    for pid in provider_pids(proc.pid):
        os.kill(pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    simulator.set_faults(latency=0.0)
    assert proc.returncode != 0
    assert audit_names(simulator) == names(5) and tf.resources() == {}
    assert tf.apply().stdout.count("adopted") >= 5
    assert_consistent(simulator, tf)
    assert simulator.stats()["commits"] == 1


def test_two_resources_of_one_name_never_share_an_object(simulator: RunningSimulator, tf: Terraform) -> None:
    """Adoption must not hand the object one resource created to another resource that has the
    same name and values (plain HCL can say that; the constructs refuse it at synth)."""
    block = '  name = "same"\n  encryption = { enabled = false }\n  signing = { enabled = false }\n'
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS + provider_block(simulator)
        + f'resource "sps_audit_policy" "a" {{\n{block}}}\nresource "sps_audit_policy" "b" {{\n{block}}}\n'
    )  # fmt: skip
    tf.init()
    result = tf.apply_unchecked()
    assert result.returncode == 1 and "named 'same' already exists" in result.stderr
    assert len(tf.resources()) == 1
    assert audit_names(simulator) == ["same"]
    assert_consistent(simulator, tf)
