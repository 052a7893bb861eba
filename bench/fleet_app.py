"""The benchmark's fleet: SPS_BENCH_APPLIANCES appliances (a00, a01, ...) with SPS_BENCH_OBJECTS
objects each, the deep mix of bench/workload.py (per unit of four: an audit policy, a content
policy, an MSSQL channel policy using the content policy, an MSSQL connection policy using the
channel policy, the audit policy and the built-in settings and authentication policies); one stack
and one pg state schema (`<SPS_FLEET_SCHEMA_PREFIX><name>`) per appliance; URLs and CAs from
SPS_<NAME>_URL / SPS_<NAME>_CA_BUNDLE, and only the stacks `sps-fleet --only` wants, as in
stacks/fleet.py."""

from __future__ import annotations

import os

from cdktf import App, TerraformStack
from workload import Workload, populate

from sps_constructs import Appliance
from sps_fleet import pg_state, wanted


def names(appliances: int) -> list[str]:
    return [f"a{i:02d}" for i in range(appliances)]


def main() -> None:
    app = App()
    prefix = os.environ.get("SPS_FLEET_SCHEMA_PREFIX", "bench_fleet_")
    objects = Workload(int(os.environ["SPS_BENCH_OBJECTS"]), "deep", 1)
    for name in filter(wanted, names(int(os.environ["SPS_BENCH_APPLIANCES"]))):
        stack = TerraformStack(app, name)
        pg_state(stack, f"{prefix}{name}")
        env = name.upper()
        sps = Appliance(stack, name, url=os.environ[f"SPS_{env}_URL"], ca_bundle=os.environ.get(f"SPS_{env}_CA_BUNDLE"))
        populate(objects, [sps])
    app.synth()


if __name__ == "__main__":
    main()
