"""The security baseline: every rule with a violating and a compliant configuration, judged by the
stack Aspect (`SpsBaseline`, through a real cdktf synth) and by the live check (`sps-export
--check`'s code, on the bodies an appliance would answer); rules about a shape apply to every
catalog type of that shape."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from cdktf import App, Aspects, TerraformStack

from sps_catalog import TypeDef, Value, load_catalog
from sps_catalog.baseline import RULES, Finding
from sps_catalog.walk import Path as WalkPath
from sps_catalog.walk import Rebuild
from sps_constructs import Appliance, NtpServers, SpsBaseline, SpsConfigError, SystemAlerts
from sps_constructs.introspect import construct_classes
from sps_constructs.shapes import AlertChannels
from sps_export import check
from sps_export.reader import ApplianceRead, ReadObject, TypeRead, read_appliance
from sps_harness import RunningSimulator
from sps_provider.client.session import SpsClient
from sps_provider.client.settings import Settings
from sps_provider.engine.convert import to_body
from tests.support.catalog_cases import resolved
from tests.support.simulator_api import out_of_band

CATALOG = load_catalog()
NTP = CATALOG["ntp_servers"]
ALERTS = CATALOG["system_alerts"]
SILENT = {"email": False, "snmp": False}
Case = tuple[str, TypeDef, dict[str, Any], dict[str, Any]]


def example(t: TypeDef, name: str = "minimal", **override: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = resolved(copy.deepcopy(dict(t.examples[name])))
    return {**attrs, **override}


def shaped(rule_id: str) -> list[TypeDef]:
    rule = next(r for r in RULES if r.id == rule_id)
    return [t for t in CATALOG.managed if rule.applies(t)]


def cases() -> list[Case]:
    audit, web, backup, vnc = (CATALOG[n] for n in ("audit_policy", "local_services_user_web", "system_backup",
                                                    "vnc_settings_policy"))  # fmt: skip
    email, trap, banner = (CATALOG[n] for n in ("management_email", "snmp_trap", "web_gateway_authentication_settings"))
    syslog = CATALOG["syslog"]
    out: list[Case] = [
        ("SPS-AUDIT-1", audit, example(audit, "full"), example(audit)),
        ("SPS-AUDIT-2", audit, example(audit, signing={"enabled": True, "x509_identity": "x509"}), example(audit)),
        ("SPS-AUDIT-3", audit, example(audit, timestamping_enabled=True), example(audit)),
        ("SPS-TLS-2", vnc, example(vnc), example(vnc, "full")),
        (
            "SPS-WEB-1",
            web,
            example(web, access_restriction={"enabled": True, "allowed_from": ["10.0.0.0/8"]}),
            example(web, access_restriction={"enabled": False}),
        ),
        ("SPS-BACKUP-1", backup, example(backup, backup_policy="policy"), example(backup)),
        ("SPS-ALERT-1", email, example(email), example(email, alerting_address=None)),
        ("SPS-ALERT-1", email, example(email), example(email, smtp_server=None)),
        ("SPS-ALERT-2", trap, example(trap, "full"), example(trap)),
        ("SPS-BANNER-1", banner, example(banner), example(banner, banner={"enabled": False})),
        ("SPS-SYSLOG-1", syslog, example(syslog), example(syslog, receivers=[])),
        ("SPS-NTP-1", NTP, example(NTP), example(NTP, servers=[])),
        ("SPS-ALERT-3", ALERTS, example(ALERTS), example(ALERTS, xcbLoginFailure=SILENT)),
        (
            "SPS-ALERT-3",
            ALERTS,
            example(ALERTS, xcbLoginFailure={"email": False, "snmp": True}),
            example(ALERTS, "full", xcbLoginFailure={"email": False}),
        ),
    ]
    for t in shaped("SPS-NET-1"):
        ok = example(t)
        out.append(("SPS-NET-1", t, ok, {**ok, "network": {**ok["network"], "clients": ["10.0.0.0/8", "0.0.0.0/0"]}}))
    tls = {"selection": "tls", "certificate": {"selection": "generate", "signing_ca": "ca"},
           "server_certificate_check": {"enabled": False}}  # fmt: skip
    out += [("SPS-TLS-1", t, example(t, transport_security=tls), example(t)) for t in shaped("SPS-TLS-1")]
    for t in shaped("SPS-CHAN-1"):
        channel = example(t)["rules"][0]["channel"]
        open_rule = {"channel": channel, "actions": {"audit": False}}
        out.append(("SPS-CHAN-1", t, example(t), example(t, rules=[open_rule])))
    return out


CASES = cases()
IDS = [f"{rule}-{t.terraform_name}" for rule, t, _, _ in CASES]


def test_every_rule_has_a_case_and_a_statement() -> None:
    assert {r.id for r in RULES} == {rule for rule, *_ in CASES}
    absent = {r.id for r in RULES if r.absent}
    assert absent == {"SPS-NTP-1", "SPS-ALERT-3"}, "each rule on absent singletons has its tests"
    assert all(r.statement and r.title for r in RULES)


def live(t: TypeDef, attrs: dict[str, Any]) -> list[Finding]:
    """The live check on the body an appliance answers for `attrs`."""
    body = to_body(t.root, attrs)
    return check.findings(ApplianceRead("https://sps", "7.5.1", [TypeRead(t, [ReadObject(t, "k1", body)])]))


class _Lookups(Rebuild):
    """References (keys) as data-source lookups on the appliance, as a stack would hold them."""

    select = "present"
    keep_unselected = True

    def __init__(self, sps: Appliance) -> None:
        self.sps = sps

    def leaf(self, spec: Value, v: Any, path: WalkPath) -> Any:
        if spec.type != "reference" or spec.format == "nic_address":
            return v
        data = construct_classes()[spec.target or ""][1]
        assert data is not None
        return data(self.sps, f"lookup_{'_'.join(map(str, path))}", key=v)


def synthesized(tmp_path: Path, t: TypeDef, attrs: dict[str, Any], fail_on: Any = None,
                reason: str | None = None, rule_id: str = "") -> SpsBaseline:  # fmt: skip
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = App(outdir=str(tmp_path / "cdktf.out"))
    stack = TerraformStack(app, "baseline")
    sps = Appliance(stack, "sps", url="https://sps.example.net")
    if t is not NTP:
        NtpServers(sps, "ntp", servers=["10.0.0.123"])  # the appliance itself passes SPS-NTP-1
    if t is not ALERTS:
        SystemAlerts(sps, "alerts", xcbLoginFailure=AlertChannels(email=True))  # and SPS-ALERT-3
    cls = construct_classes()[t.terraform_name][0]
    assert cls is not None
    construct = cls(sps, "object", **_Lookups(sps)(t.root, attrs))
    if reason is not None:
        SpsBaseline.suppress(construct, rule_id, reason=reason)
    baseline = SpsBaseline(fail_on=fail_on)
    Aspects.of(stack).add(baseline)
    app.synth()
    return baseline


@pytest.mark.parametrize(("rule_id", "t", "compliant", "violating"), CASES, ids=IDS)
def test_rule_in_the_live_check(rule_id: str, t: TypeDef, compliant: dict[str, Any], violating: dict[str, Any]) -> None:
    assert rule_id in {f.rule.id for f in live(t, violating)}
    assert rule_id not in {f.rule.id for f in live(t, compliant)}


@pytest.mark.parametrize(("rule_id", "t", "compliant", "violating"), CASES, ids=IDS)
def test_rule_in_the_stack_aspect(
    rule_id: str, t: TypeDef, compliant: dict[str, Any], violating: dict[str, Any], tmp_path: Path
) -> None:
    assert rule_id in {f.rule.id for f in synthesized(tmp_path / "bad", t, violating).findings}
    assert rule_id not in {f.rule.id for f in synthesized(tmp_path / "ok", t, compliant).findings}


def test_a_severe_finding_fails_the_synth_unless_suppressed_with_a_reason(tmp_path: Path) -> None:
    audit = CATALOG["audit_policy"]
    with pytest.raises(RuntimeError, match="SPS-AUDIT-1"):
        synthesized(tmp_path / "a", audit, example(audit), fail_on="high")
    baseline = synthesized(tmp_path / "b", audit, example(audit), fail_on="high", rule_id="SPS-AUDIT-1",
                           reason="lab appliance: its recordings hold no real data")  # fmt: skip
    assert "SPS-AUDIT-1" not in {f.rule.id for f in baseline.findings}
    assert [s.reason for _, s in baseline.suppressed] == ["lab appliance: its recordings hold no real data"]
    with pytest.raises(SpsConfigError, match="needs a reason"):
        synthesized(tmp_path / "c", audit, example(audit), rule_id="SPS-AUDIT-1", reason="ok")


def test_a_day0_finding_is_suppressible_with_a_reason(tmp_path: Path) -> None:
    banner = CATALOG["web_gateway_authentication_settings"]
    off = example(banner, banner={"enabled": False})
    with pytest.raises(RuntimeError, match="SPS-BANNER-1"):
        synthesized(tmp_path / "a", banner, off, fail_on="low")
    reason = "lab appliance: only the team's own engineers log in"
    baseline = synthesized(tmp_path / "b", banner, off, fail_on="low", rule_id="SPS-BANNER-1", reason=reason)
    assert "SPS-BANNER-1" not in {f.rule.id for f in baseline.findings}
    assert [s.reason for _, s in baseline.suppressed] == [reason]


def test_no_remote_syslog_is_suppressible_with_a_reason_only(tmp_path: Path) -> None:
    syslog = CATALOG["syslog"]
    none = example(syslog, receivers=[])
    with pytest.raises(RuntimeError, match="SPS-SYSLOG-1"):
        synthesized(tmp_path / "a", syslog, none, fail_on="medium")
    reason = "lab appliance: its logs are read on the console and thrown away"
    baseline = synthesized(tmp_path / "b", syslog, none, fail_on="medium", rule_id="SPS-SYSLOG-1", reason=reason)
    assert "SPS-SYSLOG-1" not in {f.rule.id for f in baseline.findings}
    assert [(f.rule.id, s.reason) for f, s in baseline.suppressed] == [("SPS-SYSLOG-1", reason)]
    with pytest.raises(SpsConfigError, match="needs a reason"):
        synthesized(tmp_path / "c", syslog, none, rule_id="SPS-SYSLOG-1", reason="lab")


def ntp_stack(tmp_path: Path, servers: list[str] | None, fail_on: Any = None, reason: str | None = None) -> SpsBaseline:
    """An appliance whose NTP servers are `servers` (None: the stack sets none)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = App(outdir=str(tmp_path / "cdktf.out"))
    stack = TerraformStack(app, "baseline")
    sps = Appliance(stack, "sps", url="https://sps.example.net")
    if servers is not None:
        NtpServers(sps, "ntp", servers=servers)
    SystemAlerts(sps, "alerts", xcbLoginFailure=AlertChannels(snmp=True))
    if reason is not None:
        SpsBaseline.suppress(sps, "SPS-NTP-1", reason=reason)
    baseline = SpsBaseline(fail_on=fail_on)
    Aspects.of(stack).add(baseline)
    app.synth()
    return baseline


def ntp_findings(baseline: SpsBaseline) -> list[tuple[str, str]]:
    return [(f.where, f.attribute) for f in baseline.findings if f.rule.id == "SPS-NTP-1"]


def test_no_ntp_server_at_synth(tmp_path: Path) -> None:
    assert ntp_findings(ntp_stack(tmp_path / "absent", None)) == [("baseline/sps", "servers")]
    assert ntp_findings(ntp_stack(tmp_path / "empty", [])) == [("baseline/sps/ntp", "servers")]
    assert ntp_findings(ntp_stack(tmp_path / "set", ["10.1.0.123"])) == []
    with pytest.raises(RuntimeError, match="SPS-NTP-1"):
        ntp_stack(tmp_path / "fails", None, fail_on="medium")
    reason = "lab appliance: the hypervisor keeps its clock"
    baseline = ntp_stack(tmp_path / "suppressed", None, fail_on="medium", reason=reason)
    assert ntp_findings(baseline) == []
    assert [(f.rule.id, s.reason) for f, s in baseline.suppressed] == [("SPS-NTP-1", reason)]


def test_no_ntp_server_in_the_live_check(simulator: RunningSimulator) -> None:
    client = SpsClient(Settings(url=simulator.url, username="admin", password="admin", verify=simulator.ca or True))
    out_of_band(simulator, "PUT", NTP.api_path, [])
    read = read_appliance(client, [NTP])
    assert [o.body for o in read.objects()] == [{"servers": []}]
    assert [(f.rule.id, f.attribute) for f in check.findings(read)] == [("SPS-NTP-1", "servers")]
    out_of_band(simulator, "PUT", NTP.api_path, ["10.1.0.123", "ntp2.example.net"])
    read = read_appliance(client, [NTP])
    assert [o.body for o in read.objects()] == [{"servers": ["10.1.0.123", "ntp2.example.net"]}]
    assert check.findings(read) == []


def login_alert_findings(
    tmp_path: Path, alerts: dict[str, Any] | None, reason: str | None = None
) -> list[tuple[str, str]]:
    """SPS-ALERT-3's findings on an appliance whose system alerts are `alerts` (None: no construct)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = App(outdir=str(tmp_path / "cdktf.out"))
    stack = TerraformStack(app, "baseline")
    sps = Appliance(stack, "sps", url="https://sps.example.net")
    NtpServers(sps, "ntp", servers=["10.0.0.123"])
    if alerts is not None:
        SystemAlerts(sps, "alerts", **alerts)
    if reason is not None:
        SpsBaseline.suppress(sps, "SPS-ALERT-3", reason=reason)
    baseline = SpsBaseline(fail_on="medium" if reason else None)
    Aspects.of(stack).add(baseline)
    app.synth()
    assert [f.rule.id for f, _ in baseline.suppressed] == (["SPS-ALERT-3"] if reason else [])
    return [(f.where, f.attribute) for f in baseline.findings if f.rule.id == "SPS-ALERT-3"]


def test_silent_login_failures_at_synth(tmp_path: Path) -> None:
    assert login_alert_findings(tmp_path / "absent", None) == [("baseline/sps", "xcbLoginFailure")]
    unset = {"xcbConfigChange": AlertChannels(email=True)}
    assert login_alert_findings(tmp_path / "unset", unset) == [("baseline/sps/alerts", "xcbLoginFailure")]
    assert login_alert_findings(tmp_path / "snmp", {"xcbLoginFailure": AlertChannels(snmp=True)}) == []
    reason = "lab appliance: nobody but the test runner logs in"
    assert login_alert_findings(tmp_path / "suppressed", None, reason=reason) == []


def test_silent_login_failures_in_the_live_check(simulator: RunningSimulator) -> None:
    client = SpsClient(Settings(url=simulator.url, username="admin", password="admin", verify=simulator.ca or True))
    factory = read_appliance(client, [ALERTS])
    assert [(f.rule.id, f.attribute) for f in check.findings(factory)] == [("SPS-ALERT-3", "xcbLoginFailure")]
    body = dict(factory.objects()[0].body)
    out_of_band(simulator, "PUT", ALERTS.api_path, {**body, "xcbLoginFailure": {"email": True, "snmp": False}})
    assert check.findings(read_appliance(client, [ALERTS])) == []
