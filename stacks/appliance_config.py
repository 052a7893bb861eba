"""What every appliance of the demo and the fleet holds, and what may differ between sites.

An audit policy, an MSSQL connection policy that references it and built-in policies, and the
MSSQL options; a `Site` says where the database is, which clients may connect and the log level.
"""

from __future__ import annotations

from dataclasses import dataclass

from sps_constructs import (
    Appliance,
    AuditPolicy,
    AuditPolicyEncryptionDisabled,
    AuditPolicySigningDisabled,
    IndexingEnabled,
    IndexingPolicy,
    MssqlAuthenticationPolicy,
    MssqlChannelPolicy,
    MssqlConnectionPolicy,
    MssqlConnectionPolicyPolicies,
    MssqlOptions,
    MssqlOptionsServiceEnabled,
    MssqlSettingsPolicy,
    Network,
    ServerAddressFix,
)


@dataclass(frozen=True)
class Site:
    name: str
    db_address: str
    clients: tuple[str, ...] = ("10.0.0.0/8",)
    log_level: int = 4


def configure(sps: Appliance, site: Site) -> None:
    audit = AuditPolicy(
        sps,
        "signed",
        name=f"{site.name}_timestamped",
        encryption=AuditPolicyEncryptionDisabled(),
        signing=AuditPolicySigningDisabled(),
        timestamping_enabled=True,
    )
    MssqlConnectionPolicy(
        sps,
        "finance-db",
        name="finance_db",
        network=Network(clients=list(site.clients), targets=[f"{site.db_address}/32"], ports=[1433]),
        server_address=ServerAddressFix(address=site.db_address, port=1433),
        indexing=IndexingEnabled(policy=IndexingPolicy.builtin(sps, "default"), priority=2),
        policies=MssqlConnectionPolicyPolicies(
            audit_policy=audit,
            channel_policy=MssqlChannelPolicy.builtin(sps, "default"),
            settings=MssqlSettingsPolicy.builtin(sps, "default"),
            authentication_policy=MssqlAuthenticationPolicy.builtin(sps, "default"),
        ),
    )
    MssqlOptions(sps, "options", service=MssqlOptionsServiceEnabled(log_level=site.log_level))
