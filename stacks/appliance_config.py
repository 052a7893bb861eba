"""What every appliance of the demo and the fleet holds, and what may differ between sites.

An audit policy, an MSSQL connection policy that references it and built-in policies, and the
MSSQL options; a `Site` says where the database and the SSH and RDP servers are, which clients may
connect and the log level. The demo adds SSH and RDP (`configure_ssh_rdp`): an SSH connection
policy with its own channel policy, whose shell is open in office hours only (a time policy), and
an RDP connection policy, both recorded by the site's audit policy. The fleet adds the day-0
settings (`configure_day0`): the site's hostname, DNS and NTP servers and time zone, alert e-mail
through the region's SMTP relay, SNMP traps to the region's monitoring server, which system and
traffic alerts go there (failed logins, configuration changes, failed backups and archiving, SSH
host key mismatches, protocol violations, ...), the system log to the region's syslog server and
the login banner. The demo also adds Telnet
(`configure_telnet`): a connection policy to the site's network devices whose channel is recorded,
with a usermapping policy (which groups may log in under which server username).
"""

from __future__ import annotations

from dataclasses import dataclass

from sps_constructs import (
    AlertChannels,
    Appliance,
    AuditPolicy,
    AuditPolicyEncryptionDisabled,
    AuditPolicySigningDisabled,
    ChannelActions,
    ChannelAllowedFor,
    IndexingEnabled,
    IndexingPolicy,
    ManagementEmail,
    ManagementEmailSmtpServer,
    MssqlAuthenticationPolicy,
    MssqlChannelPolicy,
    MssqlConnectionPolicy,
    MssqlConnectionPolicyPolicies,
    MssqlOptions,
    MssqlOptionsServiceEnabled,
    MssqlSettingsPolicy,
    Network,
    NetworkDns,
    NetworkNaming,
    NtpServers,
    RdpChannelPolicy,
    RdpConnectionPolicy,
    RdpConnectionPolicyPolicies,
    RdpSettingsPolicy,
    ServerAddressFix,
    SnmpTrap,
    SnmpTrapVersion2c,
    SnmpTrapVersionValue,
    SnmpTrapVersionValueServer,
    SshAuthenticationPolicy,
    SshChannelPolicy,
    SshChannelPolicyRules,
    SshConnectionPolicy,
    SshConnectionPolicyPolicies,
    SshSettingsPolicy,
    Syslog,
    SyslogReceivers,
    SystemAlerts,
    TelnetAuthenticationPolicy,
    TelnetChannelPolicy,
    TelnetChannelPolicyRules,
    TelnetConnectionPolicy,
    TelnetConnectionPolicyPolicies,
    TelnetSettingsPolicy,
    TimePolicy,
    Timezone,
    TrafficAlerts,
    UsermappingPolicy,
    WebGatewayAuthenticationSettings,
    WebGatewayAuthenticationSettingsBannerEnabled,
)

OFFICE_HOURS = [["8:00", "18:00"]]
BANNER = "Authorized use only. Every session through this gateway is recorded and audited."


@dataclass(frozen=True)
class Region:
    """What the sites of one region share: its DNS resolvers, SMTP relay, monitoring and syslog servers."""

    dns: tuple[str, str] = ("10.0.0.53", "10.0.1.53")
    ntp: tuple[str, ...] = ("10.0.0.123",)
    smtp_relay: str = "10.0.0.25"
    monitoring: str = "10.0.0.162"
    """The SNMP server that receives the traps."""
    syslog: str = "10.0.0.14"
    """The syslog server that keeps the appliances' logs (TLS, IETF syslog)."""


@dataclass(frozen=True)
class Site:
    name: str
    db_address: str
    clients: tuple[str, ...] = ("10.0.0.0/8",)
    log_level: int = 4
    ssh_servers: str = "10.0.3.0/24"
    rdp_servers: str = "10.0.4.0/24"
    region: Region = Region()
    dns: tuple[str, str] | None = None
    """The site's DNS servers (primary, secondary) where they are not the region's."""
    timezone: str = "UTC"
    telnet_devices: str = "10.0.5.0/24"


def configure(sps: Appliance, site: Site) -> AuditPolicy:
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
    return audit


def configure_day0(sps: Appliance, site: Site) -> None:
    """What an appliance needs before its first connection: its name, name resolution, where its
    alerts (e-mail and SNMP) and its logs (syslog) go, its clock (NTP servers and time zone) and the
    banner users see before they log in (checked by SpsBaseline)."""
    primary, secondary = site.dns or site.region.dns
    NetworkNaming(sps, "naming", hostname=f"sps-{site.name}", domain="example.net")
    NetworkDns(sps, "dns", primary=primary, secondary=secondary)
    NtpServers(sps, "ntp", servers=list(site.region.ntp))
    Timezone(sps, "timezone", timezone=site.timezone)
    ManagementEmail(
        sps,
        "email",
        admin_address="sps-admins@example.net",
        alerting_address=f"sps-alerts+{site.name}@example.net",
        smtp_server=ManagementEmailSmtpServer(selection="ip", value=site.region.smtp_relay),
    )
    monitoring = SnmpTrapVersionValueServer(selection="ip", value=site.region.monitoring)
    SnmpTrap(
        sps,
        "snmp-trap",
        enabled=True,
        version=SnmpTrapVersion2c(value=SnmpTrapVersionValue(community="sps", server=monitoring)),
    )
    both, mail = AlertChannels(email=True, snmp=True), AlertChannels(email=True)
    SystemAlerts(
        sps,
        "system-alerts",
        xcbLoginFailure=both,
        xcbConfigChange=mail,
        xcbBackupFailed=both,
        xcbArchiveFailed=both,
        xcbDBError=both,
        xcbLimitReached=mail,
        xcbHaNodeChanged=both,
    )
    TrafficAlerts(
        sps,
        "traffic-alerts",
        scbSshHostKeyMismatch=both,
        scbProtocolViolation=both,
        scbGWAuthFailure=mail,
        scbUserMappingFailure=mail,
        scbCredStoreDecrpytError=both,
    )
    Syslog(sps, "syslog", receivers=[SyslogReceivers(address=site.region.syslog, port=6514, protocol="syslog-tls")])
    WebGatewayAuthenticationSettings(
        sps, "login-banner", banner=WebGatewayAuthenticationSettingsBannerEnabled(text=BANNER)
    )


def configure_ssh_rdp(sps: Appliance, site: Site, audit: AuditPolicy) -> None:
    office_hours = TimePolicy(
        sps, "office-hours", name="office_hours", Mon=OFFICE_HOURS, Tue=OFFICE_HOURS, Wed=OFFICE_HOURS,
        Thu=OFFICE_HOURS, Fri=OFFICE_HOURS, Sat=[], Sun=[],
    )  # fmt: skip
    shell = SshChannelPolicy(
        sps,
        "ssh-shell",
        name="shell_in_office_hours",
        rules=[
            SshChannelPolicyRules(
                channel="session-shell",
                actions=ChannelActions(audit=True),
                allowed_for=ChannelAllowedFor(time_policy=office_hours),
            )
        ],
    )
    SshConnectionPolicy(
        sps,
        "linux-servers",
        name="linux_servers",
        network=Network(clients=list(site.clients), targets=[site.ssh_servers], ports=[22]),
        policies=SshConnectionPolicyPolicies(
            audit_policy=audit,
            authentication_policy=SshAuthenticationPolicy.builtin(sps, "default"),
            channel_policy=shell,
            settings=SshSettingsPolicy.builtin(sps, "default"),
        ),
    )
    RdpConnectionPolicy(
        sps,
        "windows-servers",
        name="windows_servers",
        network=Network(clients=list(site.clients), targets=[site.rdp_servers], ports=[3389]),
        policies=RdpConnectionPolicyPolicies(
            audit_policy=audit,
            channel_policy=RdpChannelPolicy.builtin(sps, "default"),
            settings=RdpSettingsPolicy.builtin(sps, "default"),
        ),
    )


def configure_telnet(sps: Appliance, site: Site, audit: AuditPolicy) -> None:
    recorded = TelnetChannelPolicy(
        sps,
        "telnet-recorded",
        name="telnet_recorded",
        rules=[TelnetChannelPolicyRules(channel="telnet", actions=ChannelActions(audit=True))],
    )
    # The REST pages print no usermapping body, so its mappings (`admin` for `netops` only) are
    # written in the appliance's own field names through `extra_json`, or kept from the web
    # interface (docs/resources/usermapping_policy.md); the policy itself is managed here.
    admin_for_netops = UsermappingPolicy(sps, "admin-for-netops", name="admin_for_netops")
    TelnetConnectionPolicy(
        sps,
        "network-devices",
        name="network_devices",
        network=Network(clients=list(site.clients), targets=[site.telnet_devices], ports=[23]),
        policies=TelnetConnectionPolicyPolicies(
            audit_policy=audit,
            authentication_policy=TelnetAuthenticationPolicy.builtin(sps, "default"),
            channel_policy=recorded,
            settings=TelnetSettingsPolicy.builtin(sps, "default"),
            usermapping_policy=admin_for_netops,
        ),
    )
