"""Sample bodies and responses copied from the seed pages (shared/seeds/000, 004)."""

from __future__ import annotations

from typing import Any

# seed 000: GET /api/configuration/mssql/connections/<key>, the documented body.
MSSQL_CONNECTION_BODY: dict[str, Any] = {
    "access_control": [],
    "active": True,
    "channel_database_cleanup": {"enabled": False},
    "indexing": {
        "enabled": True,
        "policy": {"key": "-50000", "meta": {"href": "/api/configuration/policies/indexing/-50000"}},
        "priority": 3,
    },
    "log_audit_trail_downloads": True,
    "name": "demo_mssql",
    "network": {"clients": ["0.0.0.0/0"], "ports": [1433], "targets": ["192.168.1.1/24"]},
    "override_log_level": {"enabled": False},
    "policies": {
        "aa_plugin": None,
        "analytics_policy": {
            "key": "20509709385cd578654cdab",
            "meta": {"href": "/api/configuration/policies/analytics/20509709385cd578654cdab"},
        },
        "archive_cleanup_policy": None,
        "audit_policy": {
            "key": "78101850949e47437dd91d",
            "meta": {"href": "/api/configuration/policies/audit_policies/78101850949e47437dd91d"},
        },
        "authentication_policy": {
            "key": "-30700201",
            "meta": {"href": "/api/configuration/mssql/authentication_policies/-30700201"},
        },
        "backup_policy": None,
        "channel_policy": {"key": "-30700102", "meta": {"href": "/api/configuration/mssql/channel_policies/-30700102"}},
        "credential_store": None,
        "ldap_server": None,
        "settings": {"key": "-30700301", "meta": {"href": "/api/configuration/mssql/settings_policies/-30700301"}},
        "usermapping_policy": None,
    },
    "rate_limit": {"enabled": False},
    "server_address": {"custom_dns": {"enabled": False}, "selection": "original"},
    "source_address": {"selection": "box_address"},
    "transport_security": {"selection": "disabled"},
    "web_gateway_authentication": {"enabled": False},
}

# seed 000: GET /api/configuration/mssql, the documented items.
MSSQL_CONTAINER_ITEMS = [
    {"key": k, "meta": {"href": f"/api/configuration/mssql/{k}"}}
    for k in ("authentication_policies", "channel_policies", "connections", "options", "settings_policies")
]

# seed 004: the four audit policy examples (request form), in page order.
AUDIT_EXAMPLES: list[dict[str, Any]] = [
    {"encryption": {"enabled": False}, "name": "default", "signing": {"enabled": False}, "timestamping_enabled": False},
    {
        "encryption": {
            "certificates": [],
            "different_certificates_for_upstream": {
                "certificates": [{"certificate": "<cert>", "four_eyes_certificate": None}],
                "enabled": True,
            },
            "enabled": True,
        },
        "name": "Upstream_only",
        "signing": {"enabled": False},
        "timestamping_enabled": False,
    },
    {
        "encryption": {"enabled": False},
        "name": "Sign_and_timestamp",
        "signing": {"enabled": True, "x509_identity": "9508db81-4a3f-45a7-a2b1-a86f71c56416"},
        "timestamping_enabled": True,
    },
    {
        "encryption": {
            "certificates": [{"certificate": "<cert>", "four_eyes_certificate": None}],
            "different_certificates_for_upstream": {"enabled": False},
            "enabled": True,
        },
        "name": "API_audit_pol",
        "signing": {"enabled": True, "x509_identity": "d0286f64-41aa-45e1-ab19-830ac2f99f57"},
        "timestamping_enabled": True,
    },
]


def request_form(body: Any) -> Any:
    """References as plain keys, as the docs say requests must send them."""
    if isinstance(body, dict):
        if set(body) <= {"key", "meta"} and "key" in body:
            return body["key"]
        return {k: request_form(v) for k, v in body.items()}
    if isinstance(body, list):
        return [request_form(v) for v in body]
    return body
