"""Only what pyproject.toml cannot say: a top-level .pth in the wheel (site-packages), which sets
JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION at interpreter start, before any stack's `import cdktf`
starts Node (whose end-of-life banner would otherwise reach the user's terminal)."""

from __future__ import annotations

import os

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "constructs/sps_constructs_node.pth"


class BuildPyWithPth(build_py):
    def run(self) -> None:
        super().run()
        self.copy_file(PTH, os.path.join(self.build_lib, os.path.basename(PTH)))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), os.path.join(self.build_lib, os.path.basename(PTH))]


setup(cmdclass={"build_py": BuildPyWithPth})
