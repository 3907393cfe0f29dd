"""A secured cluster (logins and TLS with client certificates): the driver, the CLI and Spark reach it
with the settings alone, and each way of getting them wrong ends in one line that says what to check."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import tls_material

from dmp.errors import ServiceError
from dmp.settings import CassandraCredentials
from dmp.spark import cassandra_connection_conf
from dmp.storage.session import cassandra_session
from dmp.storage.spark_io import CASSANDRA_FORMAT

ROUNDTRIP_TABLE = "secured_roundtrip"


def test_the_right_password_over_tls_logs_in_as_that_role(secured_cluster):
    with cassandra_session(secured_cluster.settings) as session:
        clients = session.execute("SELECT username, ssl_enabled FROM system_views.clients").all()
    assert clients and {(row.username, row.ssl_enabled) for row in clients} == {("dmp_tester", True)}


def test_a_wrong_password_is_one_line_naming_the_user(secured_cluster):
    wrong = dataclasses.replace(secured_cluster.settings,
                                cassandra_auth=CassandraCredentials("dmp_tester", "not-the-password"))
    with pytest.raises(ServiceError) as refused:
        with cassandra_session(wrong):
            pass
    message = str(refused.value)
    assert "refused user 'dmp_tester'" in message and "DMP_CASSANDRA_PASSWORD" in message
    assert "not-the-password" not in message and "\n" not in message


def test_no_credentials_on_a_secured_node_says_which_to_set(secured_cluster):
    anonymous = dataclasses.replace(secured_cluster.settings, cassandra_auth=None)
    with pytest.raises(ServiceError, match="requires a username and password: set DMP_CASSANDRA_USERNAME"):
        with cassandra_session(anonymous):
            pass


def test_a_client_without_tls_is_refused(secured_cluster):
    plain = dataclasses.replace(secured_cluster.settings, cassandra_tls=None)
    with pytest.raises(ServiceError, match="If the cluster requires TLS, set DMP_CASSANDRA_SSL=on"):
        with cassandra_session(plain):
            pass


def test_a_tls_client_without_a_certificate_is_refused(secured_cluster):
    tls = dataclasses.replace(secured_cluster.settings.cassandra_tls, cert_file=None, key_file=None)
    with pytest.raises(ServiceError, match="DMP_CASSANDRA_SSL_CERT and DMP_CASSANDRA_SSL_KEY when the nodes require"):
        with cassandra_session(dataclasses.replace(secured_cluster.settings, cassandra_tls=tls)):
            pass


def test_a_ca_that_did_not_sign_the_node_fails_the_handshake(secured_cluster, tmp_path):
    other_ca, _ = tls_material.new_ca("some other CA").write_pem(tmp_path, "other-ca")
    tls = dataclasses.replace(secured_cluster.settings.cassandra_tls, ca_file=other_ca)
    with pytest.raises(ServiceError, match="TLS handshake failed.*check DMP_CASSANDRA_SSL_CA"):
        with cassandra_session(dataclasses.replace(secured_cluster.settings, cassandra_tls=tls)):
            pass


def test_the_cli_prints_one_line_for_a_wrong_password(secured_cluster, tmp_path):
    wrong_password = tmp_path / "wrong-password"
    wrong_password.write_text("not-the-password\n")
    env = {**secured_cluster.env, "DMP_CASSANDRA_PASSWORD_FILE": str(wrong_password)}
    dmp = Path(sys.executable).parent / "dmp"
    result = subprocess.run([str(dmp), "schema", "status"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "not-the-password" not in result.stderr + result.stdout
    assert "refused user 'dmp_tester'" in result.stderr.strip().splitlines()[-1]


def test_spark_writes_and_reads_through_the_connector_with_login_and_tls(secured_cluster, spark):
    """The connector gets the same credentials and TLS (stores derived from the PEM files) as the driver."""
    settings = secured_cluster.settings
    with cassandra_session(settings, settings.keyspace) as session:
        session.execute(f"CREATE TABLE IF NOT EXISTS {ROUNDTRIP_TABLE} (user_id text PRIMARY KEY, events int)")
        session.execute(f"TRUNCATE {ROUNDTRIP_TABLE}")
    secured_spark = spark.newSession()
    try:
        for key, value in cassandra_connection_conf(settings).items():
            secured_spark.conf.set(key, value)
        rows = [("u1", 3), ("u2", 5)]
        written_df = secured_spark.createDataFrame(rows, "user_id string, events int")
        table = {"keyspace": settings.keyspace, "table": ROUNDTRIP_TABLE}
        written_df.write.format(CASSANDRA_FORMAT).options(**table).mode("append").save()
        read_df = secured_spark.read.format(CASSANDRA_FORMAT).options(**table).load()
        assert sorted(tuple(row) for row in read_df.collect()) == rows
    finally:
        # A new PySpark session makes itself the active one, whose conf the connector reads: give the
        # session's other tests back the project's node.
        _make_active(spark)


def _make_active(session) -> None:
    from pyspark.sql import SparkSession

    SparkSession._activeSession = session
    session._jvm.SparkSession.setActiveSession(session._jsparkSession)
    session._jvm.SparkSession.setDefaultSession(session._jsparkSession)



def test_the_project_session_reads_the_project_node_after_the_secured_roundtrip(secured_cluster, spark, cql, settings):
    """The roundtrip above runs in a session of its own: the shared session still reads the test keyspace."""
    tables_df = spark.read.format(CASSANDRA_FORMAT).options(keyspace=settings.keyspace, table="schema_migrations").load()
    assert tables_df.count() > 0
