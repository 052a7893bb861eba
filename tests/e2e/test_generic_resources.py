"""The generic resources with the real terraform against a simulator: `sps_object` and
`sps_settings` through create -> plan empty -> import -> update -> out-of-band drift restored ->
destroy; every refusal with its reason; a typed connection policy that references a generic
object; `data "sps_object"` by name."""

from __future__ import annotations

import json
from typing import Any

from sps_catalog import load_catalog
from sps_catalog.examples import HclConfig, hcl_resource
from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block
from tests.support.simulator_api import out_of_band

ROOT = "/api/configuration"


def write(tf: Terraform, sim: RunningSimulator, text: str) -> None:
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim) + text)


def resource(kind: str, path: str, body: Any, extra: str = "") -> str:
    return f'resource "{kind}" "this" {{\n  path = "{path}"\n  body = jsonencode({json.dumps(body)})\n}}\n{extra}'


def held(sim: RunningSimulator, path: str) -> Any:
    return sim.session().get(f"{sim.url}{ROOT}/{path}").json()["body"]


def test_object_lifecycle(simulator: RunningSimulator, tf: Terraform) -> None:
    path, addr = "policies/analytics", "sps_object.this"
    write(tf, simulator, resource("sps_object", path, {"name": "tf_generic", "enabled": True}))
    tf.init()
    tf.apply()
    key = tf.resources()[addr]["key"]
    assert held(simulator, f"{path}/{key}") == {"name": "tf_generic", "enabled": True}
    assert not tf.plan_changes(), "plan after create must be empty"

    # the appliance adds a field the body does not name: no change
    out_of_band(simulator, "PUT", f"{ROOT}/{path}/{key}", {"name": "tf_generic", "enabled": True, "added": 1})
    assert not tf.plan_changes()

    tf.run("state", "rm", addr)
    tf.run("import", "-no-color", addr, f"{path}/{key}")
    assert tf.resources()[addr]["key"] == key
    assert not tf.plan_changes(), "the configuration names fewer fields than the import holds: no change"

    write(tf, simulator, resource("sps_object", path, {"name": "tf_generic", "enabled": False}))
    assert "1 to change" in tf.run("plan", "-no-color").stdout
    tf.apply()
    assert held(simulator, f"{path}/{key}") == {"name": "tf_generic", "enabled": False, "added": 1}
    assert not tf.plan_changes()

    out_of_band(simulator, "PUT", f"{ROOT}/{path}/{key}", {"name": "tf_generic", "enabled": True, "added": 1})
    assert "1 to change" in tf.run("plan", "-no-color").stdout
    tf.apply()
    assert held(simulator, f"{path}/{key}")["enabled"] is False
    assert not tf.plan_changes()

    out_of_band(simulator, "DELETE", f"{ROOT}/{path}/{key}")
    assert "1 to add" in tf.run("plan", "-no-color").stdout
    tf.apply()
    key = tf.resources()[addr]["key"]
    tf.destroy()
    assert tf.resources() == {}
    assert sim_status(simulator, f"{path}/{key}") == 404


def sim_status(sim: RunningSimulator, path: str) -> int:
    return sim.session().get(f"{sim.url}{ROOT}/{path}").status_code


def test_settings_lifecycle(simulator: RunningSimulator, tf: Terraform) -> None:
    path, addr = "management/health_monitoring", "sps_settings.this"
    before = held(simulator, path)
    write(tf, simulator, resource("sps_settings", path, {"tf_marker": "a"}))
    tf.init()
    tf.apply()
    assert held(simulator, path) == {**before, "tf_marker": "a"}, "adopted: the rest kept"
    assert not tf.plan_changes()

    tf.run("state", "rm", addr)
    tf.run("import", "-no-color", addr, path)
    assert not tf.plan_changes()

    write(tf, simulator, resource("sps_settings", path, {"tf_marker": "b"}))
    tf.apply()
    assert held(simulator, path) == {**before, "tf_marker": "b"}
    out_of_band(simulator, "PUT", f"{ROOT}/{path}", {**before, "tf_marker": "drifted"})
    assert "1 to change" in tf.run("plan", "-no-color").stdout
    tf.apply()
    assert held(simulator, path)["tf_marker"] == "b"

    out = tf.destroy().stdout
    assert "removed from Terraform state only" in out, out
    assert tf.resources() == {}
    assert held(simulator, path) == {**before, "tf_marker": "b"}, "destroy leaves the appliance as it is"


REFUSALS = {
    "typed": ("sps_object", "ssh/channel_policies", {}, "use sps_ssh_channel_policy"),
    "unknown": ("sps_object", "policies/analytic", {}, "nearest known paths: policies/analytics"),
    "read_only": ("sps_object", "http/authentication_policies", {}, "read-only over REST"),
    "secret": ("sps_object", "passwords", {}, "holds secrets"),
    "write_only": ("sps_settings", "management/root_password", {}, "holds secrets"),
    "singleton_as_object": ("sps_object", "management/health_monitoring", {}, "manage it with sps_settings"),
    "collection_as_settings": ("sps_settings", "policies/analytics", {}, "manage each object with sps_object"),
    "not_an_object": ("sps_object", "policies/analytics", [1], "must be a JSON object"),
}


def test_refusals_at_validate(simulator: RunningSimulator, tf: Terraform) -> None:
    text = "".join(
        f'resource "{kind}" "{label}" {{\n  path = "{path}"\n  body = jsonencode({json.dumps(body)})\n}}\n'
        for label, (kind, path, body, _) in REFUSALS.items()
    )
    write(tf, simulator, text)
    tf.init()
    result = tf.run("validate", "-no-color", check=False)
    assert result.returncode != 0
    out = " ".join((result.stdout + result.stderr).split())
    for label, (kind, _, _, reason) in REFUSALS.items():
        assert f"{kind}.{label}" in out and reason in out, (label, out)


def test_firmware_refusal_at_plan(simulator: RunningSimulator, tf: Terraform) -> None:
    """management/soap exists before 7.0 only; the simulator runs a newer firmware."""
    write(tf, simulator, resource("sps_settings", "management/soap", {"enabled": False}))
    tf.init()
    assert tf.run("validate", "-no-color").returncode == 0
    result = tf.run("plan", "-no-color", check=False)
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0 and "which has no management/soap" in out and "runs SPS" in out, out


def test_typed_connection_policy_references_a_generic_object(simulator: RunningSimulator, tf: Terraform) -> None:
    catalog = load_catalog()
    t = catalog["ssh_connection_policy"]
    body = {**dict(t.examples["minimal"]), "indexing": {"enabled": True, "policy": "GENERIC_KEY", "priority": 2}}
    cfg = HclConfig()
    hcl_resource(catalog, t, "this", body, cfg)
    generic = (
        'resource "sps_object" "ocr" {\n  path = "policies/indexing"\n  body = jsonencode({ name = "tf_ocr" })\n}\n'
    )
    data = (
        'data "sps_object" "ocr" {\n  path = "policies/indexing"\n  name = "tf_ocr"\n'
        "  depends_on = [sps_object.ocr]\n}\n"
    )
    write(tf, simulator, generic + data + cfg.text().replace('"GENERIC_KEY"', "sps_object.ocr.key"))
    tf.init()
    tf.apply()
    resources = tf.resources()
    key = resources["sps_object.ocr"]["key"]
    policy = resources["sps_ssh_connection_policy.this"]
    assert policy["indexing"]["policy"] == key
    assert simulator.committed()[t.path][policy["key"]]["indexing"]["policy"] == key
    assert resources["data.sps_object.ocr"]["key"] == key
    assert not tf.plan_changes()
    tf.destroy()
    assert sim_status(simulator, f"policies/indexing/{key}") == 404
