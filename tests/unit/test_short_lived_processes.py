"""What the provider processes that Terraform starts and closes again load: one serves only the
schema, one only the validate walk (ValidateProviderConfig, ValidateResourceConfig). Neither needs
the HTTP client, nor an engine for a type its calls do not name. Each case runs in a fresh
interpreter, as Terraform starts it, so the modules are those of that process alone."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

HEAVY = ("requests", "urllib3", "sps_provider.client.session", "sps_provider.coordinator.transactions")

PROCESS = """
import json, sys
import msgpack
from sps_provider.engine import datasource, order, resource
built = []
for cls in (resource.ResourceEngine, order.OrderEngine, datasource.DataSourceEngine):
    def counted(self, t, _init=cls.__init__):
        built.append(t.resource_type)
        _init(self, t)
    cls.__init__ = counted
from sps_provider.protocol import cty
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.server import Provider
p = Provider()
calls = sys.argv[1].split(",")
if "schema" in calls:
    assert len(p.GetProviderSchema(None, None).resource_schemas) > 10
config = pb.DynamicValue(msgpack=msgpack.packb({}))
p.ValidateProviderConfig(pb.ValidateProviderConfig.Request(config=config), None)
if "validate" in calls:
    t = p.resources["sps_audit_policy"].type
    body = {"name": "a", "encryption": {"enabled": False}, "signing": {"enabled": False}}
    value = pb.DynamicValue(msgpack=cty.encode(t, cty.conform(t, body)))
    request = pb.ValidateResourceConfig.Request(type_name="sps_audit_policy", config=value)
    answer = p.ValidateResourceConfig(request, None)
    assert not answer.diagnostics, answer.diagnostics
print(json.dumps({"modules": sorted(sys.modules), "built": built}))
"""


def process(calls: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", PROCESS, calls], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_schema_process_imports_no_http_client() -> None:
    loaded = set(process("schema")["modules"])
    assert not loaded & set(HEAVY)


def test_the_validate_walk_imports_no_http_client_and_builds_only_the_engines_it_is_asked_for() -> None:
    seen = process("validate")
    assert not set(seen["modules"]) & set(HEAVY)
    assert seen["built"] == ["sps_audit_policy"]
