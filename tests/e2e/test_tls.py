"""TLS: the provider verifies the appliance's certificate by default and says how to trust it;
`insecure = true` works but warns; the simulator listens on loopback unless told otherwise."""

from __future__ import annotations

from pathlib import Path

from sps_harness import RunningSimulator, Terraform
from tests.conftest import REQUIRED_PROVIDERS

AUDIT = (
    'resource "sps_audit_policy" "a" {\n  name = "tls"\n'
    "  encryption = { enabled = false }\n  signing = { enabled = false }\n}\n"
)
NO_CA_FROM_ENV = {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "", "SSL_CERT_FILE": "", "SPS_CA_BUNDLE": ""}


def write(tf: Terraform, sim: RunningSimulator, *tls_lines: str) -> None:
    provider = "\n".join(
        ['provider "sps" {', f'  url = "{sim.url}"', '  username = "admin"', '  password = "admin"', *tls_lines, "}"]
    )
    (tf.workdir / "main.tf").write_text(REQUIRED_PROVIDERS + provider + "\n" + AUDIT)


def untrusting(tf: Terraform) -> Terraform:
    """No CA from the environment either: the system store alone does not know the simulator's CA."""
    return Terraform(tf.workdir, env=NO_CA_FROM_ENV)


def test_an_untrusted_certificate_fails_and_says_how_to_pass_ca_bundle(
    simulator: RunningSimulator, tf: Terraform
) -> None:
    write(tf, simulator)
    tf.init()
    result = untrusting(tf).apply_unchecked()
    assert result.returncode == 1
    error = " ".join(result.stderr.split())  # terraform wraps long lines
    assert "Error: Untrusted SPS certificate: cannot apply sps_audit_policy" in error, error
    assert "is not trusted" in error and "as the provider's `ca_bundle` (a PEM file)" in error, error
    assert "panic" not in error and "plugin did not respond" not in error, error
    assert simulator.stats()["commits"] == 0


def test_insecure_true_connects_with_a_warning(simulator: RunningSimulator, tf: Terraform) -> None:
    write(tf, simulator, "  insecure = true")
    tf.init()
    result = untrusting(tf).apply_unchecked()
    assert result.returncode == 0, result.stderr
    warning = " ".join((result.stdout + result.stderr).split())
    assert "Warning:" in warning and "insecure = true" in warning and "ca_bundle" in warning, warning
    assert "sps_audit_policy.a: Creation complete" in result.stdout


def test_the_simulator_listens_on_loopback_by_default(simulator: RunningSimulator) -> None:
    assert "--host" not in simulator.args
    port = int(simulator.url.rsplit(":", 1)[1])
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, local_port = local.split(":")
        if state == "0A" and int(local_port, 16) == port:  # 0A: LISTEN
            listening.add(address)
    assert listening == {"0100007F"}, listening  # 127.0.0.1, little-endian hex
