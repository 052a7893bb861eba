"""Write-once secrets: the LDAP bind password reaches SPS as a new password object, and never
appears in Terraform's state or plan; rotation is driven by the version attribute."""

from __future__ import annotations

import hashlib
import json

from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block
from tests.support.secrets import SECRET_A, SECRET_B, ldap


def digest(secret: str) -> str:
    return hashlib.sha256(json.dumps({"plain": secret}, sort_keys=True).encode()).hexdigest()


def stored_password(sim: RunningSimulator, key: str) -> str:
    return str(sim.committed()["passwords"][key]["sha256"])


def test_write_only_secret_lifecycle(simulator: RunningSimulator, tf: Terraform) -> None:
    main = tf.workdir / "main.tf"
    main.write_text(ldap(simulator, 1))
    tf.env["TF_VAR_bind_password"] = SECRET_A
    tf.init()
    tf.run("plan", "-no-color", "-out=create.tfplan")
    plan_json = tf.run("show", "-json", "create.tfplan").stdout
    assert SECRET_A not in plan_json and SECRET_A not in (tf.workdir / "create.tfplan").read_bytes().decode("latin-1")
    tf.apply()
    state = tf.resources()["sps_ldap_server.ad"]
    assert state["bind_password_wo"] is None and state["bind_password_wo_version"] == 1
    first_key = state["bind_password"]
    assert stored_password(simulator, first_key) == digest(SECRET_A), "SPS received the configured secret"
    assert SECRET_A not in (tf.workdir / "terraform.tfstate").read_text()
    assert not tf.plan_changes(), "a write-only secret must not cause a perpetual diff"

    tf.env["TF_VAR_bind_password"] = SECRET_B
    assert not tf.plan_changes(), "without a version bump the secret is not resent"

    main.write_text(ldap(simulator, 2))
    plan = tf.run("plan", "-no-color").stdout
    assert "1 to change" in plan and "bind_password" in plan
    tf.apply()
    second_key = tf.resources()["sps_ldap_server.ad"]["bind_password"]
    assert second_key != first_key
    assert stored_password(simulator, second_key) == digest(SECRET_B)
    assert SECRET_B not in (tf.workdir / "terraform.tfstate").read_text()
    assert not tf.plan_changes()
    tf.destroy()


def test_sensitive_inline_secret_is_hidden_in_plan_output(simulator: RunningSimulator, tf: Terraform) -> None:
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS
        + provider_block(simulator)
        + """
resource "sps_backup_policy" "smb" {
  name        = "smb_backup"
  start_times = ["1:00"]
  target = {
    type           = "smb"
    server         = { selection = "fqdn", value = "nas.example" }
    share          = "backup/sps"
    authentication = { selection = "password", username = "svc", password = "Smb-Pa55-x1" }
  }
}
"""
    )
    tf.init()
    plan = tf.run("plan", "-no-color").stdout
    assert "Smb-Pa55-x1" not in plan and "(sensitive value)" in plan
    tf.apply()
    assert not tf.plan_changes()
