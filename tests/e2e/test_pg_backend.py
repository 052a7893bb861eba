"""Shared state with locking: Terraform's pg backend on the project's PostgreSQL cluster (sps-pg),
real terraform, real provider, a real simulator.

The pg backend's lock is a PostgreSQL session advisory lock: it lives exactly as long as the
database session of the terraform process that took it. These tests pin what that means for a
team: a concurrent apply is refused; a killed apply leaves no lock; a hung apply keeps it, and
`terraform force-unlock` cannot release it (it reports success, yet the lock stays), while
`sps-pg unlock` (which ends the holder's session) does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, Terraform, postgres
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

LOCKED = "Error acquiring the state lock"


def config(sim: RunningSimulator, schema: str, *policies: str) -> str:
    backend = f'terraform {{\n  backend "pg" {{\n    schema_name = "{schema}"\n  }}\n}}\n'
    resources = "".join(
        f'resource "sps_audit_policy" "{p}" {{\n  name = "{p}"\n'
        "  encryption = { enabled = false }\n  signing = { enabled = false }\n}\n"
        for p in policies
    )
    return REQUIRED_PROVIDERS + backend + provider_block(sim) + resources


@dataclass
class Team:
    """Two working directories of one configuration, as on two machines or CI runners, sharing a
    state in schema `schema`; both are initialized, and the first has applied, so the state exists."""

    sim: RunningSimulator
    cluster: postgres.Cluster
    schema: str
    first: Terraform
    second: Terraform

    def configure(self, tf: Terraform, *policies: str) -> None:
        (tf.workdir / "main.tf").write_text(config(self.sim, self.schema, *policies))


@pytest.fixture
def team(
    simulator: RunningSimulator, pg_cluster: postgres.Cluster, provider_mirror: Path, tmp_path: Path, schema: str
) -> Team:
    first, second = (Terraform(tmp_path / name, env=pg_cluster.env()) for name in ("first", "second"))
    team = Team(simulator, pg_cluster, schema, first, second)
    for tf in (first, second):
        tf.workdir.mkdir()
        team.configure(tf, "first")
        tf.init()
    first.apply()
    return team


def start_apply(tf: Terraform) -> subprocess.Popen[bytes]:
    """`terraform apply` in its own process group (so it can be killed or frozen as a whole)."""
    return subprocess.Popen(
        ["terraform", "apply", "-auto-approve", "-input=false", "-no-color"],
        cwd=tf.workdir,
        env=tf.environ(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for_lock(cluster: postgres.Cluster, schema: str, held: bool = True, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while bool(cluster.lock_holders(schema)) != held:
        assert time.monotonic() < deadline, f"the state lock of {schema} was {'never taken' if held else 'kept'}"
        time.sleep(0.2)


@pytest.fixture
def schema(request: pytest.FixtureRequest) -> str:
    return f"t_{request.node.name.removeprefix('test_')[:40]}_{os.getpid()}"


@pytest.fixture
def group() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Applies started by a test; whatever state they are left in, their process groups end."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            os.killpg(proc.pid, signal.SIGCONT)
            proc.wait()


def test_second_concurrent_apply_is_refused_and_changes_nothing(
    team: Team, group: list[subprocess.Popen[bytes]]
) -> None:
    simulator, pg_cluster, schema, alice, bob = team.sim, team.cluster, team.schema, team.first, team.second
    assert not bob.plan_changes(), "bob reads the state alice wrote"
    for tf in (alice, bob):
        team.configure(tf, "first", "second")
    commits = simulator.stats()["commits"]
    simulator.set_faults(commit_duration=5.0)  # alice's apply holds the state lock while it commits

    group.append(alice_apply := start_apply(alice))
    wait_for_lock(pg_cluster, schema)
    refused = bob.apply_unchecked("-lock-timeout=0s")
    assert refused.returncode == 1
    assert LOCKED in refused.stderr and "Workspace is already locked: default" in refused.stderr, refused.stderr
    assert alice_apply.wait(300) == 0

    assert simulator.stats()["commits"] == commits + 1, "only alice's apply committed"
    names = sorted(body["name"] for body in simulator.committed()["policies/audit_policies"].values())
    assert "second" in names and names.count("second") == 1
    simulator.set_faults(commit_duration=0.0)
    assert not bob.plan_changes(), "bob's refused apply left nothing to do: alice applied the same change"


def test_killed_apply_leaves_no_lock_and_hung_apply_needs_sps_pg_unlock(
    team: Team, group: list[subprocess.Popen[bytes]]
) -> None:
    simulator, pg_cluster, schema, runner, other = team.sim, team.cluster, team.schema, team.first, team.second
    team.configure(runner, "first", "second")
    simulator.set_faults(commit_duration=30.0)

    # Killed (a cancelled CI job): its database session ends, PostgreSQL drops the lock at once.
    group.append(killed := start_apply(runner))
    wait_for_lock(pg_cluster, schema)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    wait_for_lock(pg_cluster, schema, held=False, timeout=30)
    assert other.run("plan", "-input=false", "-no-color", "-lock-timeout=0s", check=False).returncode == 0

    # Hung (a frozen runner): the session stays, so does the lock.
    group.append(hung := start_apply(runner))
    wait_for_lock(pg_cluster, schema)
    os.killpg(hung.pid, signal.SIGSTOP)
    refused = other.run("plan", "-input=false", "-no-color", "-lock-timeout=0s", check=False)
    assert refused.returncode == 1 and LOCKED in refused.stderr
    lock_id = next(ln.split()[-1] for ln in refused.stderr.splitlines() if ln.strip().startswith("ID:"))
    unlocked = other.run("force-unlock", "-force", lock_id, check=False)
    assert unlocked.returncode == 0 and "successfully unlocked" in unlocked.stdout
    still = other.run("plan", "-input=false", "-no-color", "-lock-timeout=0s", check=False)
    assert still.returncode == 1 and LOCKED in still.stderr, "force-unlock cannot end another session's lock"

    sps_pg = [sys.executable, "-m", "sps_harness.postgres", "unlock", schema, "--dir", str(pg_cluster.directory)]
    released = subprocess.run(sps_pg, capture_output=True, text=True, check=True).stdout
    assert "lock released" in released
    assert other.run("plan", "-input=false", "-no-color", "-lock-timeout=0s", check=False).returncode == 0
