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


# seed 001: GET /api/configuration/vnc/settings_policies/-30211
VNC_SETTINGS_DEFAULT = {
    "client_tls_security_settings": {"cipher_strength": {"selection": "recommended"}, "minimum_tls_version": "TLSv1_2"},
    "inactivity_timeout": {"enabled": False},
    "name": "default",
    "preconnect_channel_check": False,
    "server_tls_security_settings": {"cipher_strength": {"selection": "recommended"}, "minimum_tls_version": "TLSv1_2"},
    "timeout": 600,
}

# seed 002: PUT body of management/exported_configuration_encryption (public key shortened)
EXPORT_ENCRYPTION = {
    "encryption": {
        "enabled": True,
        "gpg_public_key": {
            "fingerprint": "2F2E3967EDAD2F288E54EE8693B99C4F545B7670",
            "public_key": (
                "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQGNBF3rnZ0BDADHdz5\n=j20J\n-----END PGP PUBLIC KEY BLOCK-----\n"
            ),
            "uids": ["Demo User <example@oneidentity.com>"],
        },
    }
}

# seed 003: GET /api/configuration/policies/aa_plugin_instances/<key> body
AA_PLUGIN_INSTANCE = {
    "configuration": "[starling]\n# ..... disable_echo=yes\n",
    "name": "Demo_starling_plugin",
    "plugin": {
        "key": "8876228625d67aa91e2253",
        "meta": {"href": "/api/configuration/plugins/aa/8876228625d67aa91e2253"},
    },
}

# seed 003: GET /api/configuration/policies/credentialstores/935272738572bc2ec1dbdd body
CREDENTIAL_STORE = {
    "name": "API_LOCAL",
    "type": {
        "authenticator_name": "auth_server_name",
        "default_namespace": "{HOST}",
        "dns_servers": {"primary": "192.168.56.1", "secondary": "192.168.56.2"},
        "domain_mappings": [{"domain": "domain", "host": {"selection": "fqdn", "value": "host"}}],
        "login_mode": {
            "password": {"key": "e0ecbe98-bd17-4805-ba5d-17fb789f3971",
                         "meta": {"href": "/api/configuration/passwords/e0ecbe98-bd17-4805-ba5d-17fb789f3971"}},
            "selection": "fixed",
            "username": "fixed_username",
        },
        "proxy_server": "http://192.168.56.201:9999",
        "selection": "local",
        "server_certificate_check": {
            "enabled": True,
            "trusted_ca": {"key": "12269547065727ad6e79d9e",
                           "meta": {"href": "/api/configuration/policies/trusted_ca_lists/12269547065727ad6e79d9e"}},
        },
        "web_interface_url": "http://erpm_address",
    },
}  # fmt: skip

# seed 004: the backup policy sample body and the POSIX LDAP server sample body
BACKUP_POLICY = {
    "name": "backup_all_with_filelist",
    "include_node_id_in_path": False,
    "notification_event": {"type": "all", "send_filelist": True, "file_count_limit": 123456},
    "target": {"type": "nfs", "server": {"selection": "ip", "value": "1.2.3.5"}, "path": "/data/backup"},
    "start_times": ["10:10"],
}
LDAP_POSIX = {
    "name": "posix-simple",
    "schema": {
        "selection": "posix",
        "membership_check": {"enabled": True, "member_uid_attribute": "memberUid"},
        "memberof_check": {
            "enabled": True,
            "memberof_user_attribute": "memberOf",
            "memberof_group_objectclass": "groupOfNames",
        },
        "username_attribute": "uid",
        "user_dn_in_groups": [],
    },
    "servers": [{"host": {"selection": "ip", "value": "10.110.0.1"}, "port": 389}],
    "user_base_dn": "ou=People,dc=example,dc=com",
    "group_base_dn": "ou=Groups,dc=example,dc=com",
    "bind_dn": None,
    "bind_password": None,
    "memberof_attribute": None,
    "encryption": {"selection": "disabled"},
    "publickey_attribute": "sshPublicKey",
    "generated_publickey_attribute": None,
}  # fmt: skip
