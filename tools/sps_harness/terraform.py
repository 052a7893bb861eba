"""Run the real `terraform` binary with the project's CLI config (TF_CLI_CONFIG_FILE)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TFRC = ROOT / "sps.tfrc"


def provider_python() -> str:
    """The interpreter the provider package runs on (its launcher reads SPS_PROVIDER_PYTHON): the
    real file behind this environment's Python, so a version-manager shim (pyenv: ~50 ms and more
    per start) stays out of every provider start."""
    return os.environ.get("SPS_PROVIDER_PYTHON") or os.path.realpath(sys.executable)


class TerraformError(RuntimeError):
    def __init__(self, args: list[str], result: subprocess.CompletedProcess[str]) -> None:
        super().__init__(f"terraform {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        self.result = result
        self.stdout = result.stdout
        self.stderr = result.stderr


@dataclass
class Terraform:
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    binary: str = "terraform"

    def environ(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "TF_CLI_CONFIG_FILE": str(TFRC),
                "CHECKPOINT_DISABLE": "1",
                "TF_IN_AUTOMATION": "1",
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "18,20",
                "SPS_PROVIDER_PYTHON": provider_python(),
            }
        )
        env.update(self.env)
        return env

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        cmd = [self.binary, *args]
        result = subprocess.run(
            cmd, cwd=self.workdir, env=self.environ(), capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise TerraformError(list(args), result)
        return result

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color", "-upgrade")

    def apply(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("apply", "-auto-approve", "-input=false", "-no-color", *extra)

    def apply_unchecked(self, *extra: str) -> subprocess.CompletedProcess[str]:
        """`apply` whose failure the caller inspects."""
        return self.run("apply", "-auto-approve", "-input=false", "-no-color", *extra, check=False)

    def destroy(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "-auto-approve", "-input=false", "-no-color", *extra)

    def plan_changes(self, *extra: str) -> bool:
        """True when `plan -detailed-exitcode` finds changes (exit 2), False for none (exit 0)."""
        result = self.run("plan", "-detailed-exitcode", "-input=false", "-no-color", *extra, check=False)
        if result.returncode not in (0, 2):
            raise TerraformError(["plan", *extra], result)
        return result.returncode == 2

    def state(self) -> dict[str, Any]:
        out = self.run("show", "-json").stdout
        data: dict[str, Any] = json.loads(out) if out.strip() else {}
        return data

    def resources(self) -> dict[str, dict[str, Any]]:
        """address -> attribute values, from `terraform show -json`."""
        root = self.state().get("values", {}).get("root_module", {})
        return {r["address"]: r["values"] for r in root.get("resources", [])}
