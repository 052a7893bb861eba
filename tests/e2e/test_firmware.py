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


def test_removing_a_resource_read_only_after_an_upgrade_is_refused_at_plan_with_the_way_out(
    on_7_3_1: RunningSimulator, tf: Terraform
) -> None:
    """Before, the plan said `1 to destroy` with no word and the apply failed with MethodNotAllowed."""
    write(tf, on_7_3_1, "minimal")
    tf.init()
    tf.apply()
    addresses = [a for a in tf.resources() if not a.startswith("data.")]  # the policy, its channel policy
    key = tf.resources()["sps_vnc_connection_policy.this"]["key"]
    on_7_3_1.args[on_7_3_1.args.index("--firmware") + 1] = "7.5.1"
    upgraded = on_7_3_1.restart()
    try:
        main = tf.workdir / "main.tf"
        main.write_text(REQUIRED_PROVIDERS + provider_block(upgraded))
        for command in (("plan",), ("destroy", "-auto-approve")):
            result = tf.run(*command, "-no-color", "-input=false", check=False)
            err = " ".join(result.stderr.split())
            assert result.returncode != 0, result.stdout
            assert "sps_vnc_connection_policy cannot be destroyed on this appliance" in err, err
            assert f"{upgraded.url} runs SPS 7.5.1" in err and f"{VNC.api_path}/{key}" in err, err
            assert "`removed` block" in err and "destroy = false" in err and "terraform state rm" in err, err
        assert upgraded.stats()["commits"] == 0

        removed = "".join(
            f"removed {{\n  from = {a}\n  lifecycle {{\n    destroy = false\n  }}\n}}\n" for a in addresses
        )
        main.write_text(REQUIRED_PROVIDERS + provider_block(upgraded) + removed)
        tf.apply()
        assert not tf.resources()
        assert key in upgraded.committed()[VNC.path], "the object stays on the appliance"
        assert upgraded.stats()["commits"] == 0
    finally:
        upgraded.stop()


@pytest.mark.parametrize(
    ("type_name", "firmware", "since"),
    [("telnet_connection_policy", "6.9.4", "6.10"), ("http_connection_policy", "6.10.0", "6.14")],
)
def test_a_connection_policy_older_firmware_lacks_is_refused_at_plan(
    tmp_path: Path, tf: Terraform, type_name: str, firmware: str, since: str
) -> None:
    """Telnet connection policies became REST objects in 6.10, HTTP ones in 6.14 (catalog versions):
    on the seed version before, the plan names the appliance, its version and the range."""
    t = CATALOG[type_name]
    sim = start_simulator(tmp_path / "sim", "--firmware", firmware)
    try:
        cfg = HclConfig()
        hcl_resource(CATALOG, t, "this", dict(t.examples["minimal"]), cfg)
        (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim) + cfg.text())
        tf.init()
        result = tf.run("plan", "-no-color", check=False)
        err = " ".join(result.stderr.split())
        assert result.returncode != 0, result.stdout
        assert f"{t.resource_type} does not exist on this appliance" in err, err
        assert f"{sim.url} runs SPS {firmware}" in err and f"exists from {since} on" in err, err
        assert f"with {t.resource_type}.this" in err, "Terraform names the resource"
        assert sim.stats()["commits"] == 0
    finally:
        sim.stop()
