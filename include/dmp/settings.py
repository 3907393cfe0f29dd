"""Project settings: where things live and which services to talk to.

Every value comes from a `DMP_*` environment variable with a local default, so the same code runs
on one machine (the project's Cassandra node, Spark `local[*]`) and on a cluster (contact points,
a Spark master) by configuration alone. Code reads settings through `load()`; nothing else in the
package reads `os.environ` for configuration.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from dmp.errors import ConfigError
from dmp.pipeline.columns import parse_column_map

DEFAULT_KEYSPACE = "dmp"
DEFAULT_EVENTS_TTL_DAYS = 30
DEFAULT_CASSANDRA_HEAP = "2G"
DEFAULT_SPARK_MASTER = "local[*]"
DEFAULT_PIPELINE_START = "2026-11-01"
DEFAULT_PAGE_INDEX_TTL_DAYS = 7
DEFAULT_MAX_REJECTED_SHARE = 0.05
DEFAULT_INTEREST_HALF_LIFE_DAYS = 30
DEFAULT_INTERESTS_TTL_DAYS = 400  # daily interests outlive raw events: lifetime scores read them
DEFAULT_MAX_LATENESS_HOURS = 2
DEFAULT_MIN_TAGGED_SHARE = 0.5
DEFAULT_QUALITY_RETENTION_DAYS = 90
DEFAULT_SEGMENT_MAX_SIZE_CHANGE = 0.5  # the segment gate alarms on a sudden +-50% against the previous run
DEFAULT_SEGMENT_VERSION_RETENTION_DAYS = 7
DEFAULT_SEGMENT_GATE_SAMPLE = 100
SECONDS_PER_DAY = 86_400


def _project_home() -> Path:
    """The repository root: `include/dmp/settings.py` sits two folders below it."""
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Replication:
    """Keyspace replication: SimpleStrategy with a factor, or NetworkTopologyStrategy per DC."""

    strategy: str
    factors: dict[str, int] = field(default_factory=dict)

    def as_cql(self) -> str:
        """The CQL map literal for `CREATE KEYSPACE ... WITH replication = ...`."""
        if self.strategy == "SimpleStrategy":
            return f"{{'class': 'SimpleStrategy', 'replication_factor': {self.factors['rf']}}}"
        per_dc = ", ".join(f"'{dc}': {rf}" for dc, rf in sorted(self.factors.items()))
        return f"{{'class': 'NetworkTopologyStrategy', {per_dc}}}"


def parse_replication(text: str) -> Replication:
    """Parse `SimpleStrategy:1` or `NetworkTopologyStrategy:dc1=3,dc2=2`."""
    strategy, _, spec = text.strip().partition(":")
    try:
        if strategy == "SimpleStrategy":
            return Replication(strategy, {"rf": int(spec or "1")})
        if strategy == "NetworkTopologyStrategy":
            pairs = (item.split("=") for item in spec.split(",") if item)
            factors = {dc.strip(): int(rf) for dc, rf in pairs}
            if factors:
                return Replication(strategy, factors)
    except ValueError:
        pass
    raise ConfigError(
        f"DMP_REPLICATION={text!r} is not understood. Use 'SimpleStrategy:1' for one node or "
        "'NetworkTopologyStrategy:dc1=3,dc2=3' for a cluster."
    )


@dataclass(frozen=True)
class Settings:
    """A resolved view of the environment; build it with `load()`."""

    home: Path
    var_dir: Path
    landing_dir: str
    quarantine_dir: str
    runs_dir: Path
    staging_dir: str
    model_dir: Path
    corpus_file: Path
    taxonomy_file: Path
    rules_file: Path | None
    synonyms_file: Path | None
    page_index_ttl_days: int
    interests_ttl_days: int
    interest_half_life_days: int
    max_rejected_share: float
    max_lateness_hours: int
    min_tagged_share: float
    expectations_dir: Path
    quality_dir: Path
    quality_retention_days: int
    column_map: dict[str, str]
    cassandra_hosts: tuple[str, ...]
    cassandra_port: int
    cassandra_storage_port: int
    cassandra_heap: str
    keyspace: str
    replication: Replication
    events_ttl_days: int
    pipeline_start: dt.date
    spark_master: str
    spark_driver_memory: str
    segments_dir: Path
    export_dir: str
    segment_reports_dir: Path
    segment_max_size_change: float
    segment_version_retention_days: int
    segment_gate_sample: int

    @property
    def cassandra_jars_dir(self) -> Path:
        return self.var_dir / "lib" / "cassandra"

    @property
    def connector_jars_dir(self) -> Path:
        return self.var_dir / "lib" / "spark-connector"

    @property
    def cassandra_dir(self) -> Path:
        """Data, commit log, hints and logs of the local node."""
        return self.var_dir / "cassandra"

    @property
    def airflow_home(self) -> Path:
        return self.var_dir / "airflow"

    @property
    def events_ttl_seconds(self) -> int:
        return self.events_ttl_days * SECONDS_PER_DAY

    @property
    def interests_ttl_seconds(self) -> int:
        return self.interests_ttl_days * SECONDS_PER_DAY

    def staged(self, day: dt.date, dataset: str) -> str:
        """Where one of the day's intermediate datasets (Parquet) waits for the next steps."""
        return f"{self.staging_dir.rstrip('/')}/{day.isoformat()}/{dataset}"

    @property
    def segment_version_retention_seconds(self) -> int:
        return self.segment_version_retention_days * SECONDS_PER_DAY

    @property
    def page_index_ttl_seconds(self) -> int:
        return self.page_index_ttl_days * SECONDS_PER_DAY


def _int_setting(env: dict[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a whole number.") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}.")
    return value


def _share_setting(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ConfigError(f"{name}={raw!r} must be a share from 0 to 1, e.g. 0.05 for 5%.")
    return value


def _date_setting(env: dict[str, str], name: str, default: str) -> dt.date:
    raw = env.get(name) or default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a date, YYYY-MM-DD.") from None


def _optional_file(env: dict[str, str], name: str, default: Path) -> Path | None:
    """The file a setting names (it must then exist); otherwise `default` if there is one."""
    if env.get(name):
        return Path(env[name])
    return default if default.is_file() else None


def load(env: dict[str, str] | None = None) -> Settings:
    """Read the settings from `env` (the process environment by default)."""
    env = dict(os.environ if env is None else env)
    home = Path(env.get("DMP_HOME") or _project_home()).resolve()
    var_dir = Path(env.get("DMP_VAR_DIR") or home / "var").resolve()
    hosts = tuple(h.strip() for h in env.get("DMP_CASSANDRA_HOSTS", "127.0.0.1").split(",") if h.strip())
    if not hosts:
        raise ConfigError("DMP_CASSANDRA_HOSTS is empty: give one or more contact points, comma separated.")
    return Settings(
        home=home,
        var_dir=var_dir,
        landing_dir=env.get("DMP_LANDING_DIR") or str(home / "data" / "landing"),
        quarantine_dir=env.get("DMP_QUARANTINE_DIR") or str(home / "data" / "quarantine"),
        # One folder per processed day with each step's figures (JSON) and the run's log.
        runs_dir=Path(env.get("DMP_RUNS_DIR") or var_dir / "runs").resolve(),
        # Each day's accepted events between the pipeline's steps (Parquet, one folder per day).
        staging_dir=env.get("DMP_STAGING_DIR") or str(home / "data" / "staging"),
        # Models in versioned folders; `current` points at the one in use.
        model_dir=Path(env.get("DMP_MODEL_DIR") or var_dir / "models").resolve(),
        # Page texts the model learns from, one document per line (`dmp generate` writes one).
        corpus_file=Path(env.get("DMP_CORPUS") or Path(env.get("DMP_LANDING_DIR") or home / "data" / "landing") / "corpus" / "pages.txt"),
        taxonomy_file=Path(env.get("DMP_TAXONOMY") or home / "taxonomy" / "themes.yaml"),
        rules_file=_optional_file(env, "DMP_RULES", home / "taxonomy" / "rules.yaml"),
        synonyms_file=_optional_file(env, "DMP_SYNONYMS", home / "taxonomy" / "synonyms.yaml"),
        # Pages are re-tagged after this many days (a page's content drifts; see the seeds' 7 days).
        page_index_ttl_days=_int_setting(env, "DMP_PAGE_INDEX_TTL_DAYS", DEFAULT_PAGE_INDEX_TTL_DAYS),
        # A day whose rejected rows exceed this share is stopped before anything is stored.
        interests_ttl_days=_int_setting(env, "DMP_INTERESTS_TTL_DAYS", DEFAULT_INTERESTS_TTL_DAYS),
        interest_half_life_days=_int_setting(env, "DMP_INTEREST_HALF_LIFE_DAYS", DEFAULT_INTEREST_HALF_LIFE_DAYS),
        max_rejected_share=_share_setting(env, "DMP_MAX_REJECTED_SHARE", DEFAULT_MAX_REJECTED_SHARE),
        # Events of the last hours of the day before that arrive in a day's files are accepted.
        max_lateness_hours=_int_setting(env, "DMP_MAX_LATENESS_HOURS", DEFAULT_MAX_LATENESS_HOURS, minimum=0),
        # The tagged-events gate fails a day whose events are tagged with a theme below this share.
        min_tagged_share=_share_setting(env, "DMP_MIN_TAGGED_SHARE", DEFAULT_MIN_TAGGED_SHARE),
        # Data-quality suites (committed) and their results and Data Docs (generated).
        expectations_dir=Path(env.get("DMP_EXPECTATIONS_DIR") or home / "expectations").resolve(),
        quality_dir=Path(env.get("DMP_QUALITY_DIR") or var_dir / "quality").resolve(),
        # Gate results (and their Data Docs pages) older than this are removed when a gate runs.
        quality_retention_days=_int_setting(env, "DMP_QUALITY_RETENTION_DAYS", DEFAULT_QUALITY_RETENTION_DAYS),
        # Partners' column names for ours: `user_id=uid,ts=time,url=page` (see dmp.pipeline.ingest).
        column_map=parse_column_map(env.get("DMP_COLUMN_MAP", "")),
        cassandra_hosts=hosts,
        cassandra_port=_int_setting(env, "DMP_CASSANDRA_PORT", 9042),
        cassandra_storage_port=_int_setting(env, "DMP_CASSANDRA_STORAGE_PORT", 7000),
        cassandra_heap=env.get("DMP_CASSANDRA_HEAP") or DEFAULT_CASSANDRA_HEAP,
        keyspace=env.get("DMP_KEYSPACE") or DEFAULT_KEYSPACE,
        replication=parse_replication(env.get("DMP_REPLICATION") or "SimpleStrategy:1"),
        events_ttl_days=_int_setting(env, "DMP_EVENTS_TTL_DAYS", DEFAULT_EVENTS_TTL_DAYS),
        # The daily DAG's start date: the first day the schedule (and catchup) covers.
        pipeline_start=_date_setting(env, "DMP_PIPELINE_START", DEFAULT_PIPELINE_START),
        spark_master=env.get("DMP_SPARK_MASTER") or DEFAULT_SPARK_MASTER,
        spark_driver_memory=env.get("DMP_SPARK_DRIVER_MEMORY") or "4g",
        # One YAML definition per segment; exports for partners, one folder per run and segment.
        segments_dir=Path(env.get("DMP_SEGMENTS_DIR") or home / "segments").resolve(),
        export_dir=env.get("DMP_EXPORT_DIR") or str(home / "data" / "exports"),
        segment_reports_dir=Path(env.get("DMP_SEGMENT_REPORTS_DIR") or var_dir / "segments" / "reports").resolve(),
        # The segment gate refuses a size that moved more than this share against the previous run.
        segment_max_size_change=_share_setting(env, "DMP_SEGMENT_MAX_SIZE_CHANGE", DEFAULT_SEGMENT_MAX_SIZE_CHANGE),
        # Superseded versions stay readable (for rollback) this long after their run, then expire.
        segment_version_retention_days=_int_setting(env, "DMP_SEGMENT_VERSION_RETENTION_DAYS",
                                                    DEFAULT_SEGMENT_VERSION_RETENTION_DAYS),
        segment_gate_sample=_int_setting(env, "DMP_SEGMENT_GATE_SAMPLE", DEFAULT_SEGMENT_GATE_SAMPLE),
    )
