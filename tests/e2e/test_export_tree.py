"""`sps-export` of the whole tree against a real simulator process: every catalog endpoint the
firmware has holds content (the typed examples, then `populate_opaque`: every opaque singleton
changed, an object in every opaque collection; and two endpoints the catalog does not know, served
by `--extra-endpoint` as a newer firmware would: a collection with two objects and a changed
singleton), the walk visits each endpoint, and every object
the appliance holds is either written (with its import block) or named with the reason it is not.
The generated code parses (`terraform fmt -check`, Python `compile`, ruff and mypy --strict), and the
first plan of each format, through the real terraform and provider, only imports (HCL: then apply,
and the plan is empty); the unknown endpoints' objects are among them, with `catalog_validation = false`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sps_catalog import load_catalog
from sps_catalog.endpoints import load_endpoints
from sps_catalog.firmware import DEFAULT_FIRMWARE
from sps_harness import RunningSimulator, Terraform, start_simulator
from sps_harness.populate import populate, populate_opaque
from tests.support.firmware import firmware_for
from tests.support.paths import ROOT

CATALOG = load_catalog()
ENDPOINTS = load_endpoints()
BIN = Path(sys.executable).parent
CREDENTIALS = {"SPS_USERNAME": "admin", "SPS_PASSWORD": "admin"}
FIRMWARE = firmware_for(CATALOG.managed)
VERSION = FIRMWARE[1] if FIRMWARE else DEFAULT_FIRMWARE
NEWER = {"policies/newer_things": "collection", "management/newer_settings": "singleton"}
"""Endpoints the catalog does not know, which the simulator serves (`--extra-endpoint`)."""


def populate_newer(sim: RunningSimulator) -> None:
    """Two objects in the unknown collection, the unknown singleton changed (one transaction)."""
    session, api = sim.session(), f"{sim.url}/api/configuration"
    session.post(f"{sim.url}/api/transaction").raise_for_status()
    for name in ("newer_one", "newer_two"):
        session.post(f"{api}/policies/newer_things", json={"name": name, "nested": {"level": 1}}).raise_for_status()
    session.put(f"{api}/management/newer_settings", json={"mode": "strict", "hosts": ["a", "b"]}).raise_for_status()
    session.put(f"{sim.url}/api/transaction", json={"status": "commit"}).raise_for_status()


@pytest.fixture(scope="module")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    newer = [arg for path, kind in NEWER.items() for arg in ("--extra-endpoint", f"{path}={kind}")]
    sim = start_simulator(tmp_path_factory.mktemp("tree") / "simulator", "--extra-fields", *newer, *FIRMWARE)
    p = populate(CATALOG, sim.session(), sim.url, VERSION)
    assert populate_opaque(p, ENDPOINTS, VERSION) > 0
    populate_newer(sim)
    yield sim
    sim.stop()


def export(sim: RunningSimulator, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "sps-export"), "--url", sim.url, "--ca-bundle", str(sim.ca), "--out", str(out), *extra],
        env={**os.environ, **CREDENTIALS},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_endpoint_is_visited_and_every_object_written_or_named_with_its_reason(
    appliance: RunningSimulator, tmp_path: Path
) -> None:
    result = export(appliance, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    on_firmware = ENDPOINTS.on(VERSION)
    visited = re.search(r"^endpoints visited: (\d+) \((\d+) container", result.stderr, re.M)
    assert visited is not None, result.stderr
    visits = (len(on_firmware) + len(NEWER), sum(e.is_container for e in on_firmware))
    assert (int(visited[1]), int(visited[2])) == visits
    imports = (tmp_path / "out" / "hcl" / "imports.tf").read_text()
    ids = set(re.findall(r'^  id = "(.*)"$', imports, re.M))
    named = set(re.findall(r"^not exported: .* \(key (.*)\): .+$", result.stderr, re.M))
    unaccounted = []
    newer_ids = set()
    for path, objects in appliance.committed().items():
        e = ENDPOINTS.get(path)
        if path in NEWER:
            newer_ids |= {path} if NEWER[path] == "singleton" else {f"{path}/{key}" for key in objects}
            continue
        if e is None or e.is_write_once or e.write_only:
            continue
        builtins = {b.key for b in e.builtins}
        for key in objects:
            typed_id = key if e.resource_type is not None else None
            generic_id = path if e.is_singleton else f"{path}/{key}"
            if typed_id in ids or generic_id in ids or key in named or key in builtins:
                continue
            unaccounted.append(f"{path}/{key}")
    assert unaccounted == [], "every object is written, a built-in, or named with its reason"
    assert len(newer_ids) == 3 and newer_ids <= ids, "the unknown endpoints' objects are imported too"
    assert re.search(r"^objects: \d+ typed, \d+ generic \(3 not in the catalog\)", result.stderr, re.M)
    main = (tmp_path / "out" / "hcl" / "main.tf").read_text()
    assert main.count("catalog_validation = false") == 3
    for e in on_firmware:  # every opaque endpoint REST writes is managed by a generic resource
        if e.is_opaque and e.writable_on(VERSION) and not (e.write_only or e.is_write_once):
            assert f'  path = "{e.path}"\n' in main, e.path
        if e.write_only or e.is_write_once:
            assert re.search(rf"^not read: .*{re.escape(e.path)}: .*secret", result.stderr, re.M), e.path


def test_the_generated_code_parses(appliance: RunningSimulator, tmp_path: Path) -> None:
    assert export(appliance, tmp_path / "out").returncode == 0
    hcl, py = tmp_path / "out" / "hcl", tmp_path / "out" / "python"
    fmt = subprocess.run(["terraform", "fmt", "-check", "-diff", str(hcl)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    main = (py / "main.py").read_text()
    compile(main, "main.py", "exec")
    env = {**os.environ, "MYPYPATH": f"{ROOT / 'constructs'}:{ROOT / 'catalog'}"}  # as test_export_round_trip
    for tool in (["ruff", "check", "main.py"], ["mypy", "main.py"]):
        checked = subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=py, env=env, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert main.count(".import_from(") == (hcl / "imports.tf").read_text().count("import {")


def test_the_hcl_export_of_the_whole_tree_plans_imports_only(
    appliance: RunningSimulator, tmp_path: Path, provider_mirror: Path
) -> None:
    assert export(appliance, tmp_path / "out", "--format", "hcl").returncode == 0
    work = tmp_path / "out" / "hcl"
    imports = (work / "imports.tf").read_text().count("import {")
    assert "default     = null" in (work / "variables.tf").read_text(), "the secrets' variables may stay unset"
    tf = Terraform(work, env=dict(CREDENTIALS))  # adopting needs no secret values
    tf.init()
    plan = tf.run("plan", "-no-color", "-input=false").stdout
    assert f"Plan: {imports} to import, 0 to add, 0 to change, 0 to destroy" in plan, plan
    assert re.search(r"sps_(object|settings)\.\w+: Preparing import", plan), "generic resources are imported too"
    assert re.search(r"sps_settings\.\w+: Preparing import\S* \[id=management/newer_settings\]", plan), plan
    tf.apply()
    assert not tf.plan_changes(), "after adopting, the plan must be empty"


def test_the_python_export_of_the_whole_tree_plans_imports_only(
    appliance: RunningSimulator, tmp_path: Path, provider_mirror: Path
) -> None:
    assert export(appliance, tmp_path / "out", "--format", "python").returncode == 0
    work = tmp_path / "out" / "python"
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "18,20"}
    subprocess.run([sys.executable, "main.py"], cwd=work, env=env, check=True, capture_output=True, text=True)
    stack = work / "cdktf.out" / "stacks" / "sps"
    synthesized = json.loads((stack / "cdk.tf.json").read_text())
    imports = len(synthesized["import"])
    unchecked = [r for t in ("sps_object", "sps_settings") for r in synthesized["resource"][t].values()
                 if r.get("catalog_validation") is False]  # fmt: skip
    assert sorted(r["path"] for r in unchecked) == sorted(["policies/newer_things"] * 2 + ["management/newer_settings"])
    tf = Terraform(stack, env=dict(CREDENTIALS))  # adopting needs no secret values
    tf.init()
    plan = tf.run("plan", "-no-color", "-input=false").stdout
    assert f"Plan: {imports} to import, 0 to add, 0 to change, 0 to destroy" in plan, plan
