"""The demo: two appliances (eu, us), each with an audit policy, an MSSQL connection policy that
references it plus built-ins, and the MSSQL options.

Appliance URLs come from SPS_EU_URL / SPS_US_URL and their CAs from SPS_EU_CA_BUNDLE /
SPS_US_CA_BUNDLE (set by `make demo` to two local simulators); credentials come from
SPS_USERNAME / SPS_PASSWORD at apply time, so no secret is written into the synthesized JSON.
Synthesize with `cdktf synth` or `python stacks/demo.py`.
"""

from __future__ import annotations

import os

from cdktf import App, LocalBackend, TerraformStack
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

SITES = {"eu": "10.1.2.3", "us": "10.2.2.3"}


class DemoStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, urls: dict[str, str], ca_bundles: dict[str, str | None]) -> None:
        super().__init__(scope, id)
        LocalBackend(self, path=os.environ.get("SPS_DEMO_STATE", "terraform.demo.tfstate"))
        for site, db_address in SITES.items():
            sps = Appliance(self, site, url=urls[site], ca_bundle=ca_bundles[site])
            audit = AuditPolicy(
                sps,
                "signed",
                name=f"{site}_timestamped",
                encryption=AuditPolicyEncryptionDisabled(),
                signing=AuditPolicySigningDisabled(),
                timestamping_enabled=True,
            )
            MssqlConnectionPolicy(
                sps,
                "finance-db",
                name="finance_db",
                network=MssqlConnectionPolicyNetwork(
                    clients=["10.0.0.0/8"], targets=[f"{db_address}/32"], ports=[1433]
                ),
                server_address=MssqlConnectionPolicyServerAddressFix(address=db_address, port=1433),
                indexing=MssqlConnectionPolicyIndexingEnabled(
                    policy=IndexingPolicy.builtin(sps, "default"), priority=2
                ),
                policies=MssqlConnectionPolicyPolicies(
                    audit_policy=audit,
                    channel_policy=MssqlChannelPolicy.builtin(sps, "default"),
                    settings=MssqlSettingsPolicy.builtin(sps, "default"),
                    authentication_policy=MssqlAuthenticationPolicy.builtin(sps, "default"),
                ),
            )
            MssqlOptions(sps, "options", service=MssqlOptionsServiceEnabled(log_level=4))


def main() -> None:
    app = App()
    urls = {site: os.environ.get(f"SPS_{site.upper()}_URL", f"https://sps-{site}.example.net") for site in SITES}
    ca_bundles = {site: os.environ.get(f"SPS_{site.upper()}_CA_BUNDLE") for site in SITES}
    DemoStack(app, "demo", urls, ca_bundles)
    app.synth()


if __name__ == "__main__":
    main()
