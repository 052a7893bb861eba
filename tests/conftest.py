"""Shared fixtures: real simulators on free loopback ports, a terraform runner per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_catalog.model import TypeDef
from sps_harness import RunningSimulator, Terraform, postgres, provider_python, start_simulator
from sps_provider.install import install
from tests.support.firmware import firmware_for
from tests.support.paths import ROOT

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
os.environ["CHECKPOINT_DISABLE"] = "1"
os.environ["SPS_PROVIDER_PYTHON"] = provider_python()


@pytest.fixture(scope="session")
def provider_mirror() -> Path:
    """The provider as `make` installs it, rebuilt from the current code."""
    install(ROOT / ".mirror", ROOT / "sps.tfrc")
    return ROOT / ".mirror"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.Cluster]:
    """The project's private PostgreSQL cluster (sps-pg start/stop), one per test worker, made
    afresh. It lives under .state, not pytest's tmp, which as root the server (running as
    `postgres`) cannot enter; nor can it a checkout below a 0700 directory: then .state links to
    the cluster in the temporary directory."""
    directory = ROOT / ".state" / "pytest-pg" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    postgres.remove(directory)
    cluster = postgres.start(directory)
    yield cluster
    postgres.remove(directory)


@pytest.fixture
def simulator(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningSimulator]:
    """A simulator on the default firmware, or on one where the test's type `t` is writable."""
    callspec = getattr(request.node, "callspec", None)
    t = callspec.params.get("t") if callspec is not None else None
    sim = start_simulator(tmp_path / "simulator", *firmware_for([t] if isinstance(t, TypeDef) else []))
    yield sim
    sim.stop()


@pytest.fixture
def tf(tmp_path: Path, provider_mirror: Path) -> Terraform:
    work = tmp_path / "tf"
    work.mkdir()
    return Terraform(work)
