"""`make dist`'s second artefact: the wheel sps_as_code-<version>-py3-none-any.whl (constructs, provider
sources, simulator, tools), the same bytes for the same commit on any machine.

It is built from a copy of the sources, not the checkout: setuptools builds in the source tree,
so a checkout's build/ folder could carry a module deleted since, and file modes follow the
umask of whoever cloned. The copy has the modes fixed, the build uses the lock's setuptools
(no build isolation) and SOURCE_DATE_EPOCH (default 1980-01-01) sets every entry's time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Files outside the package folders that the build reads (setup.py adds the .pth to the wheel).
BUILD_FILES = ("pyproject.toml", "setup.py", "constructs/sps_constructs_node.pth")
ZIP_EPOCH = "315532800"


class WheelError(RuntimeError):
    """The build failed, or setuptools warned (a package left out of pyproject's list, say)."""


def package_dirs(root: Path = ROOT) -> list[str]:
    """The folders of the project's top-level packages (pyproject's package-dir), relative to `root`."""
    package_dir: dict[str, str] = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"
    ]
    return list(package_dir.values())


def copy_sources(root: Path, dest: Path) -> None:
    """The package folders and build files of `root` in `dest`, files 0644 and folders 0755."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for rel in package_dirs(root):
        shutil.copytree(root / rel, dest / rel, ignore=ignore)
    for rel in BUILD_FILES:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, dest / rel)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def build(out: Path, root: Path = ROOT) -> Path:
    """Builds the wheel into `out` (created if missing) and returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src, wheels = Path(tmp) / "src", Path(tmp) / "wheels"
        copy_sources(root, src)
        env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH") or ZIP_EPOCH)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", wheels, src],
            env=env,
            umask=0o022,  # setuptools' build/ copies take the umask's modes, and the wheel records them
            capture_output=True,
            text=True,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0 or "Warning" in output:
            raise WheelError(f"building the wheel from {root} {'failed' if result.returncode else 'warned'}:\n{output}")
        (wheel,) = wheels.glob("*.whl")
        target = out / wheel.name
        shutil.copyfile(wheel, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sps_harness.wheel", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default dist)")
    args = parser.parse_args(argv)
    wheel = build(args.out)
    print(f"{wheel}  sha256 {hashlib.sha256(wheel.read_bytes()).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
