"""Firmware profiles through the real terraform: a type read-only on the connected appliance is
refused at plan, naming the appliance, its version and the data source to use; the same
configuration applies on a firmware where the type is writable, and an appliance upgraded
underneath it plans without writing (a warning) until a change is asked for (an error)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_catalog import load_catalog
from sps_catalog.examples import HclConfig, hcl_resource
from sps_harness import RunningSimulator, Terraform, start_simulator
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

CATALOG = load_catalog()
VNC = CATALOG["vnc_connection_policy"]


def write(tf: Terraform, sim: RunningSimulator, example: str) -> None:
    cfg = HclConfig()
    hcl_resource(CATALOG, VNC, "this", dict(VNC.examples[example]), cfg)
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim) + cfg.text())


@pytest.fixture
def on_7_3_1(tmp_path: Path) -> Iterator[RunningSimulator]:
    sim = start_simulator(tmp_path / "sim", "--firmware", "7.3.1")
    yield sim
    sim.stop()


def test_a_type_read_only_on_the_appliance_fails_at_plan(simulator: RunningSimulator, tf: Terraform) -> None:
    write(tf, simulator, "minimal")
    tf.init()
    result = tf.run("plan", "-no-color", check=False)
    assert result.returncode != 0
    err = " ".join(result.stderr.split())
    assert "sps_vnc_connection_policy is read-only on this appliance" in err, err
    assert f"{simulator.url} runs SPS 7.5.1" in err and 'data "sps_vnc_connection_policy"' in err, err
    assert "with sps_vnc_connection_policy.this" in err, "Terraform names the resource"
    assert simulator.stats()["commits"] == 0


def test_lifecycle_on_7_3_1_then_upgrade_to_7_5_1(on_7_3_1: RunningSimulator, tf: Terraform) -> None:
    write(tf, on_7_3_1, "minimal")
    tf.init()
    tf.apply()
    write(tf, on_7_3_1, "update")
    tf.apply()
    assert not tf.plan_changes()

    on_7_3_1.args[on_7_3_1.args.index("--firmware") + 1] = "7.5.1"
    upgraded = on_7_3_1.restart()
    try:
        plan = tf.run("plan", "-no-color")
        assert "No changes" in plan.stdout and "is read-only on this appliance" in plan.stdout, plan.stdout
        write(tf, upgraded, "minimal")
        result = tf.run("plan", "-no-color", check=False)
        assert result.returncode != 0 and "SPS 7.5.1" in result.stderr, result.stderr
    finally:
        upgraded.stop()
