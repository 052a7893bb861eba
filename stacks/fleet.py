"""The fleet: every appliance and its site differences in one definition, one stack per appliance.

Each appliance gets its own stack, so its own state: Terraform's pg backend, one PostgreSQL schema
per appliance (`<SPS_FLEET_SCHEMA_PREFIX><name>`, default prefix `sps_fleet_`), connection string
from PG_CONN_STR. Appliance URLs and CAs come from SPS_<NAME>_URL / SPS_<NAME>_CA_BUNDLE (set by
`make fleet-demo` to local simulators); credentials from SPS_USERNAME / SPS_PASSWORD at apply time.
Synthesize with `python stacks/fleet.py`; deploy with `sps-fleet apply`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cdktf import App, TerraformStack
from constructs import Construct

from sps_constructs import (
    Appliance,
    AuditPolicy,
    AuditPolicyEncryptionDisabled,
    AuditPolicySigningDisabled,
    IndexingPolicy,
    MssqlAuthenticationPolicy,
    MssqlChannelPolicy,
    MssqlConnectionPolicy,
    MssqlConnectionPolicyIndexingEnabled,
    MssqlConnectionPolicyNetwork,
    MssqlConnectionPolicyPolicies,
    MssqlConnectionPolicyServerAddressFix,
    MssqlOptions,
    MssqlOptionsServiceEnabled,
    MssqlSettingsPolicy,
)
from sps_fleet import pg_state


@dataclass(frozen=True)
class Site:
    """What differs between appliances; everything else is the same on all of them."""

    name: str
    db_address: str
    clients: tuple[str, ...] = ("10.0.0.0/8",)
    log_level: int = 4
    timestamping: bool = True


FLEET = (
    Site("ams", "10.1.2.3"),
    Site("fra", "10.2.2.3", log_level=6),
    Site("lon", "10.3.2.3", clients=("10.0.0.0/8", "172.16.0.0/12")),
    Site("nyc", "10.4.2.3"),
    Site("sfo", "10.5.2.3", timestamping=False),
    Site("sin", "10.6.2.3", log_level=2),
    Site("syd", "10.7.2.3"),
    Site("tyo", "10.8.2.3", clients=("10.8.0.0/16",)),
)


class ApplianceStack(TerraformStack):
    def __init__(self, scope: Construct, site: Site, url: str, ca_bundle: str | None, schema: str) -> None:
        super().__init__(scope, site.name)
        pg_state(self, schema)
        sps = Appliance(self, site.name, url=url, ca_bundle=ca_bundle)
        audit = AuditPolicy(
            sps,
            "audit",
            name=f"{site.name}_audit",
            encryption=AuditPolicyEncryptionDisabled(),
            signing=AuditPolicySigningDisabled(),
            timestamping_enabled=site.timestamping,
        )
        MssqlConnectionPolicy(
            sps,
            "finance-db",
            name="finance_db",
            network=MssqlConnectionPolicyNetwork(
                clients=list(site.clients), targets=[f"{site.db_address}/32"], ports=[1433]
            ),
            server_address=MssqlConnectionPolicyServerAddressFix(address=site.db_address, port=1433),
            indexing=MssqlConnectionPolicyIndexingEnabled(policy=IndexingPolicy.builtin(sps, "default"), priority=2),
            policies=MssqlConnectionPolicyPolicies(
                audit_policy=audit,
                channel_policy=MssqlChannelPolicy.builtin(sps, "default"),
                settings=MssqlSettingsPolicy.builtin(sps, "default"),
                authentication_policy=MssqlAuthenticationPolicy.builtin(sps, "default"),
            ),
        )
        MssqlOptions(sps, "options", service=MssqlOptionsServiceEnabled(log_level=site.log_level))


def main() -> None:
    app = App()
    prefix = os.environ.get("SPS_FLEET_SCHEMA_PREFIX", "sps_fleet_")
    for site in FLEET:
        env = site.name.upper()
        url = os.environ.get(f"SPS_{env}_URL", f"https://sps-{site.name}.example.net")
        ApplianceStack(app, site, url, os.environ.get(f"SPS_{env}_CA_BUNDLE"), f"{prefix}{site.name}")
    app.synth()


if __name__ == "__main__":
    main()
