"""The PKCS12 stores the Spark Cassandra Connector needs, derived from the PEM files of the settings.

The Python driver takes TLS as PEM files, the connector (Java) only as key stores. Rather than a
second set of TLS settings that can drift from the first, the stores are written from the PEM
settings under `var/tls/`, named by a hash of what they hold: the same files give the same store,
so concurrent tasks agree on it, and a changed certificate gives a new one.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dmp.errors import ConfigError
from dmp.settings import CassandraTls, Settings

STORE_TYPE = "PKCS12"
# The stores are written from PEM files the same user can already read (the key unencrypted), so a
# password adds no secrecy here; the JVM requires one, and the files are private (mode 0600) like the key.
STORE_PASSWORD = "dmp-derived-store"
PRIVATE_FILE_MODE = 0o600
CLIENT_KEY_ALIAS = "dmp-client"


def _store_path(settings: Settings, kind: str, *sources: Path) -> Path:
    digest = hashlib.sha256(b"".join(source.read_bytes() for source in sources)).hexdigest()[:16]
    return settings.var_dir / "tls" / f"{kind}-{digest}.p12"


def _write_private(path: Path, content: bytes) -> Path:
    """Write `content` readable by its owner only, atomically: a reader never sees half a store."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    partial.replace(path)
    return path


def _certificates(path: Path, setting: str) -> list:
    from cryptography import x509

    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except ValueError:
        certificates = []
    if not certificates:
        raise ConfigError(f"{setting}={str(path)!r} holds no PEM certificate (-----BEGIN CERTIFICATE-----).")
    return certificates


def truststore(settings: Settings, tls: CassandraTls) -> Path:
    """A PKCS12 trust store of the CA certificates in `tls.ca_file`."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    path = _store_path(settings, "truststore", tls.ca_file)
    if not path.is_file():
        certificates = [
            pkcs12.PKCS12Certificate(certificate, f"ca-{number}".encode())
            for number, certificate in enumerate(_certificates(tls.ca_file, "DMP_CASSANDRA_SSL_CA"))
        ]
        encryption = BestAvailableEncryption(STORE_PASSWORD.encode())
        _write_private(path, pkcs12.serialize_java_truststore(certificates, encryption))
    return path


def keystore(settings: Settings, tls: CassandraTls) -> Path:
    """A PKCS12 key store of the client certificate (with its chain) and key of `tls`."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, load_pem_private_key, pkcs12

    path = _store_path(settings, "keystore", tls.cert_file, tls.key_file)
    if not path.is_file():
        certificate, *chain = _certificates(tls.cert_file, "DMP_CASSANDRA_SSL_CERT")
        try:
            key = load_pem_private_key(tls.key_file.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise ConfigError(
                f"DMP_CASSANDRA_SSL_KEY={str(tls.key_file)!r} is not an unencrypted PEM private key.") from None
        encryption = BestAvailableEncryption(STORE_PASSWORD.encode())
        content = pkcs12.serialize_key_and_certificates(
            CLIENT_KEY_ALIAS.encode(), key, certificate, chain or None, encryption)
        _write_private(path, content)
    return path
