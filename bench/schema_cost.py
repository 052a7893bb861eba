"""What a resource schema costs Terraform itself: the CPU Terraform (not the provider) spends on a
no-op plan of N objects of one catalog type, served by bench/echo_provider.py with the schema as
the provider serves it today and with alternatives that accept the same configuration in
Terraform's JSON syntax (what `cdktf synth` writes), alternating within every repetition:

  nested      today: SPS objects are nested attributes (`network = { ... }` in HCL)
  blocks      every nested object a nested block (`network { ... }` in HCL; JSON unchanged)
  no_default  nested attributes, none computed: defaults no longer filled in by the provider
  terraform_data  the same number of terraform_data resources, for scale

    python bench/schema_cost.py --type mssql_connection_policy --n 1000 --reps 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from cpu import run
from measure import write_json

from sps_catalog import load_catalog
from sps_harness import Terraform
from sps_provider.engine.attrs import resource_attrs
from sps_provider.protocol.gen import tfplugin6_pb2 as pb
from sps_provider.protocol.schema import Attr, attribute, schema

ROOT = Path(__file__).resolve().parent
PLAN = ("plan", "-input=false", "-no-color", "-detailed-exitcode")
APPLY = ("apply", "-auto-approve", "-input=false", "-no-color")
SOURCE = "registry.terraform.io/bench/echo"


def as_blocks(attrs: tuple[Attr, ...], description: str) -> pb.Schema:
    """The schema with every nested object (single or list) as a nested block."""

    def block(items: tuple[Attr, ...]) -> pb.Schema.Block:
        out = pb.Schema.Block(attributes=[attribute(a) for a in items if a.nested is None])
        for a in items:
            if a.nested is not None:
                nesting = pb.Schema.NestedBlock.SINGLE if a.nesting == "single" else pb.Schema.NestedBlock.LIST
                out.block_types.add(type_name=a.name, block=block(a.nested), nesting=nesting)
        return out

    body = block(attrs)
    body.description = description
    return pb.Schema(block=body)


def without_defaults(attrs: tuple[Attr, ...]) -> tuple[Attr, ...]:
    """Optional attributes no longer computed (the key stays computed)."""
    out = []
    for a in attrs:
        nested = without_defaults(a.nested) if a.nested is not None else None
        computed = a.computed and not a.optional
        out.append(replace(a, nested=nested, computed=computed))
    return tuple(out)


def schemas(type_name: str) -> dict[str, pb.Schema]:
    t = load_catalog()[type_name]
    attrs = resource_attrs(t)
    return {"nested": schema(attrs, t.description), "blocks": as_blocks(attrs, t.description),
            "no_default": schema(without_defaults(attrs), t.description)}  # fmt: skip


def audit_policy(i: int) -> dict[str, Any]:
    return {"name": f"audit{i}", "encryption": {"enabled": False}, "signing": {"enabled": False}}


def mssql_connection_policy(i: int) -> dict[str, Any]:
    return {"name": f"connection{i}",
            "network": {"clients": ["10.0.0.0/8"], "targets": [f"10.1.{i % 250}.0/24"], "ports": [1433]},
            "policies": {"audit_policy": "78101850949e47437dd91d", "channel_policy": "-3000001",
                         "settings": "-30700301", "authentication_policy": "-30700201"}}  # fmt: skip


#: One object's configuration per type, as in bench/workload.py (references as literal keys).
CONFIGS: dict[str, Callable[[int], dict[str, Any]]] = {
    "mssql_connection_policy": mssql_connection_policy,
    "audit_policy": audit_policy,
}


def echo_mirror(where: Path) -> Path:
    package = where / SOURCE / "0.0.1" / "linux_amd64"
    package.mkdir(parents=True)
    launcher = package / "terraform-provider-echo_v0.0.1"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'echo_provider.py'}\n")
    launcher.chmod(0o755)
    tfrc = where / "echo.tfrc"
    mirror = f'  filesystem_mirror {{\n    path = "{where}"\n    include = ["{SOURCE}"]\n  }}\n'
    tfrc.write_text(f'provider_installation {{\n{mirror}  direct {{\n    exclude = ["{SOURCE}"]\n  }}\n}}\n')
    return tfrc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--type", default="mssql_connection_policy", choices=tuple(CONFIGS))
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sps-bench-schema-"))
    rows: list[dict[str, Any]] = []
    try:
        tfrc = echo_mirror(work / "mirror")
        tfs: dict[str, Terraform] = {}
        for variant, s in schemas(args.type).items():
            d = work / variant
            d.mkdir()
            (d / "schema.bin").write_bytes(s.SerializeToString())
            (d / "main.tf.json").write_text(json.dumps({
                "terraform": {"required_providers": {"echo": {"source": "bench/echo"}}},
                "resource": {"echo_object": {f"r{i}": CONFIGS[args.type](i) for i in range(args.n)}}}))  # fmt: skip
            tfs[variant] = Terraform(d, env={"TF_CLI_CONFIG_FILE": str(tfrc), "ECHO_SCHEMA": str(d / "schema.bin")})
        data = work / "terraform_data"
        data.mkdir()
        (data / "main.tf.json").write_text(
            json.dumps(
                {"resource": {"terraform_data": {f"r{i}": {"input": CONFIGS[args.type](i)} for i in range(args.n)}}}
            )
        )
        tfs["terraform_data"] = Terraform(data)
        log = work / "cpu.log"
        for tf in tfs.values():
            tf.init()
            run(tf, log, *APPLY)
        names = list(tfs)
        for rep in range(args.reps):
            for variant in names[rep % len(names) :] + names[: rep % len(names)]:
                cpu = run(tfs[variant], log, *PLAN)
                row = {"type": args.type, "n": args.n, "variant": variant, "rep": rep,
                       "terraform_cpu_s": round(cpu.terraform_s, 3), "provider_cpu_s": round(cpu.providers_s, 3),
                       "wall_s": round(cpu.wall_s, 2), "load1": round(cpu.load1, 1)}  # fmt: skip
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for variant in dict.fromkeys(r["variant"] for r in rows):
        mine = [r for r in rows if r["variant"] == variant]
        cpu_s = statistics.median(r["terraform_cpu_s"] for r in mine)
        print(f"{variant:15} Terraform CPU {cpu_s:.2f} s = {cpu_s / args.n * 1000:.2f} ms per resource "
              f"(load {statistics.median(r['load1'] for r in mine):.1f})")  # fmt: skip
    write_json(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
