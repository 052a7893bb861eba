"""TLS: the provider verifies the appliance's certificate by default and says how to trust it;
`insecure = true` works but warns; a handshake the network cuts short is "cannot reach" and
retried, never reported as a trust problem; the simulator listens on loopback unless told otherwise."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sps_harness import RunningSimulator, Terraform
from sps_provider.client.session import GET_ATTEMPTS
from tests.support.hcl import REQUIRED_PROVIDERS

AUDIT = (
    'resource "sps_audit_policy" "a" {\n  name = "tls"\n'
    "  encryption = { enabled = false }\n  signing = { enabled = false }\n}\n"
)
NO_CA_FROM_ENV = {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "", "SSL_CERT_FILE": "", "SPS_CA_BUNDLE": ""}


def write(tf: Terraform, sim: RunningSimulator, *tls_lines: str, url: str | None = None) -> None:
    provider = "\n".join(
        [
            'provider "sps" {',
            f'  url = "{url or sim.url}"',
            '  username = "admin"',
            '  password = "admin"',
            *tls_lines,
            "}",
        ]
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
    assert f"Error: Untrusted SPS certificate at {simulator.url}" in error, error
    assert "is not trusted" in error and "as the provider's `ca_bundle` (a PEM file)" in error, error
    assert "panic" not in error and "plugin did not respond" not in error, error
    assert simulator.stats()["commits"] == 0


class HandshakeCutter:
    """A loopback TCP relay to the simulator that cuts its first connections in the middle of the
    TLS handshake (after reading the ClientHello), each as `cuts` says: "reset" (RST) or "eof" (a
    plain close), as a flaky network or middlebox does; later connections are relayed untouched."""

    def __init__(self, upstream: str, cuts: list[str]) -> None:
        host, port = upstream.removeprefix("https://").rsplit(":", 1)
        self.upstream = (host, int(port))
        self.cuts = cuts
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # listener closed
            self.accepted += 1
            if self.accepted <= len(self.cuts):
                conn.recv(65536)  # the ClientHello: the handshake has begun
                if self.cuts[self.accepted - 1] == "reset":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
                continue
            upstream = socket.create_connection(self.upstream)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@contextmanager
def handshake_cutter(sim: RunningSimulator, cuts: list[str]) -> Iterator[HandshakeCutter]:
    cutter = HandshakeCutter(sim.url, cuts)
    cutter.thread.start()
    try:
        yield cutter
    finally:
        cutter.listener.close()


def test_a_handshake_cut_twice_is_retried_and_the_apply_succeeds(simulator: RunningSimulator, tf: Terraform) -> None:
    with handshake_cutter(simulator, ["reset", "eof"]) as cutter:
        write(tf, simulator, f'  ca_bundle = "{simulator.ca}"', url=cutter.url)
        tf.init()
        result = tf.apply_unchecked()
        assert result.returncode == 0, result.stderr
        assert "Untrusted" not in result.stderr
        assert cutter.accepted > 2
    assert "sps_audit_policy.a: Creation complete" in result.stdout
    assert simulator.stats()["commits"] == 1


def test_a_handshake_always_cut_is_cannot_reach_not_untrusted(simulator: RunningSimulator, tf: Terraform) -> None:
    with handshake_cutter(simulator, ["eof"] * 100) as cutter:
        write(tf, simulator, f'  ca_bundle = "{simulator.ca}"', url=cutter.url)
        tf.init()
        result = tf.apply_unchecked()
        assert result.returncode == 1
        error = " ".join(result.stderr.split())
        assert f"Error: Cannot reach SPS at {cutter.url}" in error, error
        assert "Untrusted" not in error and "insecure" not in error, error
        assert cutter.accepted == GET_ATTEMPTS  # the login is retried like any read, then given up
    assert simulator.stats()["logins"] == 0


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
