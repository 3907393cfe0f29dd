"""Finding Java 17 and Maven, and saying what to install when they are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmp.errors import MissingToolError
from dmp.services import java, jars


@pytest.fixture
def fresh_java_lookup():
    java.find_java17.cache_clear()
    yield
    java.find_java17.cache_clear()


def test_the_java_found_is_17(fresh_java_lookup):
    assert java.java_major_version(java.find_java17()) == 17


def test_another_jdk_alone_is_not_accepted(fresh_java_lookup, monkeypatch, tmp_path):
    monkeypatch.setattr(java, "_candidates", lambda: [tmp_path / "no-jdk-here"])
    with pytest.raises(MissingToolError, match="apt-get install openjdk-17"):
        java.find_java17()


def test_the_environment_for_java_tools_puts_17_first(fresh_java_lookup):
    env = java.java17_environment({"PATH": "/usr/bin", "JAVA_HOME": "/somewhere/else"})
    assert env["JAVA_HOME"] == str(java.find_java17())
    assert env["PATH"].startswith(str(java.find_java17() / "bin"))


def test_missing_maven_says_what_to_install(monkeypatch, tmp_path):
    pom = tmp_path / "pom.xml"
    pom.write_text("<project/>")
    monkeypatch.setattr(jars.shutil, "which", lambda name: None)
    with pytest.raises(MissingToolError, match="apt-get install maven"):
        jars.fetch(jars.JarSet("Test", pom, tmp_path / "jars"))


def test_a_jar_set_is_complete_only_for_the_pom_that_filled_it(tmp_path):
    pom = tmp_path / "pom.xml"
    pom.write_text("<project>1</project>")
    target = tmp_path / "jars"
    target.mkdir()
    jar_set = jars.JarSet("Test", pom, target)
    (target / jars.STAMP_NAME).write_text(jar_set.pom_digest())
    assert jar_set.is_complete()
    pom.write_text("<project>2</project>")
    assert not jar_set.is_complete()
    with pytest.raises(Exception, match="dmp setup"):
        jar_set.jars()


def test_version_of_a_folder_without_java_is_none(tmp_path):
    assert java.java_major_version(Path(tmp_path)) is None
