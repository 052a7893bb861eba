"""The throwaway TLS certificate a provider process presents to Terraform, which pins it.

Written directly in DER: importing `cryptography.x509` to build one certificate cost ~22 ms of CPU
on every provider start (Terraform starts the provider 3-4 times per command), more than the
encoding itself. The public and the private key are encoded here too (SubjectPublicKeyInfo, SEC 1
ECPrivateKey): `cryptography.hazmat.primitives.serialization` imports its SSH and cipher modules
(~4 ms of CPU per start net: signing loads cryptography's OpenSSL backend, which imports some of
them anyway). The key and the signature still come from `cryptography`.
"""

from __future__ import annotations

import base64
import datetime as dt
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ECDSA_WITH_SHA256 = bytes.fromhex("06082a8648ce3d040302")
EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")
PRIME256V1 = bytes.fromhex("06082a8648ce3d030107")
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


def _pem(label: str, der: bytes) -> bytes:
    b64 = base64.b64encode(der).decode()
    lines = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n".encode()


def server_certificate() -> tuple[bytes, bytes, bytes]:
    """(key PEM, cert PEM, cert DER): a self-signed ECDSA P-256 certificate for `localhost`, valid
    from a minute ago for a day, marked as a CA (go-plugin pins it as its own root)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    serial = bytearray(os.urandom(16))
    serial[0] = (serial[0] & 0x7F) | 0x40  # positive, and no leading zero octet
    name = _name("localhost", "terraform-provider-sps")
    public = key.public_key().public_numbers()
    point = _tlv(0x03, b"\x00\x04" + public.x.to_bytes(32, "big") + public.y.to_bytes(32, "big"))  # uncompressed
    spki = _seq(_seq(EC_PUBLIC_KEY, PRIME256V1), point)
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
    private = key.private_numbers().private_value.to_bytes(32, "big")
    sec1 = _seq(_tlv(0x02, b"\x01"), _tlv(0x04, private), _tlv(0xA0, PRIME256V1), _tlv(0xA1, point))  # SEC 1
    return _pem("EC PRIVATE KEY", sec1), _pem("CERTIFICATE", der), der
