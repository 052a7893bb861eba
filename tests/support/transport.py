"""Helpers for the plugin transport's tests: the client certificate Terraform makes, and stand-ins
for a connection's channel and handler where no frames are read."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sps_provider.transport import http2


def client_certificate() -> tuple[bytes, bytes]:
    """(key PEM, cert PEM): a self-signed P-521 certificate like the one Terraform makes."""
    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA512())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


class Recorded:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def recv(self) -> bytes:
        return b""

    def send(self, data: bytes) -> None:
        self.sent.append(data)


class Ignored:
    """An http2.Handler for a connection whose reader never runs."""

    def opened(self, connection: http2.Connection, stream: int, headers: dict[bytes, bytes]) -> bool:
        raise AssertionError("no frames are read")

    def request(self, connection: http2.Connection, stream: int, headers: dict[bytes, bytes], body: bytes) -> None:
        raise AssertionError("no frames are read")

    def oversized(self, connection: http2.Connection, stream: int) -> None:
        raise AssertionError("no frames are read")
