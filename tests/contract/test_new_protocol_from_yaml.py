"""A new connection-policy protocol is one YAML file: a scratch `telnet_connection_policy` in a copy of
the catalog (SPS_CATALOG_DIR; it replaces the catalog's own Telnet type there) says `family:
connection_policy`, fills the `policies` slot and leaves out `transport_security`, and with no
Python change it gets its provider schema (the family's shared attributes exactly as MSSQL serves
them), its construct module (using the shared shape structs, unchanged), and
create/read/update/delete through the in-process provider against a real simulator."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cdktf import App, TerraformStack

from sps_catalog import load_catalog
from sps_catalog.gen_constructs import render_constructs
from sps_catalog.load import CATALOG_DIR, CATALOG_DIR_ENV
from sps_constructs import Appliance, AuditPolicy, IndexingEnabled, IndexingPolicy, Network, ServerAddressFix
from sps_constructs.base import SpsResource
from sps_harness import start_simulator
from sps_harness.inprocess import InProcessProvider
from sps_provider.provider import Provider

ROOT = CATALOG_DIR.parent
TELNET = """\
terraform_name: telnet_connection_policy
title: Telnet connection policy
path: telnet/connections
family: connection_policy
sources: [TELNET-TABLE-7x]
description: A scratch protocol of the test, the connection-policy family and its own policy references.
without: [transport_security]
examples:
  minimal:
    name: tf_telnet_minimal
    network: {clients: ["10.0.0.0/8"], ports: [23], targets: ["10.4.0.1/32"]}
    policies: {audit_policy: {builtin: audit_policy/default}}
  full:
    name: tf_telnet_full
    network: {clients: ["10.0.0.0/8"], ports: [23], targets: ["10.4.0.0/24"]}
    rate_limit: {enabled: true, value: 5}
    policies: {audit_policy: {builtin: audit_policy/default}, backup_policy: null}
  update:
    name: tf_telnet_minimal
    network: {clients: ["10.0.0.0/8"], ports: [23, 2323], targets: ["10.4.0.1/32"]}
    policies: {audit_policy: {builtin: audit_policy/default}}
fields:
  - name: policies
    type: object
    required: true
    description: Policies referenced by the connection policy.
    fields:
      - {name: audit_policy, type: reference, target: audit_policy, required: true, description: The audit policy.}
      - name: backup_policy
        type: reference
        target: backup_policy
        nullable: true
        default: null
        description: The backup policy.
"""
TYPE = "sps_telnet_connection_policy"
AUDIT_DEFAULT = "78101850949e47437dd91d"  # the documented key of the built-in audit policy


@pytest.fixture(scope="module")
def scratch_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the catalog with the scratch protocol, loaded by everything in this process and
    by the simulators it starts; the compiled catalog is back afterwards."""
    directory = tmp_path_factory.mktemp("catalog")
    for part in ("types", "shapes", "families"):
        shutil.copytree(CATALOG_DIR / part, directory / part)
    (directory / "types" / "telnet_connection_policy.yaml").write_text(TELNET)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CATALOG_DIR_ENV, str(directory))
        load_catalog.cache_clear()
        yield directory
    load_catalog.cache_clear()


def attribute(schema: Any, name: str) -> Any:
    return next(a for a in schema.block.attributes if a.name == name)


def test_the_schema_has_the_family_body(scratch_catalog: Path) -> None:
    served = Provider().schema_response.resource_schemas
    telnet, mssql = served[TYPE], served["sps_mssql_connection_policy"]
    names = [a.name for a in telnet.block.attributes]
    assert "transport_security" not in names and "policies" in names
    for shared in ("access_control", "channel_database_cleanup", "indexing", "network", "server_address"):
        assert attribute(telnet, shared) == attribute(mssql, shared), shared


def test_the_constructs_use_the_shared_structs(scratch_catalog: Path, tmp_path: Path) -> None:
    files = render_constructs(load_catalog())
    assert files["constructs/sps_constructs/shapes.py"] == (ROOT / "constructs/sps_constructs/shapes.py").read_text()
    path = tmp_path / "telnet_connection_policy.py"
    path.write_text(files["constructs/sps_constructs/types/telnet_connection_policy.py"])
    spec = importlib.util.spec_from_file_location("sps_constructs.types.telnet_connection_policy", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    installed = sys.modules.get(spec.name)  # the checkout's own module, when a test imported it
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        stack = TerraformStack(App(outdir=str(tmp_path / "out")), "scratch")
        sps = Appliance(stack, "eu", url="https://sps.example")
        policy = module.TelnetConnectionPolicy(
            sps,
            "telnet",
            name="telnet",
            network=Network(clients=["10.0.0.0/8"], ports=[23], targets=["10.4.0.1/32"]),
            server_address=ServerAddressFix(address="10.4.0.1", port=23),
            indexing=IndexingEnabled(policy=IndexingPolicy.builtin(sps, "default")),
            policies=module.TelnetConnectionPolicyPolicies(audit_policy=AuditPolicy.builtin(sps, "default")),
        )
    finally:  # put the checkout's module back: later tests introspect its classes through sys.modules
        if installed is None:
            del sys.modules[spec.name]
        else:
            sys.modules[spec.name] = installed
    assert isinstance(policy, SpsResource) and policy.sps_type.resource_type == TYPE
    assert policy.sps_attributes["server_address"] == {"selection": "fix", "address": "10.4.0.1", "port": 23}
    assert policy.sps_attributes["network"]["ports"] == [23]


def test_lifecycle_against_the_simulator(scratch_catalog: Path, tmp_path: Path) -> None:
    sim = start_simulator(tmp_path / "simulator")
    provider = InProcessProvider(sim)
    try:
        config = {
            "name": "tf_telnet",
            "network": {"clients": ["10.0.0.0/8"], "ports": [23], "targets": ["10.4.0.1/32"]},
            "policies": {"audit_policy": AUDIT_DEFAULT},
        }
        state = provider.create(TYPE, config)
        committed = sim.committed()["telnet/connections"][state["key"]]
        assert committed["network"] == config["network"]
        assert committed["source_address"] == {"selection": "box_address"}
        assert "transport_security" not in committed
        assert provider.read(TYPE, state) == state
        changed = {**config, "rate_limit": {"enabled": True, "value": 5}}
        state = provider.update(TYPE, state, changed)
        assert sim.committed()["telnet/connections"][state["key"]]["rate_limit"] == {"enabled": True, "value": 5}
        provider.delete(TYPE, state)
        assert state["key"] not in sim.committed().get("telnet/connections", {})
    finally:
        provider.close()
        sim.stop()
