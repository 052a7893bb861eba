"""Keys never address another object: a key holding URL delimiters is refused where it enters
(data sources, import IDs, references), and every key is escaped where a URL is built."""

from __future__ import annotations

import json

import pytest

from sps_catalog.keys import item_path, key_problem
from sps_harness import RunningSimulator, Terraform
from tests.support.hcl import REQUIRED_PROVIDERS, provider_block

BUILTIN_AUDIT = "78101850949e47437dd91d"
BAD_KEYS = [f"../audit_policies/{BUILTIN_AUDIT}", "x#y", "x?y", "a b", "..", "x%2Fy"]


@pytest.mark.parametrize("key", ["78101850949e47437dd91d", "-100", "nic1.interfaces.ab-12.addresses.1"])
def test_real_keys_pass_unchanged(key: str) -> None:
    assert key_problem(key) is None
    assert item_path("/api/c", key) == f"/api/c/{key}"


def test_escaping_keeps_a_key_one_path_segment() -> None:
    assert item_path("/api/c", "a/b?c#d") == "/api/c/a%2Fb%3Fc%23d"


def test_data_sources_refuse_keys_with_url_delimiters(simulator: RunningSimulator, tf: Terraform) -> None:
    keys = BAD_KEYS
    blocks = "".join(f'data "sps_ldap_server" "d{i}" {{\n  key = {json.dumps(k)}\n}}\n' for i, k in enumerate(keys))
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider_block(simulator) + blocks)
    tf.init()
    result = tf.run("plan", "-no-color", check=False)
    assert result.returncode == 1
    assert "TypeError" not in result.stderr and "panic" not in result.stderr.lower(), result.stderr
    text = " ".join(result.stderr.split())
    for i, k in enumerate(keys):
        assert f'data "sps_ldap_server" "d{i}"' in text and f"key {k!r} is not an SPS key" in text, text


def test_import_ids_and_references_refuse_keys_with_url_delimiters(simulator: RunningSimulator,
                                                                   tf: Terraform) -> None:  # fmt: skip
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS
        + provider_block(simulator)
        + """
resource "sps_audit_policy" "a" {
  name = "a"
  encryption = { enabled = false }
  signing = { enabled = false }
}
"""
    )
    tf.init()
    result = tf.run("import", "-no-color", "sps_audit_policy.a", f"../ldap_servers/{BUILTIN_AUDIT}", check=False)
    text = " ".join(result.stderr.split())
    assert result.returncode == 1 and "the import ID" in text and "is not an SPS key" in text, text
    assert not tf.resources()
    (tf.workdir / "main.tf").write_text(
        REQUIRED_PROVIDERS
        + provider_block(simulator)
        + """
resource "sps_system_backup" "s" {
  backup_policy = "x#y"
}
"""
    )
    result = tf.run("plan", "-no-color", check=False)
    text = " ".join(result.stderr.split())
    assert result.returncode == 1 and "backup_policy: 'x#y' is not an SPS key" in text, text
