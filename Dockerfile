# The platform's image: the official Airflow 3.3 image (Python 3.11) plus Java 17 for Spark and the
# Cassandra connector, the pinned runtime packages (requirements.txt; the test tools of
# requirements-dev.txt stay out) and the project with every file it reads at run time.
# Cassandra runs apart (a cluster, or `dmp services up` on a workstation); point
# DMP_CASSANDRA_HOSTS at it.
FROM apache/airflow:3.3.2-python3.11

USER 0
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless maven \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    DMP_HOME=/opt/dmp \
    DMP_VAR_DIR=/opt/dmp/var

WORKDIR /opt/dmp
RUN chown 50000:0 /opt/dmp
USER 50000

# Jars first: they change least often, so rebuilds reuse this layer.
COPY --chown=50000:0 services/ services/
RUN mvn -q -B -f services/spark-connector/pom.xml dependency:copy-dependencies \
        -DoutputDirectory=/opt/dmp/var/lib/spark-connector \
 && sha256sum services/spark-connector/pom.xml | cut -d' ' -f1 > /opt/dmp/var/lib/spark-connector/.complete \
 && mvn -q -B -f services/spark-kafka/pom.xml dependency:copy-dependencies \
        -DoutputDirectory=/opt/dmp/var/lib/spark-kafka \
 && sha256sum services/spark-kafka/pom.xml | cut -d' ' -f1 > /opt/dmp/var/lib/spark-kafka/.complete \
 && rm -rf /home/airflow/.m2

COPY --chown=50000:0 requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

COPY --chown=50000:0 pyproject.toml README.md ./
COPY --chown=50000:0 include/ include/
COPY --chown=50000:0 dags/ dags/
COPY --chown=50000:0 plugins/ plugins/
COPY --chown=50000:0 spark_jobs/ spark_jobs/
COPY --chown=50000:0 expectations/ expectations/
COPY --chown=50000:0 taxonomy/ taxonomy/
RUN pip install --no-cache-dir --no-deps -e .

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/dmp/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/dmp/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    PYSPARK_PYTHON=python3 \
    PYSPARK_DRIVER_PYTHON=python3
