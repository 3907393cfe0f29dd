"""A second Cassandra node that works like a secured cluster, for the tests of credentials and TLS.

It runs `services/cassandra/secured.yaml` (PasswordAuthenticator, CassandraAuthorizer, TLS that
requires a client certificate) on its own ports (from DMP_TEST_FREE_PORT_BASE) and folder, with
certificates generated here. It is started by the first test that needs it and stopped at the end
of the session: it is not the project's node. The tests log in as a role created for them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
import tls_material

from dmp.services import jars
from dmp.services.cassandra import CassandraNode
from dmp.settings import Settings, load
from dmp.storage.session import cassandra_session

SECURED_VARIANT = Path("services") / "cassandra" / "secured.yaml"
NODE_STORE_PASSWORD = "dmp-test-node"  # as secured.yaml says
DEFAULT_SUPERUSER = ("cassandra", "cassandra")  # what PasswordAuthenticator creates on a new node
TEST_ROLE = "dmp_tester"
SECURED_KEYSPACE = "dmp_secured_test"
DEFAULT_FREE_PORT_BASE = 18080
# Past the ports the session's local Airflow servers take from the same base (offsets 0 to 20).
SECURED_PORT_OFFSET = 320
SECURED_START_TIMEOUT_SECONDS = 180
SECURITY_SETTINGS = ("DMP_CASSANDRA_USERNAME", "DMP_CASSANDRA_PASSWORD", "DMP_CASSANDRA_PASSWORD_FILE",
                     "DMP_CASSANDRA_SSL", "DMP_CASSANDRA_SSL_CA", "DMP_CASSANDRA_SSL_CERT", "DMP_CASSANDRA_SSL_KEY",
                     "DMP_CASSANDRA_SSL_VERIFY_HOSTNAME")


@dataclass(frozen=True)
class SecuredCluster:
    node: CassandraNode
    env: dict[str, str]  # the test role's DMP_* settings: port, credentials, TLS with a client certificate
    settings: Settings
    pki_dir: Path


def _secured_env(base: dict[str, str], var_dir: Path, pki_dir: Path, username: str, password_file: Path) -> dict:
    port = int(os.environ.get("DMP_TEST_FREE_PORT_BASE") or DEFAULT_FREE_PORT_BASE) + SECURED_PORT_OFFSET
    return {
        **base,
        "DMP_VAR_DIR": str(var_dir),
        "DMP_KEYSPACE": SECURED_KEYSPACE,
        "DMP_CASSANDRA_HOSTS": "127.0.0.1",
        "DMP_CASSANDRA_PORT": str(port),
        "DMP_CASSANDRA_STORAGE_PORT": str(port + 1),
        "DMP_CASSANDRA_USERNAME": username,
        "DMP_CASSANDRA_PASSWORD_FILE": str(password_file),
        "DMP_CASSANDRA_SSL": "on",
        "DMP_CASSANDRA_SSL_CA": str(pki_dir / "ca.pem"),
        "DMP_CASSANDRA_SSL_CERT": str(pki_dir / "client.pem"),
        "DMP_CASSANDRA_SSL_KEY": str(pki_dir / "client-key.pem"),
    }


def _write_secret(path: Path, text: str) -> Path:
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


def _create_test_role(superuser: Settings, password: str) -> None:
    """A login role with every permission on the test keyspace only, as an operator would grant."""
    with cassandra_session(superuser) as session:
        # Role and keyspace names are constants of this module; the password is generated here.
        session.execute(f"CREATE ROLE IF NOT EXISTS {TEST_ROLE} WITH PASSWORD = '{password}' AND LOGIN = true")
        session.execute(f"CREATE KEYSPACE IF NOT EXISTS {SECURED_KEYSPACE} WITH replication = "
                        f"{superuser.replication.as_cql()}")
        session.execute(f"GRANT ALL PERMISSIONS ON KEYSPACE {SECURED_KEYSPACE} TO {TEST_ROLE}")
        # So the tests can see how the role's own connections came in (user, TLS).
        session.execute(f"GRANT SELECT ON TABLE system_views.clients TO {TEST_ROLE}")


@pytest.fixture(scope="session")
def secured_cluster(settings, tmp_path_factory) -> SecuredCluster:
    """The secured node, started once per session and stopped at its end."""
    jars.fetch(jars.cassandra_jars(settings))
    var_dir = tmp_path_factory.mktemp("secured")
    (var_dir / "lib").mkdir()
    os.symlink(settings.cassandra_jars_dir, var_dir / "lib" / "cassandra")
    pki_dir = var_dir / "pki"
    ca = tls_material.new_ca("dmp test CA")
    ca.write_pem(pki_dir, "ca")
    tls_material.client(ca, TEST_ROLE).write_pem(pki_dir, "client")
    node_tls = var_dir / "cassandra" / "tls"
    tls_material.write_node_stores(ca, tls_material.server(ca), node_tls / "node-keystore.p12",
                                   node_tls / "node-truststore.p12", NODE_STORE_PASSWORD)

    # The project's login and TLS settings, if any, are not the secured node's.
    base = {key: value for key, value in os.environ.items() if key not in SECURITY_SETTINGS}
    superuser_password_file = _write_secret(var_dir / "superuser-password", DEFAULT_SUPERUSER[1])
    superuser = load(_secured_env(base, var_dir, pki_dir, DEFAULT_SUPERUSER[0], superuser_password_file))
    node = CassandraNode(superuser, variant=settings.home / SECURED_VARIANT)
    node.start(timeout=SECURED_START_TIMEOUT_SECONDS)
    try:
        password = secrets.token_urlsafe(16)
        _create_test_role(superuser, password)
        env = _secured_env(base, var_dir, pki_dir, TEST_ROLE, _write_secret(var_dir / "tester-password", password))
        yield SecuredCluster(node, env, load(env), pki_dir)
    finally:
        node.stop()
