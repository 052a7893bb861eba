"""The package in the mirror only changes when its inputs do: installs from other processes (parallel
test workers) must not rewrite it, or working directories initialised moments before fail their
lock-file check mid-run; a changed build replaces the whole tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sps_provider.install import install
from sps_provider.package import build_id, installed_build_id

INSTALL = (
    "import sys; from pathlib import Path; from sps_provider.install import install; "
    "install(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def test_installs_from_other_processes_keep_the_same_files(tmp_path: Path) -> None:
    target = install(tmp_path / "mirror", tmp_path / "sps.tfrc")
    assert installed_build_id(target) == build_id()
    before = {p: p.stat().st_mtime_ns for p in target.parent.rglob("*")}
    workers = [subprocess.Popen([sys.executable, "-c", INSTALL, str(tmp_path / "mirror"), str(tmp_path / "sps.tfrc")])
               for _ in range(3)]  # fmt: skip
    assert [w.wait() for w in workers] == [0, 0, 0]
    assert {p: p.stat().st_mtime_ns for p in target.parent.rglob("*")} == before


def test_a_different_build_replaces_the_tree(tmp_path: Path) -> None:
    target = install(tmp_path / "mirror", tmp_path / "sps.tfrc")
    stale = target.parent / "lib" / "left-over.py"
    stale.write_text("")
    target.write_text(target.read_text().replace(build_id(), "0" * 32))
    install(tmp_path / "mirror", tmp_path / "sps.tfrc")
    assert installed_build_id(target) == build_id()
    assert not stale.exists()
    assert sorted(p.name for p in target.parent.parent.iterdir()) == [target.parent.name]
