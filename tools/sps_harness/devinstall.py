"""Finishes the development install (`make install`): two .pth files in the virtualenv's site-packages.

- `sps_as_code_src.pth` lists the checkout's source roots (from pyproject's package-dir). The
  editable install reaches the packages through an import hook, which runs for Python but which
  type checkers cannot follow: with these plain paths `.venv/bin/mypy --strict main.py` checks a
  stack kept in any folder against the checkout, with no MYPYPATH, and a module added to the
  checkout is visible without reinstalling.
- `sps_constructs_node.pth`, which the wheel installs but an editable install leaves out: it keeps
  Node's end-of-life banner off the user's terminal (setup.py says why).
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

from sps_harness.wheel import package_dirs

ROOT = Path(__file__).resolve().parents[2]
SRC_PTH = "sps_as_code_src.pth"
NODE_PTH = ROOT / "constructs" / "sps_constructs_node.pth"


def source_roots(root: Path = ROOT) -> list[Path]:
    """The folders that hold the project's top-level packages, in pyproject order, each once."""
    return list(dict.fromkeys((root / path).parent for path in package_dirs(root)))


def main() -> int:
    site = Path(sysconfig.get_path("purelib"))
    (site / SRC_PTH).write_text("".join(f"{path}\n" for path in source_roots()))
    shutil.copy(NODE_PTH, site / NODE_PTH.name)
    print(f"{site / SRC_PTH}: the checkout's source roots, for type checkers", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
