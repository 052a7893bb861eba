"""The SPS security baseline: rules about what protects audit data and access, with the
documentation statement behind each.

A rule looks at one object's values in Terraform attribute form with the documented defaults
filled in (what the appliance holds, or what a stack will send), so the same code judges a CDKTF
stack at synth (`sps_constructs.SpsBaseline`) and a live appliance (`sps-export --check`). Values
not known yet (tokens, UNKNOWN) are never judged. Which types a rule applies to comes from the
catalog where the rule is about a shape (every type with `network.clients`, with a
`transport_security` union, with channel rules), so new types of that shape join by themselves.

A rule marked `absent` (about a singleton, e.g. SPS-NTP-1) also judges an appliance whose stack
has no construct of the type, on the type's factory body: the appliance keeps what it holds, which
for a fresh one is that body. Live, the singleton is read as every typed one is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sps_catalog.model import TypeDef, field_nodes
from sps_catalog.paths import LIST_ELEMENT
from sps_catalog.values import get_in

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
OPEN_NETWORKS = ("0.0.0.0/0", "::/0", "0.0.0.0")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    statement: str
    """What the SPS documentation says that makes this matter (and where)."""
    applies: Callable[[TypeDef], bool]
    check: Callable[[Mapping[str, Any]], Iterator[tuple[str, str]]]
    """(attribute path, what is wrong) for each violation in one object's values."""
    absent: bool = False
    """A rule on a singleton that also judges an appliance whose stack has no construct of the
    type, on the type's factory body (`sps_constructs.SpsBaseline`)."""


@dataclass(frozen=True)
class Finding:
    rule: Rule
    resource_type: str
    where: str
    """The object: its SPS name and key (live) or its construct path (stack)."""
    attribute: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {
            "rule": self.rule.id,
            "severity": self.rule.severity,
            "title": self.rule.title,
            "resource_type": self.resource_type,
            "object": self.where,
            "attribute": self.attribute,
            "message": self.message,
            "statement": self.rule.statement,
        }

    def __str__(self) -> str:
        where = f"{self.resource_type} {self.where}"
        return f"[{self.rule.severity}] {self.rule.id} {where}: {self.attribute}: {self.message}"


_PATHS: dict[str, frozenset[str]] = {}


def _paths(t: TypeDef) -> frozenset[str]:
    """Every field path of a type, dotted, list elements left out (`rules.actions.audit`); made once."""
    found = _PATHS.get(t.terraform_name)
    if found is None:
        found = _PATHS[t.terraform_name] = frozenset(
            ".".join(str(s) for s in path if s != LIST_ELEMENT) for path, _ in field_nodes(t.root)
        )
    return found


def has(*paths: str) -> Callable[[TypeDef], bool]:
    return lambda t: t.is_managed and all(p in _paths(t) for p in paths)


def _get(v: Any, dotted: str) -> Any:
    return get_in(v, tuple(dotted.split(".")))


def _is(v: Any, expected: Any) -> bool:
    """`v == expected` for known values only (type included: True is not 1)."""
    return type(v) is type(expected) and v == expected


def _disabled(path: str, message: str) -> Callable[[Mapping[str, Any]], Iterator[tuple[str, str]]]:
    def check(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        if _is(_get(values, path), False):
            yield path, message

    return check


def _open_clients(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    clients = _get(values, "network.clients")
    for i, c in enumerate(clients if isinstance(clients, list) else []):
        if isinstance(c, str) and c in OPEN_NETWORKS:
            yield f"network.clients[{i}]", f"{c} admits every client network"


def _no_transport_security(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if _is(_get(values, "transport_security.selection"), "disabled"):
        yield "transport_security.selection", "client-side TLS is disabled: sessions (and passwords) travel in clear"


def _old_tls(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    version = _get(values, "client_tls_security_settings.minimum_tls_version")
    if isinstance(version, str) and version in ("TLSv1_0", "TLSv1_1"):
        yield "client_tls_security_settings.minimum_tls_version", f"{version} accepts TLS versions older than 1.2"


def _unaudited_channels(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    rules = values.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, Mapping) or not _is(_get(rule, "actions.audit"), False):
            continue
        allowed = rule.get("allowed_for")
        groups = [_get(allowed, "gateway_groups"), _get(allowed, "remote_groups")] if allowed else [[], []]
        if all(isinstance(g, list) and not g for g in groups):
            channel = rule.get("channel")
            yield f"rules[{i}].actions.audit", f"the {channel!r} channel is open to everyone and not audited"


def _no_backup(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if values.get("backup_policy") is None:
        yield "backup_policy", "no backup policy: the configuration is not backed up"


def _no_alert_email(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    # unset is null: both default to null (none configured)
    if values.get("alerting_address") is None:
        yield "alerting_address", "no address to e-mail alerts to: alerts raised by SPS reach nobody by e-mail"
    elif values.get("smtp_server") is None:
        yield "smtp_server", "no SMTP server: SPS cannot send its alert e-mails"


def _no_banner(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if _is(_get(values, "banner.enabled"), False):
        yield "banner.enabled", "users log in without being told that they are audited"


def _no_syslog_receiver(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if _is(values.get("receivers"), []):
        yield "receivers", "no remote syslog server: SPS's own logs stay on the appliance and are gone after seven days"


def _silent_login_failures(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if _is(_get(values, "xcbLoginFailure.email"), False) and _is(_get(values, "xcbLoginFailure.snmp"), False):
        yield "xcbLoginFailure", "failed logins to the web interface raise no alert, in e-mail or as an SNMP trap"


def _no_ntp_server(values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if _is(values.get("servers"), []):
        yield "servers", "no NTP server: the clock SPS stamps audit trails and logs with is synchronized with nothing"


ALERT_STATEMENT = (
    '6.0 LTS (management/email): "Configuration settings for SMTP server address and authentication, '
    'administrator e-mail, and e-mail addresses for alerts and reports." 6.0.14 LTS (management/snmp/trap): '
    'enabled "Set to true to send alerts to an SNMP server."'
)

AUDIT_STATEMENT = (
    'S004 (audit policies): "An audit policy contains settings for encrypting, timestamping, and signing audit '
    "trails. To enable auditing for a connection, select an audit policy when configuring connections, and enable "
    "auditing for the appropriate protocol channels in the connection's channel policy.\""
)

SYSLOG_STATEMENT = (
    "Administration guide 7.5, Configuring system logging (https://support.oneidentity.com/technical-documents/"
    "one-identity-safeguard-for-privileged-sessions/7.5/installation-guide/configuring-system-logging): SPS "
    '"can send its system log messages to remote syslog servers"; "Caution: The retention time for local logs of '
    'SPS is seven days. To retain them longer, forward them to a remote logserver." Without a syslog receiver, the '
    "appliance's record of logins, configuration changes and errors is lost after a week and is held only where "
    "whoever controls the appliance can change it."
)

NTP_STATEMENT = (
    "7.1.1 (REST API reference, Authenticate, https://support.oneidentity.com/technical-documents/"
    "safeguard-for-privileged-sessions/7.1.1/rest-api-reference-guide/2): the clocks of the client and SPS must be "
    "in sync, as both validate the session cookie. No SPS page on NTP was found; the guide of its sister appliance "
    "(Safeguard for Privileged Passwords 7.1, Time, https://support.oneidentity.com/technical-documents/doc1918073) "
    'says "As a best practice, set an NTP server to eliminate possible time-related issues" and warns that with a '
    'wrong appliance time "audit log time stamps could be misleading". SPS stamps audit trails and logs with its '
    "own clock."
)

LOGIN_ALERT_STATEMENT = (
    "Administration guide, System related traps (6.0.9, https://support.oneidentity.com/technical-documents/"
    "one-identity-safeguard-for-privileged-sessions/6.0.9/administration-guide/21; 7.x, "
    'https://support.oneidentity.com/ko-kr/technical-documents/doc1234832): "Configure SPS to send an alert if a '
    'user fails to login to SPS. For details, see the Login failed alert" (xcbLoginFailure, "Failed login attempts '
    'from SPS web interface"). Each alert is sent only where its Email or SNMP box is selected; a factory '
    "appliance is taken to select none (the guide tells the administrator to select it)."
)

RULES: tuple[Rule, ...] = (
    Rule(
        "SPS-AUDIT-1", "high", "Audit trails are not encrypted",
        AUDIT_STATEMENT + ' Encryption: "You can replay an encrypted audit trail with the private key of the '
        'encrypting certificate" (without it, anyone holding the files can).',
        lambda t: t.terraform_name == "audit_policy",
        _disabled("encryption.enabled", "audit trails written with this policy are not encrypted"),
    ),
    Rule(
        "SPS-AUDIT-2", "medium", "Audit trails are not signed",
        AUDIT_STATEMENT + " Signing makes tampering with a recorded audit trail detectable.",
        lambda t: t.terraform_name == "audit_policy",
        _disabled("signing.enabled", "audit trails written with this policy are not signed"),
    ),
    Rule(
        "SPS-AUDIT-3", "medium", "Audit trails are not timestamped",
        AUDIT_STATEMENT + ' S004: "Set to true to timestamp the audit trail."',
        lambda t: t.terraform_name == "audit_policy",
        _disabled("timestamping_enabled", "audit trails written with this policy are not timestamped"),
    ),
    Rule(
        "SPS-NET-1", "high", "Connection policy open to every client network",
        'S000, S001 (connection policies): network.clients is the "List of client (\\"from\\") IP addresses" the '
        "policy admits; 0.0.0.0/0 admits any address, so the policy's targets are reachable from everywhere SPS is.",
        has("network.clients"),
        _open_clients,
    ),
    Rule(
        "SPS-TLS-1", "high", "Client-side transport security disabled",
        'S000 (MSSQL connection policies), transport_security: "disabled: Disables TLS encryption for MSSQL '
        'connections completely." "tls: Enables TLS-encryption."',
        has("transport_security"),
        _no_transport_security,
    ),
    Rule(
        "SPS-TLS-2", "low", "Client-side TLS accepts versions older than 1.2",
        'S001 (VNC settings policies): client_tls_security_settings "Defines the Transport Layer Security (TLS) '
        'settings for the connection between SPS and the client." "TLSv1_2: this setting only offers TLS version '
        '1.2 during the negotiation. This is the recommended setting."',
        has("client_tls_security_settings.minimum_tls_version"),
        _old_tls,
    ),
    Rule(
        "SPS-CHAN-1", "high", "Channel allowed for everyone without audit",
        AUDIT_STATEMENT + " A channel rule with audit off and no gateway or remote groups lets every user open "
        "the channel with nothing recorded.",
        has("rules.actions.audit", "rules.allowed_for"),
        _unaudited_channels,
    ),
    Rule(
        "SPS-WEB-1", "medium", "User web login open on every interface",
        'S002 (local_services/user_web): "On this endpoint you can configure on which interfaces can the users '
        'access SPS, and optionally restrict the access to these interfaces." access_restriction: "Enables and '
        'configures limitations on the clients that can access the web interface, based on the IP address of the '
        'clients."',
        lambda t: t.terraform_name == "local_services_user_web",
        _disabled("access_restriction.enabled", "every network that reaches the interface may log in"),
    ),
    Rule(
        "SPS-BACKUP-1", "medium", "No system backup policy",
        'S002 (management/system_backup): backup_policy "Contains the ID of the backup policy to use for system '
        'backups." Without one the appliance\'s configuration has no backup.',
        lambda t: t.terraform_name == "system_backup",
        _no_backup,
    ),
    Rule(
        "SPS-ALERT-1", "medium", "No alert e-mail destination",
        ALERT_STATEMENT + " Without an alerting address and an SMTP server, no alert reaches anyone by e-mail.",
        lambda t: t.terraform_name == "management_email",
        _no_alert_email,
    ),
    Rule(
        "SPS-ALERT-2", "low", "No SNMP trap destination",
        ALERT_STATEMENT + " With traps disabled, no monitoring system hears of an alert.",
        lambda t: t.terraform_name == "snmp_trap",
        _disabled("enabled", "SNMP traps are off: no monitoring system hears of SPS's alerts"),
    ),
    Rule(
        "SPS-BANNER-1", "low", "No login banner",
        '7.0.5.1 LTS (management/web_gateway_authentication): "configure the banner on the login screen before '
        'web gateway authentication in order to make users aware of being audited before logging in, or that '
        'they are accessing a government website".',
        lambda t: t.terraform_name == "web_gateway_authentication_settings",
        _no_banner,
    ),
    Rule(
        "SPS-SYSLOG-1", "medium", "No remote syslog server",
        SYSLOG_STATEMENT,
        lambda t: t.terraform_name == "syslog",
        _no_syslog_receiver,
    ),
    Rule(
        "SPS-ALERT-3", "medium", "Failed logins raise no alert",
        LOGIN_ALERT_STATEMENT + " Without it, someone guessing the administrators' passwords goes unnoticed.",
        lambda t: t.terraform_name == "system_alerts",
        _silent_login_failures,
        absent=True,
    ),
    Rule(
        "SPS-NTP-1", "medium", "No NTP server",
        NTP_STATEMENT,
        lambda t: t.terraform_name == "ntp_servers",
        _no_ntp_server,
        absent=True,
    ),
)  # fmt: skip


def rules_for(t: TypeDef) -> tuple[Rule, ...]:
    return tuple(r for r in RULES if r.applies(t))


def evaluate(t: TypeDef, values: Mapping[str, Any], where: str) -> list[Finding]:
    """Every rule's findings for one object (`values`: attribute form, defaults filled in)."""
    return [
        Finding(rule, t.resource_type, where, attribute, message)
        for rule in rules_for(t)
        for attribute, message in rule.check(values)
    ]


def at_least(severity: Severity, floor: Severity) -> bool:
    return SEVERITIES.index(severity) <= SEVERITIES.index(floor)
