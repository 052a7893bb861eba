"""CDKTF example: an LDAP server whose bind password reaches SPS but no plan or state file.

    SPS_URL=https://sps.example.net SPS_USERNAME=... SPS_PASSWORD=... python examples/cdktf/ldap_secret.py
    cd cdktf.out/stacks/ldap && terraform init
    TF_VAR_ldap_bind_password=... terraform plan -out=ldap.tfplan   # the plan file holds no secret
    TF_VAR_ldap_bind_password=... terraform apply ldap.tfplan       # ephemeral: give it again

The appliance's CA comes from SPS_CA_BUNDLE. Bump `bind_password_wo_version` to send a new password.
"""

from __future__ import annotations

import os

from cdktf import App, TerraformStack

from sps_constructs import (
    Appliance,
    LdapServer,
    LdapServerSchemaAd,
    LdapServerSchemaMembershipCheck,
    LdapServerServers,
    LdapServerServersHostFqdn,
    ephemeral_variable,
)

app = App()
stack = TerraformStack(app, "ldap")
bind_password = ephemeral_variable(stack, "ldap_bind_password", description="the LDAP bind password")
sps = Appliance(stack, "sps", url=os.environ.get("SPS_URL", "https://sps.example.net"))
LdapServer(
    sps,
    "ad",
    name="corp_ad",
    user_base_dn="dc=corp,dc=example",
    group_base_dn="dc=corp,dc=example",
    bind_dn="cn=sps,dc=corp,dc=example",
    bind_password_wo=bind_password.string_value,
    bind_password_wo_version=1,
    servers=[LdapServerServers(host=LdapServerServersHostFqdn(value="dc1.corp.example"), port=636)],
    schema=LdapServerSchemaAd(membership_check=LdapServerSchemaMembershipCheck(enabled=True, nested_groups=True)),
)
app.synth()
