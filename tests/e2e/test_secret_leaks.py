"""Secrets never leak: a full apply/plan/import/destroy with TF_LOG=trace (which includes the
provider's debug log), then the logs, the state, the plan file and JSON, the simulator log and
its committed configuration are searched. Write-only secrets (passed through ephemeral
variables) appear nowhere; a merely sensitive value appears in no log and no plan output."""

from __future__ import annotations

from pathlib import Path

from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

BIND_SECRET = "Leak-Probe-Bind-7f3a91"
RSYNC_KEY = "-----BEGIN RSA PRIVATE KEY-----\nLeakProbeRsyncKey5c2e\n-----END RSA PRIVATE KEY-----\n"
RSYNC_MARK = "LeakProbeRsyncKey5c2e"
SMB_PASSWORD = "Leak-Probe-Smb-e81d04"
PROVIDER_PASSWORD = "admin"


def config(sim: RunningSimulator) -> str:
    return (
        REQUIRED_PROVIDERS
        + provider_block(sim)
        + f"""
variable "bind_password" {{
  type      = string
  ephemeral = true
}}
variable "rsync_key" {{
  type      = string
  ephemeral = true
}}
resource "sps_ldap_server" "ad" {{
  name                     = "leak_ad"
  user_base_dn             = "dc=x"
  group_base_dn            = "dc=x"
  bind_dn                  = "cn=sps,dc=x"
  bind_password_wo         = var.bind_password
  bind_password_wo_version = 1
  servers = [{{ host = {{ selection = "ip", value = "10.0.0.1" }}, port = 389 }}]
  schema  = {{ selection = "ad", membership_check = {{ enabled = true, nested_groups = false }} }}
}}
resource "sps_backup_policy" "rsync" {{
  name        = "leak_rsync"
  start_times = ["1:00"]
  target = {{
    type                = "rsync"
    server              = {{ selection = "ip", value = "10.0.0.2" }}
    path                = "/b"
    username            = "u"
    auth_key_wo         = var.rsync_key
    auth_key_wo_version = 1
    host_key            = {{ selection = "rsa", value = "AAAA" }}
  }}
}}
resource "sps_backup_policy" "smb" {{
  name        = "leak_smb"
  start_times = ["1:00"]
  target = {{
    type           = "smb"
    server         = {{ selection = "ip", value = "10.0.0.3" }}
    share          = "s/d"
    authentication = {{ selection = "password", username = "u", password = "{SMB_PASSWORD}" }}
  }}
}}
"""
    )


def test_no_secret_in_logs_plan_or_simulator_log(simulator: RunningSimulator, tf: Terraform, tmp_path: Path) -> None:
    log = tmp_path / "terraform-trace.log"
    tf.env.update({"TF_LOG": "trace", "TF_LOG_PATH": str(log), "TF_VAR_bind_password": BIND_SECRET,
                   "TF_VAR_rsync_key": RSYNC_KEY})  # fmt: skip
    (tf.workdir / "main.tf").write_text(config(simulator))
    tf.init()
    plan_text = tf.run("plan", "-no-color", "-out=leak.tfplan").stdout
    plan_json = tf.run("show", "-json", "leak.tfplan").stdout
    tf.apply()
    assert not tf.plan_changes()
    key = tf.resources()["sps_backup_policy.smb"]["key"]
    tf.run("state", "rm", "sps_backup_policy.smb")
    tf.run("import", "-no-color", "sps_backup_policy.smb", key)
    state = (tf.workdir / "terraform.tfstate").read_text()
    tf.destroy()

    trace = log.read_text()
    assert "GRPCProvider.v6: ApplyResourceChange" in trace, "the trace log must cover the provider calls"
    sim_log = simulator.log.read_text()
    for secret in (BIND_SECRET, RSYNC_MARK):  # write-only: nowhere at all
        for where, text in (
            ("trace log", trace),
            ("plan JSON", plan_json),
            ("state", state),
            ("plan file", (tf.workdir / "leak.tfplan").read_bytes().decode("latin-1")),
            ("simulator log", sim_log),
            ("committed configuration", str(simulator.committed())),
        ):
            assert secret not in text, f"write-only secret found in the {where}"  # fmt: skip
    # A merely sensitive value is kept in state and, by Terraform's design, in the plan file and
    # `terraform show -json`; it must stay out of every log and out of the human-readable plan.
    assert SMB_PASSWORD in state, "a sensitive (not write-only) value is kept in state, as Terraform does"
    for where, text in (("trace log", trace), ("simulator log", sim_log), ("plan output", plan_text)):
        assert SMB_PASSWORD not in text, f"sensitive SMB password found in the {where}"
