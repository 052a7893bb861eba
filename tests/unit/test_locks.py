"""requirements.lock and requirements-cdktn.lock agree with pyproject.toml, and the check that says
so catches each way they can drift apart (docs/adr/0018)."""

from __future__ import annotations

import shutil
from pathlib import Path

from packaging.requirements import Requirement

from sps_harness import locks

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_locks_match_pyproject() -> None:
    assert locks.disagreements() == [], "run `make relock`"
    cdktn = [Requirement(text) for text in ("cdktn~=0.24.0",)]
    assert locks.disagreements(locks.CDKTN_LOCK, cdktn) == [], "run `make relock`"


def test_every_entry_is_pinned_exactly_with_hashes() -> None:
    pins = locks.parse(locks.LOCK)
    assert len(pins) > 50
    for pin in pins:
        assert pin.text.count("--hash=sha256:") >= 1, pin.name
        assert pin.via or pin.name in {"sps-as-code"}, f"{pin.name}: uv records who requires it"


def _project_copy(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    text = (tmp_path / "pyproject.toml").read_text()
    assert old in text
    (tmp_path / "pyproject.toml").write_text(text.replace(old, new))
    return tmp_path


def test_a_dependency_added_to_pyproject_but_not_locked_is_reported(tmp_path: Path) -> None:
    root = _project_copy(tmp_path, '"msgpack~=1.1",', '"msgpack~=1.1",\n    "attrs-not-locked>=1",')
    problems = locks.disagreements(requirements=locks.declared(root=root))
    assert problems == ["attrs-not-locked>=1 is declared in pyproject.toml but not pinned in requirements.lock"]


def test_a_range_the_locked_version_leaves_is_reported(tmp_path: Path) -> None:
    root = _project_copy(tmp_path, '"msgpack~=1.1",', '"msgpack<1.0",')
    (problem,) = locks.disagreements(requirements=locks.declared(root=root))
    assert problem.startswith("msgpack<1.0 is declared in pyproject.toml but requirements.lock pins 1.")


def test_a_dependency_dropped_from_pyproject_is_reported(tmp_path: Path) -> None:
    root = _project_copy(tmp_path, '    "hpack~=4.1",\n', "")
    problems = locks.disagreements(requirements=locks.declared(root=root))
    assert problems == ["hpack is pinned for pyproject.toml in requirements.lock, which no longer declares it"]


def test_the_runtime_part_holds_what_the_provider_constructs_and_simulator_import_and_no_tool() -> None:
    names = {pin.name for pin in locks.runtime_pins()}
    assert {"cdktf", "jsii", "requests", "protobuf", "cryptography", "packaging", "urllib3", "cffi"} <= names
    assert {"starlette", "uvicorn", "anyio", "h11"} <= names
    assert not names & {"pytest", "mypy", "uv", "pyyaml", "jinja2", "grpcio", "matplotlib", "pip", "setuptools"}
    assert {pin.name for pin in locks.runtime_pins(extras=())}.isdisjoint({"starlette", "uvicorn"})


def test_sps_init_ships_the_runtime_part_of_the_current_lock() -> None:
    assert locks.RUNTIME_TEMPLATE.read_text() == locks.runtime_requirements(), "run `make relock`"
