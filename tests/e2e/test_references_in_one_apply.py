"""Re-pointing (or removing) what references an object and removing that object in one apply.

Terraform destroys an object before it updates what referenced it; with keys written as literals
(as -generate-config-out writes them) it sees no dependency at all and sends both at once, which
the provider puts in one transaction, deletions last (docs/transactions.md)."""

from __future__ import annotations

from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

AUDIT = """
resource "sps_audit_policy" "a" {
  name = "signed"
  encryption = { enabled = false }
  signing = { enabled = false }
}
"""
BEFORE = "  lifecycle {\n    create_before_destroy = true\n  }\n}\n"
AUDIT_CBD = AUDIT[: AUDIT.rindex("}")] + BEFORE


def connection(audit_policy: str) -> str:
    return f"""
data "sps_mssql_channel_policy" "c" {{
  name = "default"
}}
data "sps_mssql_settings_policy" "s" {{
  name = "default"
}}
data "sps_mssql_authentication_policy" "p" {{
  name = "default"
}}
resource "sps_mssql_connection_policy" "db" {{
  name = "finance_db"
  network = {{ clients = ["10.0.0.0/8"], targets = ["10.1.2.3/32"], ports = [1433] }}
  policies = {{
    audit_policy = {audit_policy}
    channel_policy = data.sps_mssql_channel_policy.c.key
    settings = data.sps_mssql_settings_policy.s.key
    authentication_policy = data.sps_mssql_authentication_policy.p.key
  }}
}}
"""


BUILTIN_AUDIT = '"78101850949e47437dd91d"'


def write(tf: Terraform, sim: RunningSimulator, *parts: str) -> None:
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(sim) + "".join(parts))


def managed(tf: Terraform) -> set[str]:
    return {a for a in tf.resources() if not a.startswith("data.")}


def applied(tf: Terraform, sim: RunningSimulator, *parts: str) -> None:
    """A working directory with `parts` applied."""
    write(tf, sim, *parts)
    tf.init()
    tf.apply()


def test_removing_a_referenced_object_names_its_referrers_and_how_to_do_it(simulator: RunningSimulator,
                                                                           tf: Terraform) -> None:  # fmt: skip
    applied(tf, simulator, AUDIT, connection("sps_audit_policy.a.key"))
    write(tf, simulator, connection(BUILTIN_AUDIT))
    result = tf.apply_unchecked()
    text = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1
    assert 'Cannot destroy sps_audit_policy "signed": other objects still reference it' in text, text
    assert 'sps_mssql_connection_policy "finance_db" (/api/configuration/mssql/connections/' in text, text
    assert "create_before_destroy = true" in text
    assert managed(tf) == {"sps_audit_policy.a", "sps_mssql_connection_policy.db"}, "nothing was lost"


def test_with_create_before_destroy_one_apply_repoints_then_removes(simulator: RunningSimulator,
                                                                    tf: Terraform) -> None:  # fmt: skip
    applied(tf, simulator, AUDIT_CBD, connection("sps_audit_policy.a.key"))
    write(tf, simulator, connection(BUILTIN_AUDIT))
    tf.apply()
    assert managed(tf) == {"sps_mssql_connection_policy.db"}


def test_repoint_by_literal_key_and_remove_the_target_in_one_apply(simulator: RunningSimulator,
                                                                   tf: Terraform) -> None:  # fmt: skip
    """Keys written as literals (as -generate-config-out writes them) give Terraform no order."""
    applied(tf, simulator, AUDIT)
    write(tf, simulator, AUDIT, connection(f'"{tf.resources()["sps_audit_policy.a"]["key"]}"'))
    tf.apply()
    write(tf, simulator, connection(BUILTIN_AUDIT))
    tf.apply()
    assert managed(tf) == {"sps_mssql_connection_policy.db"}


def test_destroy_both_when_the_reference_is_a_literal_key(simulator: RunningSimulator, tf: Terraform) -> None:
    applied(tf, simulator, AUDIT)
    write(tf, simulator, AUDIT, connection(f'"{tf.resources()["sps_audit_policy.a"]["key"]}"'))
    tf.apply()
    tf.destroy()
    assert not tf.resources()
