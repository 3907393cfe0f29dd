"""The Dockerfile cannot be built here (no Docker engine), so it is linted and checked for what it must carry."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"


def test_hadolint_finds_nothing():
    result = subprocess.run([str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_airflow_3_3_on_python_3_11_with_java_17_and_the_pins():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.\d+-python3\.11$", text, re.MULTILINE)
    assert "openjdk-17" in text and "JAVA_HOME=/usr/lib/jvm/java-17" in text
    assert "-r requirements.txt -c constraints.txt" in text
    assert "services/spark-connector/pom.xml" in text


def test_every_copied_folder_exists():
    for source in re.findall(r"^COPY (?:--\S+ )*(\S+)", DOCKERFILE.read_text(), re.MULTILINE):
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"


def test_the_airflow_version_matches_the_pinned_one():
    pinned = re.search(r"^apache-airflow==(\S+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE).group(1)
    assert f"apache/airflow:{pinned}-python3.11" in DOCKERFILE.read_text()
