"""Settings from the environment: defaults for one machine, cluster values by configuration."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from dmp.errors import ConfigError
from dmp.settings import load, parse_replication, run_overrides

HOME = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "include/dmp/settings.py"
SCANNED = ("include", "plugins", "dags", "spark_jobs", "bench")
# `os.environ.<method>(...)` calls that set variables for this process's children or libraries.
ENVIRONMENT_WRITES = ("setdefault", "update", "pop")
# Functions that copy the whole environment to start a child process with it (JAVA_HOME, PATH).
CHILD_ENVIRONMENTS = {
    ("include/dmp/services/java.py", "java17_environment"),
    ("include/dmp/services/browser.py", "ensure_debian_tool"),  # apt-get's environment, made non-interactive
    ("bench/audience.py", "under_load"),  # an Airflow of its own for the load test
    ("bench/audience.py", "exact_build"),
    ("bench/keyword_index.py", "compare"),  # the baseline and current code in child processes
}


def test_defaults_are_a_local_single_node():
    settings = load({})
    assert settings.cassandra_hosts == ("127.0.0.1",)
    assert (settings.cassandra_port, settings.cassandra_storage_port) == (9042, 7000)
    assert settings.spark_master == "local[*]"
    assert settings.replication.as_cql() == "{'class': 'SimpleStrategy', 'replication_factor': 1}"
    assert settings.events_ttl_seconds == settings.events_ttl_days * 86_400
    assert settings.runs_dir == settings.var_dir / "runs"


def test_a_cluster_is_configuration_only():
    settings = load({
        "DMP_CASSANDRA_HOSTS": "10.0.0.1, 10.0.0.2",
        "DMP_REPLICATION": "NetworkTopologyStrategy:dc1=3,dc2=2",
        "DMP_SPARK_MASTER": "spark://master:7077",
        "DMP_EVENTS_TTL_DAYS": "90",
        "DMP_PIPELINE_START": "2025-01-01",
        "DMP_MAX_REJECTED_SHARE": "0.2",
    })
    assert settings.cassandra_hosts == ("10.0.0.1", "10.0.0.2")
    assert settings.replication.as_cql() == "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}"
    assert settings.spark_master == "spark://master:7077"
    assert settings.events_ttl_seconds == 90 * 86_400
    assert settings.pipeline_start == dt.date(2025, 1, 1)
    assert settings.max_rejected_share == 0.2


@pytest.mark.parametrize("text", ["Simple", "NetworkTopologyStrategy:", "NetworkTopologyStrategy:dc1=x", "SimpleStrategy:a"])
def test_unknown_replication_says_what_is_understood(text):
    with pytest.raises(ConfigError, match="SimpleStrategy:1"):
        parse_replication(text)


@pytest.mark.parametrize(
    "env, name",
    [
        ({"DMP_EVENTS_TTL_DAYS": "a month"}, "DMP_EVENTS_TTL_DAYS"),
        ({"DMP_EVENTS_TTL_DAYS": "0"}, "DMP_EVENTS_TTL_DAYS"),
        ({"DMP_CASSANDRA_PORT": "-1"}, "DMP_CASSANDRA_PORT"),
        ({"DMP_CASSANDRA_HOSTS": " , "}, "DMP_CASSANDRA_HOSTS"),
        ({"DMP_PIPELINE_START": "November"}, "DMP_PIPELINE_START"),
        ({"DMP_MAX_REJECTED_SHARE": "5%"}, "DMP_MAX_REJECTED_SHARE"),
        ({"DMP_MAX_REJECTED_SHARE": "1.5"}, "DMP_MAX_REJECTED_SHARE"),
        ({"DMP_VOLUME_DRIFT_MIN": "0"}, "DMP_VOLUME_DRIFT_MIN"),
        ({"DMP_VOLUME_DRIFT_MAX": "twice"}, "DMP_VOLUME_DRIFT_MAX"),
        ({"DMP_MAX_LATE_SHARE": "nan"}, "DMP_MAX_LATE_SHARE"),
    ],
)
def test_bad_values_name_the_setting(env, name):
    with pytest.raises(ConfigError, match=name):
        load(env)


def test_overrides_win_over_the_environment():
    settings = load({"DMP_MAX_REJECTED_SHARE": "0.1", "DMP_CASSANDRA_PORT": "9042"},
                    overrides={"DMP_MAX_REJECTED_SHARE": "0.2"})
    assert (settings.max_rejected_share, settings.cassandra_port) == (0.2, 9042)


def test_only_the_run_parameters_given_override_settings():
    params = {"max_rejected_share": 0.2, "min_tagged_share": None, "not_a_setting": 3}
    assert run_overrides(params) == {"DMP_MAX_REJECTED_SHARE": "0.2"}
    assert load({"DMP_MIN_TAGGED_SHARE": "0.7"}, overrides=run_overrides(params)).min_tagged_share == 0.7


def test_the_jdks_to_try_are_the_platforms_then_the_usual_one():
    assert load({"DMP_JAVA_HOME": "/opt/jdk17", "JAVA_HOME": "/usr/lib/jvm/other"}).java_homes == (
        Path("/opt/jdk17"), Path("/usr/lib/jvm/other"))
    assert load({}).java_homes == ()


def _environment_uses(path: Path) -> list[tuple[str, int, str]]:
    """Every use of `os.environ` / `getenv` in a file, as (enclosing function, line, kind)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    uses = []
    for node in ast.walk(tree):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name not in ("environ", "environb", "getenv"):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store):
            kind = "write"
        elif isinstance(parent, ast.Attribute) and parent.attr in ENVIRONMENT_WRITES:
            kind = "write"
        else:
            kind = "read"
        scope = parent
        while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope = parents.get(scope)
        uses.append((scope.name if scope else "<module>", node.lineno, kind))
    return uses


def test_only_the_settings_module_reads_the_environment():
    """Elsewhere the environment is only written, or copied whole for a child process (JAVA_HOME for a JVM)."""
    reads = []
    for root in SCANNED:
        for path in sorted((HOME / root).rglob("*.py")):
            relative = path.relative_to(HOME).as_posix()
            if relative == SETTINGS_MODULE:
                continue
            reads += [f"{relative}:{line} in {function}()" for function, line, kind in _environment_uses(path)
                      if kind == "read" and (relative, function) not in CHILD_ENVIRONMENTS]
    assert reads == [], "read the configuration through dmp.settings.load() instead"


def test_the_environment_scan_sees_a_read(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\n\ndef port():\n    os.environ['X'] = '1'\n    return os.getenv('DMP_CASSANDRA_PORT')\n")
    assert _environment_uses(probe) == [("port", 4, "write"), ("port", 5, "read")]


def test_the_default_rules_go_with_the_default_taxonomy_only(tmp_path):
    assert load({}).rules_file == load({}).home / "taxonomy" / "rules.yaml"
    other = {"DMP_TAXONOMY": str(tmp_path / "other.yaml")}
    assert load(other).rules_file is None, "the default rules name the default taxonomy's themes"
    assert load({**other, "DMP_RULES": str(tmp_path / "rules.yaml")}).rules_file == tmp_path / "rules.yaml"


def test_volume_drift_bounds_and_late_share_are_settings():
    settings = load({"DMP_VOLUME_DRIFT_MIN": "0.8", "DMP_VOLUME_DRIFT_MAX": "1.25", "DMP_MAX_LATE_SHARE": "0.02"})
    assert (settings.volume_drift_min, settings.volume_drift_max, settings.max_late_share) == (0.8, 1.25, 0.02)
    assert (load({}).volume_drift_min, load({}).volume_drift_max, load({}).max_late_share) == (0.5, 2.0, 0.1)
