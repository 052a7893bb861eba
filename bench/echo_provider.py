"""A Terraform provider for measuring what a schema costs Terraform itself (bench/schema_cost.py):
it serves one resource type `echo_object` with the schema in the file ECHO_SCHEMA (a serialized
tfplugin6 Schema) and answers with the values it is given: plan = the proposed new state (a new
object's `key` unknown), apply = the plan with a key, read = the current state. No SPS, no
validation, so the CPU Terraform spends on a plan is all Terraform's. At exit it appends its own
CPU to SPS_BENCH_CPU_LOG in bench/cpu.py's format, so cpu.run() keeps it apart from Terraform's.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import sys
import tempfile
import threading
import uuid
from concurrent import futures
from typing import Any

import grpc

import sps_provider.protocol.cty as cty
from sps_catalog.values import UNKNOWN
from sps_provider.plugin_cert import server_certificate
from sps_provider.protocol.gen import plugin_pb2_grpc
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.protocol.gen import tfplugin6_pb2_grpc as pb_grpc
from sps_provider.server import Controller

TYPE = "echo_object"


def block_type(block: Any) -> cty.CtyType:
    """The cty object type of a schema block: its attributes and nested blocks."""
    fields: dict[str, cty.CtyType] = {a.name: attribute_type(a) for a in block.attributes}
    for nb in block.block_types:
        inner = block_type(nb.block)
        fields[nb.type_name] = inner if nb.nesting == pb.Schema.NestedBlock.SINGLE else cty.list_of(inner)
    return cty.object_of(fields)


def attribute_type(a: Any) -> cty.CtyType:
    if a.HasField("nested_type"):
        inner = cty.object_of({n.name: attribute_type(n) for n in a.nested_type.attributes})
        return inner if a.nested_type.nesting == pb.Schema.Object.SINGLE else cty.list_of(inner)
    return _from_json(json.loads(a.type))


def _from_json(t: Any) -> cty.CtyType:
    if isinstance(t, str):
        return t
    kind, inner = t
    if kind == "object":
        return cty.object_of({k: _from_json(v) for k, v in inner.items()})
    return (kind, _from_json(inner))


class Echo(pb_grpc.ProviderServicer):  # type: ignore[misc]
    def __init__(self, schema: Any, shutdown: threading.Event) -> None:
        self.schema = schema
        self.type = block_type(schema.block)
        self.shutdown = shutdown

    def dv(self, v: Any) -> Any:
        return pb.DynamicValue(msgpack=cty.encode(self.type, v))

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(resources=[pb.GetMetadata.ResourceMetadata(type_name=TYPE)])

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        resp = pb.GetProviderSchema.Response(provider=pb.Schema(block=pb.Schema.Block()))
        resp.resource_schemas[TYPE].CopyFrom(self.schema)
        return resp

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        return pb.ConfigureProvider.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateResourceConfig.Response()

    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        state = cty.conform(self.type, json.loads(request.raw_state.json))
        return pb.UpgradeResourceState.Response(upgraded_state=self.dv(state))

    def ReadResource(self, request: Any, context: Any) -> Any:
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        proposed = cty.decode(request.proposed_new_state.msgpack)
        if proposed is not None and proposed.get("key") is None:
            proposed["key"] = UNKNOWN
        return pb.PlanResourceChange.Response(planned_state=self.dv(proposed))

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        planned = cty.decode(request.planned_state.msgpack)
        if planned is not None and planned.get("key") is UNKNOWN:
            planned["key"] = uuid.uuid4().hex
        return pb.ApplyResourceChange.Response(new_state=self.dv(planned))


def main() -> int:
    with open(os.environ["ECHO_SCHEMA"], "rb") as f:
        schema = pb.Schema.FromString(f.read())
    shutdown = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64))
    pb_grpc.add_ProviderServicer_to_server(Echo(schema, shutdown), server)
    plugin_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(shutdown), server)
    socket = os.path.join(tempfile.mkdtemp(prefix="echo-provider-"), "plugin.sock")
    key_pem, cert_pem, cert_der = server_certificate()
    server.add_secure_port(f"unix:{socket}", grpc.ssl_server_credentials([(key_pem, cert_pem)]))
    server.start()
    print(f"1|6|unix|{socket}|grpc|{base64.b64encode(cert_der).decode().rstrip('=')}", flush=True)
    shutdown.wait()
    server.stop(grace=1).wait()
    me = resource.getrusage(resource.RUSAGE_SELF)
    if log := os.environ.get("SPS_BENCH_CPU_LOG"):
        with open(log, "a") as f:
            f.write(json.dumps({"cpu_s": me.ru_utime + me.ru_stime, "maxrss_kb": me.ru_maxrss, "wrapper_cpu_s": 0.0}))
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
