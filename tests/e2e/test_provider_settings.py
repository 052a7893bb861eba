"""Every provider setting is checked, with an error on its attribute, in ValidateProviderConfig
(where `terraform validate` sees it) and again in ConfigureProvider (environment fallbacks
included); plain HTTP needs `allow_plaintext_http = true` and warns. Real terraform."""

from __future__ import annotations

import json
from pathlib import Path

import cdktf
import pytest

from sps_constructs import Appliance, SpsConfigError
from sps_harness import Terraform
from sps_harness.simulator import simulator
from tests.support.audit_policies import AUDIT
from tests.support.hcl import REQUIRED_PROVIDERS

POLICY = (
    'resource "sps_audit_policy" "a" {\n  name = "settings"\n'
    "  encryption = { enabled = false }\n  signing = { enabled = false }\n}\n"
)


def write(tf: Terraform, *settings: str) -> None:
    block = "\n".join(['provider "sps" {', *(f"  {s}" for s in settings), "}"])
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + block + "\n" + POLICY)


def errors_of(result_stderr: str) -> list[str]:
    """Each error's text, terraform's line wrapping undone."""
    return [" ".join(e.split()) for e in result_stderr.split("Error: ")[1:]]


def test_validate_names_each_wrong_setting_on_its_attribute(tf: Terraform, tmp_path: Path) -> None:
    not_pem = tmp_path / "not-a-ca.pem"
    not_pem.write_text("not a certificate\n")
    write(
        tf,
        'url = "https://sps.example:99999"',
        'username = ""',
        f'ca_bundle = "{not_pem}"',
        "request_timeout = -1",
        "lock_timeout = 0",
        "commit_estimate = -1",
    )
    tf.init()
    result = tf.run("validate", "-no-color", check=False)
    assert result.returncode == 1
    found = errors_of(result.stderr)
    assert "Internal error" not in result.stderr and "ValueError" not in result.stderr, result.stderr
    expected = {
        "url": "is not a valid URL",
        "username": "must not be empty",
        "ca_bundle": "holds no PEM certificate the TLS stack can load",
        "request_timeout": "-1 is not a positive number of seconds",
        "lock_timeout": "0 is not a positive number of seconds",
        "commit_estimate": "-1 is not a number of seconds, 0 or more",
    }
    assert len(found) == len(expected), found
    for name, detail in expected.items():
        [error] = [e for e in found if e.startswith(f"Invalid provider setting `{name}`")]
        assert detail in error and f"{name} =" in error, error  # the source line of the attribute


def test_plain_http_is_refused_without_the_opt_in_explaining_why(tf: Terraform) -> None:
    write(tf, 'url = "http://sps.example"')
    tf.init()
    result = tf.run("validate", "-no-color", check=False)
    assert result.returncode == 1
    [error] = errors_of(result.stderr)
    assert error.startswith("Invalid provider setting `url`"), error
    assert "the password (HTTP Basic) and the session cookie would travel in clear text" in error, error
    assert "allow_plaintext_http = true" in error, error


def test_plain_http_from_the_environment_is_refused_at_configure(tf: Terraform) -> None:
    write(tf, 'username = "admin"', 'password = "admin"')
    tf.init()
    result = Terraform(tf.workdir, env={"SPS_URL": "http://127.0.0.1:9"}).run("plan", "-no-color", check=False)
    assert result.returncode == 1
    [error] = errors_of(result.stderr)
    assert error.startswith("Invalid provider setting `url`") and "clear text" in error, error


def test_plain_http_with_the_opt_in_applies_and_warns(tf: Terraform, tmp_path: Path) -> None:
    with simulator(tmp_path / "sim", "--http") as sim:
        assert sim.url.startswith("http://")
        write(tf, f'url = "{sim.url}"', 'username = "admin"', 'password = "admin"', "allow_plaintext_http = true")
        tf.init()
        result = tf.apply()
        warning = " ".join((result.stdout + result.stderr).split())
        assert "Warning: Plain HTTP: credentials travel in clear text" in warning, warning
        assert [b["name"] for b in sim.committed()[AUDIT].values()].count("settings") == 1


def test_the_appliance_construct_takes_allow_plaintext_http_and_refuses_http_without_it(tmp_path: Path) -> None:
    app = cdktf.App(outdir=str(tmp_path))
    stack = cdktf.TerraformStack(app, "s")
    Appliance(stack, "lab", url="http://sps-lab.example", allow_plaintext_http=True, request_timeout=5)
    with pytest.raises(SpsConfigError, match="clear text"):
        Appliance(stack, "prod", url="http://sps.example")
    with pytest.raises(SpsConfigError, match="lock_timeout"):
        Appliance(stack, "slow", url="https://sps.example", lock_timeout=-1)
    with pytest.raises(SpsConfigError, match="commit_estimate"):
        Appliance(stack, "guess", url="https://sps.example", commit_estimate=-0.5)
    app.synth()
    synthesized = json.loads((tmp_path / "stacks" / "s" / "cdk.tf.json").read_text())
    [provider] = synthesized["provider"]["sps"]
    assert provider["allow_plaintext_http"] is True and provider["url"] == "http://sps-lab.example"
