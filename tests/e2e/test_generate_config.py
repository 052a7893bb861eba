"""`terraform plan -generate-config-out` writes usable configuration: the generated HCL plans with
no changes, and the lifecycle goes on from it (update, destroy)."""

from __future__ import annotations

import pytest

from sps_catalog import load_catalog
from sps_catalog.examples import HclConfig, hcl_resource
from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

CATALOG = load_catalog()


@pytest.mark.parametrize("type_name", ["audit_policy", "mssql_connection_policy", "backup_policy"])
def test_import_with_generated_config(type_name: str, simulator: RunningSimulator, tf: Terraform) -> None:
    t = CATALOG[type_name]
    cfg = HclConfig()
    hcl_resource(CATALOG, t, "seed", dict(t.examples["minimal"]), cfg)
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(simulator) + cfg.text())
    tf.init()
    tf.apply()
    key = tf.resources()[f"{t.resource_type}.seed"]["key"]
    tf.run("state", "rm", f"{t.resource_type}.seed")

    data_blocks = "".join(cfg.data.values())
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS + provider_block(simulator) + data_blocks
        + f'import {{\n  to = {t.resource_type}.imported\n  id = "{key}"\n}}\n'
    )  # fmt: skip
    result = tf.run("plan", "-no-color", "-generate-config-out=generated.tf")
    assert "1 to import, 0 to add, 0 to change, 0 to destroy" in result.stdout, result.stdout
    generated = (tf.workdir / "generated.tf").read_text()
    assert f'resource "{t.resource_type}" "imported"' in generated
    tf.apply()
    assert not tf.plan_changes(), "the generated configuration must plan with no changes"
    (tf.workdir / "generated.tf").write_text(generated.replace(t.examples["minimal"]["name"], "renamed_by_hcl"))
    assert "1 to change" in tf.run("plan", "-no-color").stdout
    tf.apply()
    assert tf.resources()[f"{t.resource_type}.imported"]["name"] == "renamed_by_hcl"
    tf.destroy()
    assert tf.resources() == {}
