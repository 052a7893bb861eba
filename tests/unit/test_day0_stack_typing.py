"""The day-0 constructs in a user's stack under `mypy --strict` (the development install, as the
README's virtualenv): a DNS resource without its required primary, a banner text that is no
string, an SNMP destination given as a bare address (the page prints `{selection, value}`), a
naming without its hostname, a syslog port given as a string, a time zone left out and NTP servers
that are no strings, an alert misspelled, an alert's channels given as a mapping and an alert's
e-mail box given as a string are each reported where they are made; the correct uses beside them
are not."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

STACK = textwrap.dedent(
    """\
    import cdktf

    from sps_constructs import (
        AlertChannels, Appliance, ManagementEmail, ManagementEmailSmtpServer, NetworkDns, NetworkNaming, NtpServers,
        SnmpTrap, SnmpTrapVersion2c, SnmpTrapVersionValue, SnmpTrapVersionValueServer, Syslog, SyslogReceivers,
        SystemAlerts, Timezone, TrafficAlerts, WebGatewayAuthenticationSettings,
        WebGatewayAuthenticationSettingsBannerEnabled,
    )

    app = cdktf.App()
    stack = cdktf.TerraformStack(app, "day0")
    sps = Appliance(stack, "eu", url="https://sps.example")
    NetworkDns(sps, "dns", primary="10.1.0.53", secondary=None)
    ManagementEmail(sps, "email", alerting_address="a@example.net",
                    smtp_server=ManagementEmailSmtpServer(selection="ip", value="10.1.0.25"))
    server = SnmpTrapVersionValue(community="c", server=SnmpTrapVersionValueServer(selection="ip", value="10.1.0.162"))
    SnmpTrap(sps, "trap", enabled=True, version=SnmpTrapVersion2c(value=server))
    NetworkNaming(sps, "naming", hostname="sps-ams", domain="example.net")
    Syslog(sps, "syslog", receivers=[SyslogReceivers(address="10.1.0.14", port=6514, protocol="syslog-tls")])
    NtpServers(sps, "ntp", servers=["10.1.0.123", "ntp2.example.net"])
    Timezone(sps, "tz", timezone="Europe/Berlin")
    SystemAlerts(sps, "alerts", xcbLoginFailure=AlertChannels(email=True, snmp=True))
    TrafficAlerts(sps, "traffic", scbSshHostKeyMismatch=AlertChannels(snmp=True))
    NetworkDns(sps, "dns2", secondary="10.2.0.53")
    WebGatewayAuthenticationSettings(sps, "banner", banner=WebGatewayAuthenticationSettingsBannerEnabled(text=3))
    SnmpTrapVersionValue(community="c", server="10.1.0.162")
    NetworkNaming(sps, "naming2", nickname="Amsterdam")
    SyslogReceivers(address="10.1.0.14", port="514", protocol="syslog-tcp")
    Timezone(sps, "tz2")
    NtpServers(sps, "ntp2", servers=[10, 11])
    SystemAlerts(sps, "alerts2", xcbLoginFailed=AlertChannels(email=True))
    TrafficAlerts(sps, "traffic2", scbProtocolViolation={"email": True})
    AlertChannels(email="yes")
    """
)


def test_mypy_strict_reports_the_day0_mistakes(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(STACK)
    mypy = Path(sys.executable).parent / "mypy"
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    result = subprocess.run(
        [str(mypy), "--strict", "--no-incremental", "main.py"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    errors = [line.split(": error: ")[0] for line in result.stdout.splitlines() if ": error: " in line]
    wrong = [f"main.py:{n}" for n in (24, 25, 26, 27, 28, 29, 30, 30, 31, 32, 33)]  # two elements on line 30
    assert errors == wrong, result.stdout
    assert 'Missing named argument "primary" for "NetworkDns"' in result.stdout, result.stdout
    assert 'Missing named argument "hostname" for "NetworkNaming"' in result.stdout, result.stdout
    assert 'Missing named argument "timezone" for "Timezone"' in result.stdout, result.stdout
    assert '"xcbLoginFailed"' in result.stdout, result.stdout
