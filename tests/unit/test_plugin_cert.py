"""The hand-encoded plugin certificate is one that cryptography's X.509 parser reads back as
intended: self-signed, signature valid, localhost, a CA, valid now for a day."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sps_provider.plugin_cert import server_certificate


def test_the_certificate_parses_verifies_and_says_what_go_plugin_needs() -> None:
    key_pem, cert_pem, der = server_certificate()
    cert = x509.load_der_x509_certificate(der)
    assert x509.load_pem_x509_certificate(cert_pem) == cert
    key = serialization.load_pem_private_key(key_pem, None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)
    assert cert.public_key() == key.public_key()
    assert cert.version == x509.Version.v3 and cert.serial_number > 0
    assert cert.issuer == cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    cert.verify_directly_issued_by(cert)  # the signature over the TBS part checks out
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.DNSName) == ["localhost"]
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    now = dt.datetime.now(dt.UTC)
    assert cert.not_valid_before_utc < now < cert.not_valid_after_utc
    assert dt.timedelta(hours=23) < cert.not_valid_after_utc - now <= dt.timedelta(days=1)


def test_every_certificate_has_its_own_key_and_serial() -> None:
    a, b = (x509.load_der_x509_certificate(server_certificate()[2]) for _ in range(2))
    assert a.serial_number != b.serial_number and a.public_key() != b.public_key()
