"""Fields the catalog does not model survive updates, through the real terraform.

The simulator runs with `--extra-fields` (a newer firmware than the catalog knows): every object
holds a required root field and an optional field in each nested object, list elements included.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sps_catalog import load_catalog
from sps_catalog.examples import HclConfig, hcl_resource
from sps_harness import RunningSimulator, Terraform, start_simulator
from sps_simulator.newer_firmware import NESTED_FIELD, ROOT_FIELD
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block
from tests.support.simulator_api import out_of_band

CATALOG = load_catalog()
POLICY = CATALOG["content_policy"]  # a list of objects holding a plain and a union object
OPTIONS = CATALOG["mssql_options"]  # a singleton with nested objects


@pytest.fixture
def newer(tmp_path: Path) -> Iterator[RunningSimulator]:
    sim = start_simulator(tmp_path / "simulator", "--extra-fields")
    yield sim
    sim.stop()


def write(tf: Terraform, sim: RunningSimulator, example: str, policy_extra: str | None = None) -> None:
    cfg = HclConfig()
    policy = dict(POLICY.examples[example])
    if policy_extra is not None:
        policy["extra_json"] = policy_extra
    hcl_resource(CATALOG, POLICY, "this", policy, cfg)
    hcl_resource(CATALOG, OPTIONS, "this", dict(OPTIONS.examples[example]), cfg)
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim) + cfg.text())


def customise(sim: RunningSimulator, path: str, body: dict[str, Any], edit: dict[tuple[str | int, ...], Any]) -> None:
    """Change fields the catalog does not model behind Terraform's back (as the web UI would)."""
    body = copy.deepcopy(body)
    for where, value in edit.items():
        parent: Any = body
        for step in where[:-1]:
            parent = parent[step]
        parent[where[-1]] = value
    out_of_band(sim, "PUT", path, body)


def test_update_keeps_unknown_fields_of_objects_singletons_and_nested_objects(
    newer: RunningSimulator, tf: Terraform
) -> None:
    write(tf, newer, "minimal")
    tf.init()
    tf.apply()
    key = tf.resources()["sps_content_policy.this"]["key"]
    committed = newer.committed()
    customise(
        newer,
        f"{POLICY.api_path}/{key}",
        committed[POLICY.path][key],
        {
            (ROOT_FIELD,): {"enabled": True, "level": 5},
            ("rules", 0, NESTED_FIELD): "rule",
            ("rules", 0, "actions", NESTED_FIELD): "actions",
            ("rules", 0, "event", NESTED_FIELD): "event",
        },
    )
    customise(
        newer,
        OPTIONS.api_path,
        committed[OPTIONS.path][OPTIONS.singleton_key],
        {(ROOT_FIELD,): {"enabled": True, "level": 6}, ("service", NESTED_FIELD): "service"},
    )
    assert not tf.plan_changes(), "fields the catalog does not model must not show in plan"

    write(tf, newer, "update")
    tf.apply()
    policy = newer.committed()[POLICY.path][key]
    assert policy[ROOT_FIELD] == {"enabled": True, "level": 5}
    rule = policy["rules"][0]
    assert (rule[NESTED_FIELD], rule["actions"][NESTED_FIELD], rule["event"][NESTED_FIELD]) == (
        "rule",
        "actions",
        "event",
    )
    assert rule["actions"]["terminate"] is True and rule["event"]["match"] == ["rm -rf", "mkfs"]
    options = newer.committed()[OPTIONS.path][OPTIONS.singleton_key]
    assert options[ROOT_FIELD] == {"enabled": True, "level": 6}
    assert options["service"][NESTED_FIELD] == "service" and options["service"]["log_level"] == 4
    assert not tf.plan_changes()


def test_extra_json_sets_unmodelled_fields_and_diffs_only_on_them(newer: RunningSimulator, tf: Terraform) -> None:
    write(tf, newer, "minimal", json.dumps({ROOT_FIELD: {"enabled": True, "level": 7}}))
    tf.init()
    tf.apply()
    key = tf.resources()["sps_content_policy.this"]["key"]
    body = newer.committed()[POLICY.path][key]
    assert body[ROOT_FIELD] == {"enabled": True, "level": 7}
    assert body["rules"][0][NESTED_FIELD] == "default", "fields it does not set are kept"

    write(tf, newer, "minimal", '{ "' + ROOT_FIELD + '": {"level": 7,\n "enabled": true} }')
    assert not tf.plan_changes(), "the same JSON spelled differently is no change"

    customise(newer, f"{POLICY.api_path}/{key}", body, {(ROOT_FIELD, "level"): 8})
    plan = tf.run("plan", "-no-color").stdout
    assert "1 to change" in plan and "extra_json" in plan and "level" in plan, plan
    tf.apply()
    assert newer.committed()[POLICY.path][key][ROOT_FIELD] == {"enabled": True, "level": 7}

    write(tf, newer, "minimal", json.dumps({"rules": []}))
    result = tf.run("plan", "-no-color", check=False)
    assert result.returncode != 0
    assert "extra_json.rules" in result.stderr and "set the attribute rules instead" in result.stderr, result.stderr
