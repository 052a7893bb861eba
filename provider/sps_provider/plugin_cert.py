"""The throwaway TLS certificate a provider process presents to Terraform, which pins it.

Written directly in DER: importing `cryptography.x509` to build one certificate cost ~22 ms of CPU
on every provider start (Terraform starts the provider 3-4 times per command), more than the
encoding itself. The key and the signature still come from `cryptography`.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ECDSA_WITH_SHA256 = bytes.fromhex("06082a8648ce3d040302")
COMMON_NAME = bytes.fromhex("0603550403")
ORGANIZATION_NAME = bytes.fromhex("060355040a")
SUBJECT_ALT_NAME = bytes.fromhex("0603551d11")
BASIC_CONSTRAINTS = bytes.fromhex("0603551d13")
TRUE = bytes.fromhex("0101ff")


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + length + content


def _seq(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def _name(common_name: str, organization: str) -> bytes:
    def rdn(oid: bytes, value: str) -> bytes:
        return _tlv(0x31, _seq(oid, _tlv(0x0C, value.encode())))  # SET { type, UTF8String }

    return _seq(rdn(COMMON_NAME, common_name), rdn(ORGANIZATION_NAME, organization))


def _utc_time(t: dt.datetime) -> bytes:
    return _tlv(0x17, t.strftime("%y%m%d%H%M%SZ").encode())


def server_certificate() -> tuple[bytes, bytes, bytes]:
    """(key PEM, cert PEM, cert DER): a self-signed ECDSA P-256 certificate for `localhost`, valid
    from a minute ago for a day, marked as a CA (go-plugin pins it as its own root)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    serial = bytearray(secrets.token_bytes(16))
    serial[0] = (serial[0] & 0x7F) | 0x40  # positive, and no leading zero octet
    name = _name("localhost", "terraform-provider-sps")
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    extensions = _tlv(
        0xA3,
        _seq(
            _seq(SUBJECT_ALT_NAME, _tlv(0x04, _seq(_tlv(0x82, b"localhost")))),  # dNSName
            _seq(BASIC_CONSTRAINTS, TRUE, _tlv(0x04, _seq(TRUE))),  # critical, cA
        ),
    )
    algorithm = _seq(ECDSA_WITH_SHA256)
    tbs = _seq(
        _tlv(0xA0, _tlv(0x02, b"\x02")),  # v3
        _tlv(0x02, bytes(serial)),
        algorithm,
        name,
        _seq(_utc_time(now - dt.timedelta(minutes=1)), _utc_time(now + dt.timedelta(days=1))),
        name,
        spki,
        extensions,
    )
    signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    der = _seq(tbs, algorithm, _tlv(0x03, b"\x00" + signature))
    b64 = base64.b64encode(der).decode()
    lines = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    cert_pem = f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n".encode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert_pem, der
