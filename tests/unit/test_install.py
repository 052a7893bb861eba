"""The provider executable in the mirror only changes when its code does: installs from other
processes or under other interpreter names must not rewrite it, or Terraform working directories
initialised with the old bytes fail their lock-file check mid-run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sps_provider.install import build_id, install, installed_build_id, interpreter

INSTALL = (
    "import sys; from pathlib import Path; from sps_provider.install import install; "
    "install(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def test_installs_from_other_processes_and_names_keep_the_same_bytes(tmp_path: Path) -> None:
    target = install(tmp_path / "mirror", tmp_path / "sps.tfrc")
    first = target.read_bytes()
    assert installed_build_id(target) == build_id(interpreter())
    bindir = Path(sys.prefix, "bin")
    for name in ("python", "python3", Path(sys.executable).name):
        subprocess.run([str(bindir / name), "-c", INSTALL, str(tmp_path / "mirror"), str(tmp_path / "sps.tfrc")],
                       check=True)  # fmt: skip
        assert target.read_bytes() == first, f"an install by {name} rewrote an unchanged build"


def test_a_different_build_is_rewritten(tmp_path: Path) -> None:
    target = install(tmp_path / "mirror", tmp_path / "sps.tfrc", python="/opt/other/python")
    assert target.read_bytes().startswith(b"#!/opt/other/python -I\n")
    install(tmp_path / "mirror", tmp_path / "sps.tfrc")
    assert target.read_bytes().startswith(f"#!{interpreter()} -I\n".encode())
    assert build_id("/opt/other/python") != build_id(interpreter())
