"""The fleet: every appliance and its site differences in one definition, one stack per appliance.

What each appliance holds is stacks/appliance_config.py (as in the demo, plus the day-0 settings:
hostname, DNS, NTP, time zone, alert e-mail, SNMP traps, syslog, login banner); a `Site` says what
differs (e.g. each region's DNS, NTP and syslog servers, SMTP relay and monitoring server, each
site's hostname and time zone). Each
appliance gets its own stack, so its own state: Terraform's pg backend, one PostgreSQL schema per
appliance (`<SPS_FLEET_SCHEMA_PREFIX><name>`, default prefix `sps_fleet_`), connection string from
PG_CONN_STR. Appliance URLs and CAs come from SPS_<NAME>_URL /
SPS_<NAME>_CA_BUNDLE (set by `make fleet-demo` to local simulators); credentials from
SPS_USERNAME / SPS_PASSWORD at apply time. Synthesize with `python stacks/fleet.py`; deploy with
`sps-fleet apply` (with `--only a,b` only those stacks are built: `wanted`).
"""

from __future__ import annotations

import os

from appliance_config import Region, Site, configure, configure_day0
from cdktf import App, TerraformStack
from constructs import Construct

from sps_constructs import Appliance
from sps_fleet import pg_state, wanted

EU = Region(dns=("10.1.0.53", "10.2.0.53"), ntp=("10.1.0.123", "10.2.0.123"), smtp_relay="10.1.0.25",
            monitoring="10.1.0.162", syslog="10.1.0.14")  # fmt: skip
US = Region(dns=("10.4.0.53", "10.5.0.53"), ntp=("10.4.0.123", "10.5.0.123"), smtp_relay="10.4.0.25",
            monitoring="10.4.0.162", syslog="10.4.0.14")  # fmt: skip
APAC = Region(dns=("10.6.0.53", "10.8.0.53"), ntp=("10.6.0.123",), smtp_relay="10.6.0.25", monitoring="10.6.0.162",
              syslog="10.6.0.14")  # fmt: skip

FLEET = (
    Site("ams", "10.1.2.3", region=EU, timezone="Europe/Amsterdam"),
    Site("fra", "10.2.2.3", log_level=6, region=EU, dns=("10.2.0.53", "10.1.0.53"), timezone="Europe/Berlin"),
    Site("lon", "10.3.2.3", clients=("10.0.0.0/8", "172.16.0.0/12"), region=EU, timezone="Europe/London"),
    Site("nyc", "10.4.2.3", region=US, timezone="America/New_York"),
    Site("sfo", "10.5.2.3", log_level=5, region=US, dns=("10.5.0.53", "10.4.0.53"), timezone="America/Los_Angeles"),
    Site("sin", "10.6.2.3", log_level=2, region=APAC, timezone="Asia/Singapore"),
    Site("syd", "10.7.2.3", region=APAC, timezone="Australia/Sydney"),
    Site("tyo", "10.8.2.3", clients=("10.8.0.0/16",), region=APAC, dns=("10.8.0.53", "10.6.0.53"),
         timezone="Asia/Tokyo"),
)  # fmt: skip


class ApplianceStack(TerraformStack):
    def __init__(self, scope: Construct, site: Site, url: str, ca_bundle: str | None, schema: str) -> None:
        super().__init__(scope, site.name)
        pg_state(self, schema)
        sps = Appliance(self, site.name, url=url, ca_bundle=ca_bundle)
        configure(sps, site)
        configure_day0(sps, site)


def main() -> None:
    app = App()
    prefix = os.environ.get("SPS_FLEET_SCHEMA_PREFIX", "sps_fleet_")
    for site in FLEET:
        if not wanted(site.name):  # `sps-fleet --only`: the other appliances' stacks are not built
            continue
        env = site.name.upper()
        url = os.environ.get(f"SPS_{env}_URL", f"https://sps-{site.name}.example.net")
        ApplianceStack(app, site, url, os.environ.get(f"SPS_{env}_CA_BUNDLE"), f"{prefix}{site.name}")
    app.synth()


if __name__ == "__main__":
    main()
