"""Managed types through the full lifecycle with the real terraform against a simulator: one
representative of each kind (and of the singletons whose body is a bare value), and every type
whose examples the in-process lifecycle (tests/contract/test_inprocess_lifecycle.py) cannot apply
on their own.

Generated from the catalog's examples, so a new type gets these tests for free:
create -> plan empty -> update -> plan empty -> drift (out-of-band change) -> plan shows it ->
`terraform import` and an `import {}` block give the same state -> destroy.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from sps_catalog import load_catalog
from sps_catalog.examples import HclConfig, hcl_resource
from sps_catalog.model import Field, TypeDef
from sps_catalog.secrets import get_in, secret_input
from sps_harness import RunningSimulator, Terraform
from tests.support.firmware import read_on
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block
from tests.support.inprocess import fully_covered
from tests.support.simulator_api import out_of_band

CATALOG = load_catalog()
# Types whose whole lifecycle the in-process test covers keep one representative per kind here.
REPRESENTATIVES = {kind: next(t for t in CATALOG.managed if t.kind == kind and fully_covered(t)) for kind in
                   ("collection", "ordered_collection", "singleton")}  # fmt: skip
REPRESENTATIVES["value_body"] = next(t for t in CATALOG.managed if t.value_body is not None and fully_covered(t))
MANAGED = [t for t in CATALOG.managed if not fully_covered(t) or t in REPRESENTATIVES.values()]


def write_config(tf: Terraform, sim: RunningSimulator, t: TypeDef, example: str, extra: str = "") -> str:
    cfg = HclConfig()
    hcl_resource(CATALOG, t, "this", dict(t.examples[example]), cfg)
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim) + cfg.text() + extra)
    return f"{t.resource_type}.this"


def api_get(sim: RunningSimulator, path: str) -> Any:
    s = sim.session()
    r = s.get(f"{sim.url}{path}")
    return r.json() if r.status_code == 200 else None


def object_path(t: TypeDef, key: str) -> str:
    return t.api_path if t.is_singleton else f"{t.api_path}/{key}"


def assert_appliance_matches_state(sim: RunningSimulator, t: TypeDef, state: dict[str, Any]) -> None:
    """Every attribute Terraform holds equals the committed object on the appliance."""
    committed = t.as_object(sim.committed()[t.path][state["key"]])
    for path, f in t.secrets:
        wo, _ = secret_input(state, path, f)
        assert wo is None, "a write-only secret is never stored in state"
    expected = without(t, state, lambda f: (f.write_only_name, f.version_name))
    assert {"key": state["key"], **read_on(t, committed)} == {k: expected[k] for k in ("key", *t.field_names)}


def without(t: TypeDef, state: dict[str, Any], names: Callable[[Field], tuple[str, ...]]) -> dict[str, Any]:
    """`state` without the given attributes next to each secret."""
    out = copy.deepcopy(state)
    for path, f in t.secrets:
        parent = get_in(out, path[:-1])
        if isinstance(parent, dict):
            for name in names(f):
                parent.pop(name, None)
    return out


def without_secret_versions(t: TypeDef, state: dict[str, Any]) -> dict[str, Any]:
    """SPS never reveals a secret, so an import cannot know which version the configuration sent."""
    return without(t, state, lambda f: (f.version_name,))


def without_secrets(t: TypeDef, state: dict[str, Any]) -> dict[str, Any]:
    return without(t, state, lambda f: (f.name, f.version_name))


def settle_secrets_after_import(t: TypeDef, tf: Terraform) -> None:
    """After an import, the first apply sends configured secrets once (a new write-once object)."""
    if t.secrets and tf.plan_changes():
        plan = tf.run("plan", "-no-color").stdout
        assert "1 to change" in plan, plan
        assert any(f.name in plan for _, f in t.secrets), plan
        tf.apply()


@pytest.mark.parametrize("t", MANAGED, ids=[t.terraform_name for t in MANAGED])
def test_lifecycle_minimal_update_drift_import_destroy(t: TypeDef, simulator: RunningSimulator, tf: Terraform) -> None:
    addr = write_config(tf, simulator, t, "minimal")
    tf.init()
    tf.apply()
    created = tf.resources()[addr]
    assert_appliance_matches_state(simulator, t, created)
    assert not tf.plan_changes(), "plan after create must be empty"

    write_config(tf, simulator, t, "update")
    plan = tf.run("plan", "-no-color").stdout
    assert "1 to change" in plan and "0 to destroy" in plan, plan
    tf.apply()
    updated = tf.resources()[addr]
    assert updated["key"] == created["key"]
    assert_appliance_matches_state(simulator, t, updated)
    assert not tf.plan_changes(), "plan after update must be empty"

    # drift: the object changes (singleton) or disappears (collection) behind Terraform's back
    if t.is_singleton:
        out_of_band(simulator, "PUT", t.api_path, t.as_body(dict(t.initial_body or {})))
        assert "1 to change" in tf.run("plan", "-no-color").stdout
    else:
        out_of_band(simulator, "DELETE", object_path(t, updated["key"]))
        assert "1 to add" in tf.run("plan", "-no-color").stdout
    tf.apply()
    current = tf.resources()[addr]
    assert not tf.plan_changes()

    # import by CLI and by import block give the same state, attribute by attribute
    tf.run("state", "rm", addr)
    tf.run("import", "-no-color", addr, current["key"])
    assert without_secret_versions(t, tf.resources()[addr]) == without_secret_versions(t, current)
    settle_secrets_after_import(t, tf)
    assert not tf.plan_changes()
    current = tf.resources()[addr]
    tf.run("state", "rm", addr)
    write_config(tf, simulator, t, "update", f'\nimport {{\n  to = {addr}\n  id = "{current["key"]}"\n}}\n')
    assert "1 to import" in tf.run("plan", "-no-color").stdout
    tf.apply()  # with secrets, this apply also sends them once (see settle_secrets_after_import)
    assert without_secrets(t, tf.resources()[addr]) == without_secrets(t, current)
    write_config(tf, simulator, t, "update")
    settle_secrets_after_import(t, tf)
    assert not tf.plan_changes()

    tf.destroy()
    assert tf.resources() == {}
    remaining = api_get(simulator, object_path(t, current["key"]))
    if t.is_singleton:
        assert remaining is not None, "a singleton stays on the appliance; destroy only forgets it"
    else:
        assert remaining is None


@pytest.mark.parametrize("t", MANAGED, ids=[t.terraform_name for t in MANAGED])
def test_full_example_round_trips(t: TypeDef, simulator: RunningSimulator, tf: Terraform) -> None:
    addr = write_config(tf, simulator, t, "full")
    tf.init()
    tf.apply()
    state = tf.resources()[addr]
    assert_appliance_matches_state(simulator, t, state)
    assert not tf.plan_changes()
    tf.run("state", "rm", addr)
    tf.run("import", "-no-color", addr, state["key"])
    assert without_secret_versions(t, tf.resources()[addr]) == without_secret_versions(t, state)
    settle_secrets_after_import(t, tf)
    assert not tf.plan_changes()
    tf.destroy()


FINDABLE = [t for t in CATALOG if (t.builtins or t.samples) and t.name_field]


@pytest.mark.parametrize("t", FINDABLE, ids=[t.terraform_name for t in FINDABLE])
def test_data_source_finds_objects_by_key_and_by_name(t: TypeDef, simulator: RunningSimulator, tf: Terraform) -> None:
    b = (t.builtins or t.samples)[0]
    name = b.body.get(t.name_field or "")
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS
        + provider_block(simulator)
        + f'data "{t.resource_type}" "by_key" {{\n  key = "{b.key}"\n}}\n'
        + f'data "{t.resource_type}" "by_name" {{\n  name = "{name}"\n}}\n'
        + f'output "keys" {{\n  value = [data.{t.resource_type}.by_key.key, data.{t.resource_type}.by_name.key,'
        + f" data.{t.resource_type}.by_key.name]\n}}\n"
    )
    tf.init()
    tf.apply()
    assert '"' + b.key + '"' in tf.run("output", "-no-color", "keys").stdout
    keys = json.loads(tf.run("output", "-json", "keys").stdout)
    assert keys == [b.key, b.key, name]


NAMED = [t for t in CATALOG if t.name_field and not (t.builtins or t.samples) and t.rest_writable]


def rest_body(sim: RunningSimulator, s: requests.Session, t: TypeDef, name: str) -> dict[str, Any]:
    """A body of `t` made over REST: its name, and a new target object (named only) for each
    required reference (a signing CA needs its X.509 identity)."""
    body: dict[str, Any] = {t.name_field or "name": name}
    for f in t.fields:
        if f.type == "reference" and f.required:
            target = CATALOG[f.target or ""]
            made = s.post(f"{sim.url}{target.api_path}", json={target.name_field or "name": f"{name}_{f.name}"})
            body[f.name] = made.json()["key"]
    return body


@pytest.mark.parametrize("t", NAMED, ids=[t.terraform_name for t in NAMED])
def test_data_source_finds_created_objects_by_key_and_by_name(
    t: TypeDef, simulator: RunningSimulator, tf: Terraform
) -> None:
    """Objects made by Terraform (or, for undocumented bodies, over REST) are found by key and name."""
    if t.is_managed:
        write_config(tf, simulator, t, "minimal")
        tf.init()
        tf.apply()
        name = t.examples["minimal"][t.name_field or ""]
        key = tf.resources()[f"{t.resource_type}.this"]["key"]
    else:
        name = f"tf_{t.terraform_name}"
        s = simulator.session()
        key = s.post(f"{simulator.url}{t.api_path}", json=rest_body(simulator, s, t, name)).json()["key"]
        assert s.put(f"{simulator.url}/api/transaction", json={"status": "commit"}).status_code == 200
    lookups = (
        f'data "{t.resource_type}" "by_key" {{\n  key = "{key}"\n}}\n'
        f'data "{t.resource_type}" "by_name" {{\n  name = "{name}"\n}}\n'
        f'output "found" {{\n  value = [data.{t.resource_type}.by_key.name, data.{t.resource_type}.by_name.key]\n}}\n'
    )
    main = tf.workdir / "main.tf"
    main.write_text((main.read_text() if t.is_managed else REQUIRED_PROVIDERS + provider_block(simulator)) + lookups)
    tf.init()
    tf.apply()
    assert json.loads(tf.run("output", "-json", "found").stdout) == [name, key]
