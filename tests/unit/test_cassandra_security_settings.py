"""Credentials and TLS settings of Cassandra: read once, validated with errors that name the setting,
the password never shown, and the same values handed to the driver and to the Spark connector."""

from __future__ import annotations

import ssl
import stat

import pytest
import tls_material

from dmp.errors import ConfigError
from dmp.settings import load
from dmp.spark import cassandra_connection_conf, spark_conf, submit_conf
from dmp.storage.session import ssl_context

PASSWORD = "s3cret-Pa55"


@pytest.fixture
def pki(tmp_path):
    ca = tls_material.new_ca("unit CA")
    ca_file, _ = ca.write_pem(tmp_path, "ca")
    cert_file, key_file = tls_material.client(ca, "dmp").write_pem(tmp_path, "client")
    return {"DMP_CASSANDRA_SSL_CA": str(ca_file), "DMP_CASSANDRA_SSL_CERT": str(cert_file),
            "DMP_CASSANDRA_SSL_KEY": str(key_file)}


def test_a_local_node_needs_no_login_and_no_tls():
    settings = load({})
    assert settings.cassandra_auth is None and settings.cassandra_tls is None


def test_the_password_never_shows_in_the_settings_repr():
    settings = load({"DMP_CASSANDRA_USERNAME": "dmp", "DMP_CASSANDRA_PASSWORD": PASSWORD})
    assert settings.cassandra_auth.password == PASSWORD
    assert PASSWORD not in repr(settings) and "'dmp'" in repr(settings)


def test_a_password_file_keeps_the_password_out_of_the_environment(tmp_path):
    (tmp_path / "password").write_text(PASSWORD + "\n")
    settings = load({"DMP_CASSANDRA_USERNAME": "dmp", "DMP_CASSANDRA_PASSWORD_FILE": str(tmp_path / "password")})
    assert settings.cassandra_auth.password == PASSWORD


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DMP_CASSANDRA_USERNAME": "dmp"}, "DMP_CASSANDRA_USERNAME='dmp' has no password"),
        ({"DMP_CASSANDRA_PASSWORD": PASSWORD}, "DMP_CASSANDRA_USERNAME is not"),
        ({"DMP_CASSANDRA_USERNAME": "dmp", "DMP_CASSANDRA_PASSWORD_FILE": "/nowhere/password"},
         "DMP_CASSANDRA_PASSWORD_FILE='/nowhere/password': no such file"),
        ({"DMP_CASSANDRA_SSL": "maybe"}, "DMP_CASSANDRA_SSL='maybe' must be on or off"),
        ({"DMP_CASSANDRA_SSL": "on", "DMP_CASSANDRA_SSL_CA": "/nowhere/ca.pem"},
         "DMP_CASSANDRA_SSL_CA='/nowhere/ca.pem': no such file"),
    ],
)
def test_bad_security_settings_name_the_setting_and_never_the_password(env, message):
    with pytest.raises(ConfigError, match=message) as failure:
        load(env)
    assert PASSWORD not in str(failure.value)


def test_both_a_password_and_a_password_file_is_ambiguous(tmp_path):
    (tmp_path / "password").write_text("other\n")
    env = {"DMP_CASSANDRA_USERNAME": "dmp", "DMP_CASSANDRA_PASSWORD": PASSWORD,
           "DMP_CASSANDRA_PASSWORD_FILE": str(tmp_path / "password")}
    with pytest.raises(ConfigError, match="both set: keep one"):
        load(env)


def test_tls_files_without_tls_on_are_an_error_not_ignored(pki):
    with pytest.raises(ConfigError, match="DMP_CASSANDRA_SSL_CA set but DMP_CASSANDRA_SSL is off"):
        load({"DMP_CASSANDRA_SSL_CA": pki["DMP_CASSANDRA_SSL_CA"]})


def test_a_client_certificate_needs_its_key(pki):
    with pytest.raises(ConfigError, match="DMP_CASSANDRA_SSL_CERT and DMP_CASSANDRA_SSL_KEY go together"):
        load({"DMP_CASSANDRA_SSL": "on", "DMP_CASSANDRA_SSL_CERT": pki["DMP_CASSANDRA_SSL_CERT"]})


def test_a_ca_file_that_is_not_pem_is_a_config_error(tmp_path):
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    tls = load({"DMP_CASSANDRA_SSL": "on", "DMP_CASSANDRA_SSL_CA": str(tmp_path / "ca.pem")}).cassandra_tls
    with pytest.raises(ConfigError, match="DMP_CASSANDRA_SSL_CA=.* is not a PEM certificate"):
        ssl_context(tls)


def test_the_driver_checks_certificates_and_host_names_unless_told_not_to(pki):
    checked = ssl_context(load({"DMP_CASSANDRA_SSL": "on", **pki}).cassandra_tls)
    unchecked_names = ssl_context(
        load({"DMP_CASSANDRA_SSL": "on", "DMP_CASSANDRA_SSL_VERIFY_HOSTNAME": "off", **pki}).cassandra_tls)
    assert checked.check_hostname and not unchecked_names.check_hostname
    assert unchecked_names.verify_mode == checked.verify_mode == ssl.CERT_REQUIRED


def test_the_connector_gets_the_same_login_and_tls_as_java_stores(pki, tmp_path):
    env = {"DMP_VAR_DIR": str(tmp_path / "var"), "DMP_CASSANDRA_USERNAME": "dmp", "DMP_CASSANDRA_PASSWORD": PASSWORD,
           "DMP_CASSANDRA_SSL": "on", **pki}
    conf = cassandra_connection_conf(load(env))
    assert (conf["spark.cassandra.auth.username"], conf["spark.cassandra.auth.password"]) == ("dmp", PASSWORD)
    assert conf["spark.cassandra.connection.ssl.enabled"] == "true"
    assert conf["spark.cassandra.connection.ssl.clientAuth.enabled"] == "true"
    stores = [conf[f"spark.cassandra.connection.ssl.{kind}.path"] for kind in ("trustStore", "keyStore")]
    for store in stores:
        assert stat.S_IMODE((tmp_path / "var" / "tls" / store.rsplit("/", 1)[1]).stat().st_mode) == 0o600
    assert cassandra_connection_conf(load(env)) == conf, "the same PEM files give the same stores"


def test_a_node_without_login_or_tls_gets_no_connector_security():
    conf = cassandra_connection_conf(load({}))
    assert not [key for key in conf if ".auth." in key or ".ssl." in key]


def test_spark_submit_gets_no_password_on_its_command_line():
    """The job's own session reads the password from the settings; a command line is visible in `ps`."""
    settings = load({"DMP_CASSANDRA_USERNAME": "dmp", "DMP_CASSANDRA_PASSWORD": PASSWORD})
    submitted = submit_conf(settings)
    assert submitted["spark.cassandra.auth.username"] == "dmp"
    assert PASSWORD not in submitted.values() and PASSWORD in spark_conf(settings).values()
