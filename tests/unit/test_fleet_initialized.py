"""When sps-fleet may skip a stack's `terraform init` (sps_fleet.initialized): only while nothing
init acts on has changed since the last successful one (the runner's use of it is tested e2e)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from sps_fleet import initialized


def synthesize(tmp_path: Path, resources: int = 1, backend: str = "s1") -> None:
    config: dict[str, Any] = {
        "terraform": {"backend": {"pg": {"schema_name": backend}}, "required_providers": {"sps": {"version": "0.1.0"}}},
        "resource": {"sps_audit_policy": {f"p{i}": {"name": f"p{i}"} for i in range(resources)}},
    }
    (tmp_path / "cdk.tf.json").write_text(json.dumps(config))


def stack(tmp_path: Path) -> dict[str, str]:
    """A synthesized stack in tmp_path, initialized once (data dir present), and its environment."""
    synthesize(tmp_path)
    (tmp_path / ".terraform.lock.hcl").write_text('provider "x" { hashes = ["h1:a"] }\n')
    (tmp_path / ".terraform").mkdir(exist_ok=True)
    terraform = tmp_path / "bin" / "terraform"
    terraform.parent.mkdir(exist_ok=True)
    terraform.write_text("#!/bin/sh\n")
    terraform.chmod(terraform.stat().st_mode | stat.S_IEXEC)
    cli_config = tmp_path / "sps.tfrc"
    cli_config.write_text('provider_installation { filesystem_mirror { path = "/m" } }\n')
    return {"PATH": str(terraform.parent), "TF_CLI_CONFIG_FILE": str(cli_config)}


def test_an_init_is_current_once_recorded_and_until_forgotten(tmp_path: Path) -> None:
    env = stack(tmp_path)
    assert not initialized.is_current(tmp_path, env), "never initialized by sps-fleet"
    initialized.record(tmp_path, env)
    assert initialized.is_current(tmp_path, env)
    initialized.forget(tmp_path, env)
    assert not initialized.is_current(tmp_path, env)


def test_resources_do_not_matter_but_the_terraform_block_does(tmp_path: Path) -> None:
    env = stack(tmp_path)
    initialized.record(tmp_path, env)
    synthesize(tmp_path, resources=5)
    assert initialized.is_current(tmp_path, env), "a changed resource needs no init"
    synthesize(tmp_path, resources=5, backend="s2")
    assert not initialized.is_current(tmp_path, env), "a changed backend does"


@pytest.mark.parametrize("change", ["lock file", "CLI configuration", "terraform executable", "TF_PLUGIN_CACHE_DIR"])
def test_every_input_of_init_brings_it_back(tmp_path: Path, change: str) -> None:
    env = stack(tmp_path)
    initialized.record(tmp_path, env)
    if change == "lock file":
        (tmp_path / ".terraform.lock.hcl").write_text('provider "x" { hashes = ["h1:b"] }\n')
    elif change == "CLI configuration":
        Path(env["TF_CLI_CONFIG_FILE"]).write_text("provider_installation { direct {} }\n")
    elif change == "terraform executable":
        (tmp_path / "bin" / "terraform").write_text("#!/bin/sh\n# another version\n")
    else:
        env["TF_PLUGIN_CACHE_DIR"] = str(tmp_path / "cache")
    assert not initialized.is_current(tmp_path, env)


def test_a_deleted_data_directory_brings_init_back(tmp_path: Path) -> None:
    env = stack(tmp_path)
    initialized.record(tmp_path, env)
    (tmp_path / ".terraform" / initialized.RECORD).unlink()
    (tmp_path / ".terraform").rmdir()
    assert not initialized.is_current(tmp_path, env)
    initialized.record(tmp_path, env)
    assert not initialized.is_current(tmp_path, env), "no data directory: nothing initialized to record"


def test_tf_data_dir_is_where_the_record_and_the_workspace_are(tmp_path: Path) -> None:
    env = stack(tmp_path) | {"TF_DATA_DIR": "data"}
    (tmp_path / "data").mkdir()
    initialized.record(tmp_path, env)
    assert (tmp_path / "data" / initialized.RECORD).is_file()
    assert initialized.selected_workspace(tmp_path, env) == "default", "nothing selected yet"
    (tmp_path / "data" / "environment").write_text("ams")
    assert initialized.selected_workspace(tmp_path, env) == "ams"
