"""The demo: two appliances (eu, us), each with an audit policy, an MSSQL connection policy that
references it plus built-ins, the MSSQL options, and SSH, RDP and Telnet connection policies
recorded by that audit policy, SSH's shell allowed in office hours, Telnet's `admin` login kept
for one group by a usermapping policy (stacks/appliance_config.py).

Appliance URLs come from SPS_EU_URL / SPS_US_URL and their CAs from SPS_EU_CA_BUNDLE /
SPS_US_CA_BUNDLE (set by `make demo` to two local simulators); credentials come from
SPS_USERNAME / SPS_PASSWORD at apply time, so no secret is written into the synthesized JSON.
Synthesize with `cdktf synth` or `python stacks/demo.py`.
"""

from __future__ import annotations

import os

from appliance_config import Site, configure, configure_ssh_rdp, configure_telnet
from cdktf import App, LocalBackend, TerraformStack
from constructs import Construct

from sps_constructs import Appliance

SITES = (
    Site("eu", "10.1.2.3", ssh_servers="10.1.3.0/24", rdp_servers="10.1.4.0/24", telnet_devices="10.1.5.0/24"),
    Site("us", "10.2.2.3", ssh_servers="10.2.3.0/24", rdp_servers="10.2.4.0/24", telnet_devices="10.2.5.0/24"),
)


class DemoStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, urls: dict[str, str], ca_bundles: dict[str, str | None]) -> None:
        super().__init__(scope, id)
        LocalBackend(self, path=os.environ.get("SPS_DEMO_STATE", "terraform.demo.tfstate"))
        for site in SITES:
            sps = Appliance(self, site.name, url=urls[site.name], ca_bundle=ca_bundles[site.name])
            audit = configure(sps, site)
            configure_ssh_rdp(sps, site, audit)
            configure_telnet(sps, site, audit)


def main() -> None:
    app = App()
    names = [site.name for site in SITES]
    urls = {name: os.environ.get(f"SPS_{name.upper()}_URL", f"https://sps-{name}.example.net") for name in names}
    ca_bundles = {name: os.environ.get(f"SPS_{name.upper()}_CA_BUNDLE") for name in names}
    DemoStack(app, "demo", urls, ca_bundles)
    app.synth()


if __name__ == "__main__":
    main()
