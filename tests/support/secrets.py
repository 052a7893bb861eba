"""An LDAP server whose bind password is a write-once secret from an ephemeral variable."""

from __future__ import annotations

from sps_harness import RunningSimulator
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

SECRET_A, SECRET_B = "bind-Secret-A-93f1", "bind-Secret-B-27c4"


def ldap(sim: RunningSimulator, version: int) -> str:
    """The secret comes from an ephemeral variable (TF_VAR_bind_password), as users should pass it."""
    return (
        REQUIRED_PROVIDERS
        + provider_block(sim)
        + f"""
variable "bind_password" {{
  type      = string
  ephemeral = true
}}
resource "sps_ldap_server" "ad" {{
  name          = "corp_ad"
  user_base_dn  = "dc=corp,dc=example"
  group_base_dn = "dc=corp,dc=example"
  bind_dn       = "cn=sps,dc=corp,dc=example"
  bind_password_wo         = var.bind_password
  bind_password_wo_version = {version}
  servers = [{{ host = {{ selection = "fqdn", value = "dc1.corp.example" }}, port = 636 }}]
  schema  = {{ selection = "ad", membership_check = {{ enabled = true, nested_groups = true }} }}
}}
"""
    )
