"""Shared fixtures: real simulators on free loopback ports, a terraform runner per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_harness import RunningSimulator, Terraform, postgres, start_simulator
from sps_provider.install import install

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")
os.environ["CHECKPOINT_DISABLE"] = "1"


@pytest.fixture(scope="session")
def provider_mirror() -> Path:
    """The provider as `make` installs it, rebuilt from the current code."""
    install(ROOT / ".mirror", ROOT / "sps.tfrc")
    return ROOT / ".mirror"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.Cluster]:
    """The project's private PostgreSQL cluster (sps-pg start/stop), one per test worker. It lives
    under .state, not pytest's tmp: as root the server runs as `postgres`, which cannot enter it."""
    directory = ROOT / ".state" / "pytest-pg" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    shutil.rmtree(directory, ignore_errors=True)
    cluster = postgres.start(directory)
    yield cluster
    postgres.stop(directory)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[RunningSimulator]:
    sim = start_simulator(tmp_path / "simulator")
    yield sim
    sim.stop()


def provider_block(sim: RunningSimulator, alias: str | None = None, **extra: object) -> str:
    lines = [
        'provider "sps" {',
        *([f'  alias = "{alias}"'] if alias else []),
        f'  url = "{sim.url}"',
        '  username = "admin"',
        '  password = "admin"',
        f'  ca_bundle = "{sim.ca}"',
        *[f"  {k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in extra.items()],
        "}",
    ]
    return "\n".join(lines) + "\n"


REQUIRED_PROVIDERS = 'terraform {\n  required_providers {\n    sps = { source = "oneidentity/sps" }\n  }\n}\n'


@pytest.fixture
def tf(tmp_path: Path, provider_mirror: Path) -> Terraform:
    work = tmp_path / "tf"
    work.mkdir()
    return Terraform(work)
