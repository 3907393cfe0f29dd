"""The Java artifacts the platform runs: Cassandra's and Kafka's server jars, and Spark's connectors
to Cassandra and to Kafka.

Both come from Maven Central through `mvn dependency:copy-dependencies`, driven by the poms in
`services/`. A folder is complete when its stamp file holds the hash of the pom that filled it,
so a version bump in a pom refetches and an unchanged pom costs nothing.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dmp.errors import MissingToolError, ServiceError
from dmp.services.java import java17_environment
from dmp.settings import Settings

log = logging.getLogger(__name__)
STAMP_NAME = ".complete"
MVN_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class JarSet:
    """One pom and the folder its runtime dependencies are copied to."""

    name: str
    pom: Path
    target: Path

    def pom_digest(self) -> str:
        return hashlib.sha256(self.pom.read_bytes()).hexdigest()

    def is_complete(self) -> bool:
        stamp = self.target / STAMP_NAME
        return stamp.is_file() and stamp.read_text().strip() == self.pom_digest()

    def jars(self) -> list[Path]:
        """The jars of a complete set, sorted for a stable classpath."""
        if not self.is_complete():
            raise ServiceError(f"The {self.name} jars are missing from {self.target}: run `dmp setup`.")
        return sorted(self.target.glob("*.jar"))


def cassandra_jars(settings: Settings) -> JarSet:
    return JarSet("Cassandra", settings.home / "services/cassandra/pom.xml", settings.cassandra_jars_dir)


def connector_jars(settings: Settings) -> JarSet:
    return JarSet(
        "Spark Cassandra Connector",
        settings.home / "services/spark-connector/pom.xml",
        settings.connector_jars_dir,
    )


def kafka_jars(settings: Settings) -> JarSet:
    return JarSet("Kafka", settings.home / "services/kafka/pom.xml", settings.kafka_jars_dir)


def spark_kafka_jars(settings: Settings) -> JarSet:
    return JarSet("Spark Kafka source", settings.home / "services/spark-kafka/pom.xml", settings.spark_kafka_jars_dir)


def fetch(jar_set: JarSet) -> bool:
    """Copy the set's jars from Maven Central unless already there; True when it downloaded."""
    if jar_set.is_complete():
        return False
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MissingToolError("Maven (`mvn`) is not installed: `apt-get install maven`, then run `dmp setup` again.")
    staging = jar_set.target.with_name(jar_set.target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        mvn, "-q", "-B", "-f", str(jar_set.pom),
        "dependency:copy-dependencies", f"-DoutputDirectory={staging}",
    ]
    log.info("fetching the %s jars with Maven into %s", jar_set.name, jar_set.target)
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=MVN_TIMEOUT_SECONDS, env=java17_environment()
        )
    except subprocess.TimeoutExpired:
        raise ServiceError(f"Maven did not finish fetching the {jar_set.name} jars in {MVN_TIMEOUT_SECONDS} s.") from None
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise ServiceError(f"Maven could not fetch the {jar_set.name} jars ({' '.join(command)}):\n{tail}")
    shutil.rmtree(jar_set.target, ignore_errors=True)
    staging.rename(jar_set.target)
    (jar_set.target / STAMP_NAME).write_text(jar_set.pom_digest() + "\n")
    return True
