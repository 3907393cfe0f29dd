"""Certificates the tests generate for TLS: a CA, a node's certificate and a client's (no downloads).

Written as PEM (what the platform's settings take) and, for the Cassandra node, as the PKCS12 key
and trust stores its `client_encryption_options` read.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = dt.timedelta(days=2)
# RSA, not EC: the node's TLS (BoringSSL) refused the Java client's P-256 certificate with WRONG_CURVE.
RSA_KEY_BITS = 2048
LOOPBACK_NAMES = (x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")))


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def write_pem(self, folder: Path, name: str) -> tuple[Path, Path]:
        """`name.pem` (the certificate) and `name-key.pem` (its unencrypted key) in `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        cert_file, key_file = folder / f"{name}.pem", folder / f"{name}-key.pem"
        cert_file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return cert_file, key_file


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)


def _certificate(subject: str, key, issuer: Issued | None, extensions) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(issuer.certificate.subject if issuer else name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + VALIDITY))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer.key if issuer else key, hashes.SHA256())


def new_ca(subject: str) -> Issued:
    key = _new_key()
    return Issued(key, _certificate(subject, key, None, [(x509.BasicConstraints(ca=True, path_length=0), True)]))


def issue(ca: Issued, subject: str, usage, names=()) -> Issued:
    """A leaf certificate signed by `ca` for `usage` (server or client auth), valid for `names`."""
    key = _new_key()
    extensions = [(x509.BasicConstraints(ca=False, path_length=None), True), (x509.ExtendedKeyUsage([usage]), False)]
    if names:
        extensions.append((x509.SubjectAlternativeName(list(names)), False))
    return Issued(key, _certificate(subject, key, ca, extensions))


def server(ca: Issued) -> Issued:
    return issue(ca, "localhost", ExtendedKeyUsageOID.SERVER_AUTH, LOOPBACK_NAMES)


def client(ca: Issued, subject: str) -> Issued:
    return issue(ca, subject, ExtendedKeyUsageOID.CLIENT_AUTH)


def write_node_stores(ca: Issued, node: Issued, keystore: Path, truststore: Path, password: str) -> None:
    """The node's PKCS12 key store (its key and certificate chain) and trust store (the clients' CA)."""
    encryption = serialization.BestAvailableEncryption(password.encode())
    keystore.parent.mkdir(parents=True, exist_ok=True)
    keystore.write_bytes(pkcs12.serialize_key_and_certificates(
        b"node", node.key, node.certificate, [ca.certificate], encryption))
    trusted = [pkcs12.PKCS12Certificate(ca.certificate, b"ca")]
    truststore.write_bytes(pkcs12.serialize_java_truststore(trusted, encryption))
