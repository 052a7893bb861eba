"""Union branches through real terraform: switching a backup target away from rsync (whose key is a
write-once secret), a discriminator known only at apply, and errors that name what users write."""

from __future__ import annotations

from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

RSYNC = """{
    type = "rsync"
    server = { selection = "fqdn", value = "rsync.example.net" }
    path = "/srv/backup"
    username = "sps_backup"
    auth_key_wo = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEexample\\n-----END RSA PRIVATE KEY-----\\n"
    auth_key_wo_version = 1
    host_key = { selection = "rsa", value = "AAAAB3NzaC1yc2EAAAADAQABAAABAQCexample" }
  }"""
NFS = '{ type = "nfs", server = { selection = "ip", value = "10.0.0.5" }, path = "/data/backup" }'


def backup(sim: RunningSimulator, target: str, extra: str = "") -> str:
    return (
        REQUIRED_PROVIDERS
        + provider_block(sim)
        + extra
        + f"""
resource "sps_backup_policy" "b" {{
  name = "nightly"
  start_times = ["2:30"]
  target = {target}
}}
"""
    )


def test_an_rsync_target_with_a_key_switches_to_nfs_and_is_destroyed(simulator: RunningSimulator,
                                                                      tf: Terraform) -> None:  # fmt: skip
    main = tf.workdir / "main.tf"
    main.write_text(backup(simulator, RSYNC))
    tf.init()
    tf.apply()
    assert tf.resources()["sps_backup_policy.b"]["target"]["auth_key"]
    main.write_text(backup(simulator, NFS))
    tf.apply()
    state = tf.resources()["sps_backup_policy.b"]
    assert state["target"]["type"] == "nfs" and state["target"]["auth_key"] is None
    assert not tf.plan_changes()
    main.write_text(backup(simulator, RSYNC))
    tf.apply()
    tf.apply("-replace=sps_backup_policy.b")
    tf.destroy()
    assert not tf.resources()


def test_a_discriminator_from_another_resource_plans_unknown(simulator: RunningSimulator, tf: Terraform) -> None:
    """`type` depends on a key known only after the audit policy exists: the branch's defaults
    (rsync's `port`) are unknown at plan, not null, or terraform aborts with an inconsistent plan."""
    audit = """
resource "sps_audit_policy" "a" {
  name = "a"
  encryption = { enabled = false }
  signing = { enabled = false }
}
"""
    target = RSYNC.replace('type = "rsync"', 'type = sps_audit_policy.a.key != "" ? "rsync" : "nfs"')
    (tf.workdir / "main.tf").write_text(backup(simulator, target, audit))
    tf.init()
    tf.apply()
    assert tf.resources()["sps_backup_policy.b"]["target"]["port"] == 22
    assert not tf.plan_changes()


def test_a_missing_secret_names_the_write_only_attribute(simulator: RunningSimulator, tf: Terraform) -> None:
    no_key = "\n".join(line for line in RSYNC.splitlines() if "auth_key" not in line)
    (tf.workdir / "main.tf").write_text(backup(simulator, no_key))
    tf.init()
    result = tf.run("plan", "-no-color", check=False)
    assert result.returncode == 1
    assert "target.auth_key_wo: is required when type is 'rsync'" in result.stderr, result.stderr


def test_an_error_in_a_nested_attribute_underlines_its_line(simulator: RunningSimulator, tf: Terraform) -> None:
    """Terraform can follow a diagnostic's path into a nested attribute's expression one level
    only: the provider points there, not at the resource's first line."""
    nested = NFS.replace('selection = "ip"', 'selection = "bogus"').replace("{ type", "{\n    type")
    nested = nested.replace(", server = {", "\n    server = {").replace(" }, path", " }\n    path")
    (tf.workdir / "main.tf").write_text(backup(simulator, nested))
    tf.init()
    result = tf.run("plan", "-no-color", check=False)
    assert result.returncode == 1
    assert "target.server.selection: 'bogus' is not one of 'ip', 'fqdn'" in result.stderr
    snippet = result.stderr.split('in resource "sps_backup_policy" "b":', 1)[1].splitlines()[1]
    assert "server = {" in snippet, result.stderr
