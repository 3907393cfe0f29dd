"""Project settings: where things live and which services to talk to.

Every value comes from a `DMP_*` environment variable with a local default, so the same code runs
on one machine (the project's Cassandra node, Spark `local[*]`) and on a cluster (contact points,
a Spark master) by configuration alone. Code reads settings through `load()`; nothing else in the
package reads `os.environ` for configuration (tests/unit/test_settings.py checks it). Other modules
only write the environment of the processes they start (JAVA_HOME for a JVM).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dmp.errors import ConfigError
from dmp.identity.blocked import DEFAULT_BLOCKED_PATTERNS, DEFAULT_BLOCKED_VALUES, BlockList, parse_block_list
from dmp.identity.config import (DEFAULT_MAX_EMAILS_PER_COOKIE, DEFAULT_MAX_IDS_PER_EMAIL, DEFAULT_MAX_IDS_PER_PERSON,
                                 Caps)
from dmp.identity.crm_columns import parse_crm_column_map
from dmp.identity.emails import DEFAULT_EMAIL_RULES, ProviderRule, parse_email_rules
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
DEFAULT_AIRFLOW_PORT = 8080
# A day's events and distinct users within [0.5, 2] x the median of its trailing days pass the raw gate.
DEFAULT_VOLUME_DRIFT_MIN = 0.5
DEFAULT_VOLUME_DRIFT_MAX = 2.0
DEFAULT_MAX_LATE_SHARE = 0.1
DEFAULT_SEGMENT_MAX_SIZE_CHANGE = 0.5  # the segment gate alarms on a sudden +-50% against the previous run
DEFAULT_SEGMENT_SIZE_CHECK_MIN = 100  # below this many members on both sides, a share of change is noise
DEFAULT_SEGMENT_VERSION_RETENTION_DAYS = 7
DEFAULT_SEGMENT_GATE_SAMPLE = 100
DEFAULT_SEGMENT_POINTER_REFRESH_SECONDS = 5.0  # how stale a lookup's view of the current versions may be
# Up to this many identity edges the components are found by scipy on the driver, above it in Spark.
DEFAULT_IDENTITY_LOCAL_MAX_EDGES = 5_000_000
# The identity gate's CRM match rate may move this much (absolute share) from the trailing days' median.
DEFAULT_CRM_MATCH_RATE_MAX_CHANGE = 0.2
DEFAULT_KAFKA_PORT = 9092  # the controller listens on the next port unless DMP_KAFKA_CONTROLLER_PORT says
DEFAULT_KAFKA_HEAP = "512M"
DEFAULT_STREAM_TOPIC = "clickstream"
DEFAULT_STREAM_PARTITIONS = 4
DEFAULT_STREAM_TRIGGER_SECONDS = 30
# Events one micro-batch reads at most: a backlog (after an outage) is worked off in batches that
# each still end within the latency budget, instead of one batch of everything (see bench/stream.py).
DEFAULT_STREAM_MAX_OFFSETS_PER_TRIGGER = 300_000
DEFAULT_STREAM_MAX_STALE_SECONDS = 300  # the watchdog restarts a stream with no batch committed for this long
SECONDS_PER_DAY = 86_400
# The platform's own JDK setting first, then the one other tools follow.
JAVA_HOME_VARIABLES = ("DMP_JAVA_HOME", "JAVA_HOME")
# Not a setting: spark-submit sets it for the Python driver it launches.
SPARK_SUBMIT_GATEWAY_VARIABLE = "PYSPARK_GATEWAY_PORT"
# Settings one DAG run may override with a parameter of this name (the Trigger form, `dmp run --param`).
RUN_PARAMETERS = {
    "max_rejected_share": "DMP_MAX_REJECTED_SHARE",
    "min_tagged_share": "DMP_MIN_TAGGED_SHARE",
    "max_lateness_hours": "DMP_MAX_LATENESS_HOURS",
}
_ON = ("1", "on", "true", "yes")
_OFF = ("0", "off", "false", "no")
PASSWORD_FILE_SETTING = "DMP_CASSANDRA_PASSWORD_FILE"
TLS_FILE_SETTINGS = ("DMP_CASSANDRA_SSL_CA", "DMP_CASSANDRA_SSL_CERT", "DMP_CASSANDRA_SSL_KEY")


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
class CassandraCredentials:
    """Username and password for Cassandra's PasswordAuthenticator; the password never shows in a repr."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class CassandraTls:
    """TLS to Cassandra: the CA that signed the nodes' certificates (None: the system's CAs),
    an optional client certificate and key (PEM), and whether node host names are checked."""

    ca_file: Path | None
    cert_file: Path | None
    key_file: Path | None
    verify_hostname: bool


@dataclass(frozen=True)
class IdentitySettings:
    """Identity resolution: where the CRM and id-syncs land, email rules, blocked values, caps."""

    crm_dir: str
    crm_column_map: dict[str, str]
    idsync_dir: str
    email_rules: tuple[ProviderRule, ...]
    block_list: BlockList
    caps: Caps
    local_max_edges: int
    crm_match_rate_max_change: float


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
    search_engines_file: Path | None
    page_index_ttl_days: int
    interests_ttl_days: int
    interest_half_life_days: int
    max_rejected_share: float
    max_lateness_hours: int
    min_tagged_share: float
    volume_drift_min: float
    volume_drift_max: float
    max_late_share: float
    expectations_dir: Path
    quality_dir: Path
    quality_retention_days: int
    column_map: dict[str, str]
    cassandra_hosts: tuple[str, ...]
    cassandra_port: int
    cassandra_storage_port: int
    cassandra_heap: str
    cassandra_auth: CassandraCredentials | None
    cassandra_tls: CassandraTls | None
    keyspace: str
    replication: Replication
    events_ttl_days: int
    pipeline_start: dt.date
    spark_master: str
    spark_driver_memory: str
    # JDKs to try, in order, before the usual install folders (see dmp.services.java).
    java_homes: tuple[Path, ...]
    airflow_port: int
    airflow_parallelism: int
    airflow_api_workers: int
    segments_dir: Path
    export_dir: str
    segment_reports_dir: Path
    segment_max_size_change: float
    segment_size_check_min: int
    segment_version_retention_days: int
    segment_gate_sample: int
    segment_pointer_refresh_seconds: float
    identity: IdentitySettings
    # Kafka and the real-time stream (dmp.services.kafka, dmp.stream).
    kafka_port: int
    kafka_controller_port: int
    kafka_bootstrap: str | None  # a real cluster's bootstrap servers; None: the project's own broker
    kafka_heap: str
    stream_topic: str
    stream_partitions: int
    stream_trigger_seconds: int
    stream_max_offsets_per_trigger: int
    stream_max_stale_seconds: int
    stream_max_lag: int
    stream_dir: Path  # the stream's checkpoint, per-batch figures, pid file and log

    @property
    def kafka_servers(self) -> str:
        """The bootstrap servers clients connect to: DMP_KAFKA_BOOTSTRAP, or the local broker."""
        return self.kafka_bootstrap or f"127.0.0.1:{self.kafka_port}"

    @property
    def kafka_dir(self) -> Path:
        """The local broker's data (KRaft metadata and topic logs), config, pid file and logs."""
        return self.var_dir / "kafka"

    @property
    def kafka_jars_dir(self) -> Path:
        return self.var_dir / "lib" / "kafka"

    @property
    def spark_kafka_jars_dir(self) -> Path:
        return self.var_dir / "lib" / "spark-kafka"

    @property
    def stream_quarantine_dir(self) -> Path:
        return Path(self.quarantine_dir) / "stream"

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


def machine_cpus() -> int:
    """The cores this process may run on (a container's or taskset's share, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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


def _float_setting(env: dict[str, str], name: str, default: float, is_valid: Callable[[float], bool],
                   expected: str) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")  # fails every check below
    if not is_valid(value):
        raise ConfigError(f"{name}={raw!r} must be {expected}.")
    return value


def _share_setting(env: dict[str, str], name: str, default: float) -> float:
    return _float_setting(env, name, default, lambda value: 0 <= value <= 1, "a share from 0 to 1, e.g. 0.05 for 5%")


def _ratio_setting(env: dict[str, str], name: str, default: float) -> float:
    return _float_setting(env, name, default, lambda value: value > 0,
                          "a positive ratio, e.g. 0.5 for half or 2 for twice")


def _date_setting(env: dict[str, str], name: str, default: str) -> dt.date:
    raw = env.get(name) or default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a date, YYYY-MM-DD.") from None


def _optional_file(env: dict[str, str], name: str, default: Path | None) -> Path | None:
    """The file a setting names (it must then exist); otherwise `default` if there is one."""
    if env.get(name):
        return Path(env[name])
    return default if default is not None and default.is_file() else None


def _switch_setting(env: dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _ON or raw in _OFF:
        return raw in _ON
    raise ConfigError(f"{name}={env[name]!r} must be on or off.")


def _existing_file(env: dict[str, str], name: str) -> Path | None:
    """The file a setting names, which must exist; None when the setting is not given."""
    if not env.get(name):
        return None
    path = Path(env[name]).expanduser()
    if not path.is_file():
        raise ConfigError(f"{name}={env[name]!r}: no such file. Give the path of an existing file or unset {name}.")
    return path


def _cassandra_password(env: dict[str, str]) -> str | None:
    """The password from DMP_CASSANDRA_PASSWORD or, kept out of the environment, DMP_CASSANDRA_PASSWORD_FILE."""
    password_file = _existing_file(env, PASSWORD_FILE_SETTING)
    if password_file is None:
        return env.get("DMP_CASSANDRA_PASSWORD") or None
    if env.get("DMP_CASSANDRA_PASSWORD"):
        raise ConfigError("DMP_CASSANDRA_PASSWORD and DMP_CASSANDRA_PASSWORD_FILE are both set: keep one.")
    try:
        password = password_file.read_text().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{PASSWORD_FILE_SETTING}={str(password_file)!r} cannot be read: "
                          f"{error.__class__.__name__}.") from None
    if not password:
        raise ConfigError(f"{PASSWORD_FILE_SETTING}={str(password_file)!r} is empty: write the password in it.")
    return password


def _cassandra_auth(env: dict[str, str]) -> CassandraCredentials | None:
    """Credentials when a username is set; a password without a username (or the reverse) is an error."""
    username = (env.get("DMP_CASSANDRA_USERNAME") or "").strip()
    password = _cassandra_password(env)
    if username and password:
        return CassandraCredentials(username, password)
    if username:
        raise ConfigError(f"DMP_CASSANDRA_USERNAME={username!r} has no password: "
                          f"set DMP_CASSANDRA_PASSWORD or {PASSWORD_FILE_SETTING}.")
    if password:
        raise ConfigError("A Cassandra password is set but DMP_CASSANDRA_USERNAME is not: "
                          "set the user it belongs to.")
    return None


def _cassandra_tls(env: dict[str, str]) -> CassandraTls | None:
    """TLS settings when DMP_CASSANDRA_SSL is on; TLS files given while it is off are an error, not ignored."""
    files = {name: _existing_file(env, name) for name in TLS_FILE_SETTINGS}
    verify_hostname = _switch_setting(env, "DMP_CASSANDRA_SSL_VERIFY_HOSTNAME", True)
    if not _switch_setting(env, "DMP_CASSANDRA_SSL", False):
        given = [name for name, path in files.items() if path]
        if given:
            raise ConfigError(f"{', '.join(given)} set but DMP_CASSANDRA_SSL is off: "
                              "set DMP_CASSANDRA_SSL=on to use TLS.")
        return None
    cert, key = files["DMP_CASSANDRA_SSL_CERT"], files["DMP_CASSANDRA_SSL_KEY"]
    if (cert is None) != (key is None):
        raise ConfigError("DMP_CASSANDRA_SSL_CERT and DMP_CASSANDRA_SSL_KEY go together: "
                          "set both (the client certificate and its key, PEM) or neither.")
    return CassandraTls(files["DMP_CASSANDRA_SSL_CA"], cert, key, verify_hostname)


def _identity_settings(env: dict[str, str], landing_dir: str) -> IdentitySettings:
    return IdentitySettings(
        # The client's CRM export (CSV or Parquet): files in the folder itself are a full snapshot read
        # every day, files in its <YYYY-MM-DD>/ sub-folders that day's updates.
        crm_dir=env.get("DMP_CRM_DIR") or str(Path(landing_dir) / "crm"),
        # The client's CRM column names for ours: `customer_id=id,email=mail` (see dmp.identity.crm_columns).
        crm_column_map=parse_crm_column_map(env.get("DMP_CRM_COLUMN_MAP", "")),
        # Partner id-syncs (pairs of ids of one browser), one <YYYY-MM-DD>/ sub-folder per day.
        idsync_dir=env.get("DMP_IDSYNC_DIR") or str(Path(landing_dir) / "idsync"),
        email_rules=parse_email_rules(env.get("DMP_EMAIL_RULES") or DEFAULT_EMAIL_RULES),
        block_list=parse_block_list(env.get("DMP_IDENTITY_BLOCKED_VALUES") or DEFAULT_BLOCKED_VALUES,
                                    env.get("DMP_IDENTITY_BLOCKED_PATTERNS") or DEFAULT_BLOCKED_PATTERNS),
        caps=Caps(
            max_ids_per_email=_int_setting(env, "DMP_IDENTITY_MAX_IDS_PER_EMAIL", DEFAULT_MAX_IDS_PER_EMAIL),
            max_emails_per_cookie=_int_setting(env, "DMP_IDENTITY_MAX_EMAILS_PER_COOKIE", DEFAULT_MAX_EMAILS_PER_COOKIE),
            max_ids_per_person=_int_setting(env, "DMP_IDENTITY_MAX_IDS_PER_PERSON", DEFAULT_MAX_IDS_PER_PERSON),
        ),
        local_max_edges=_int_setting(env, "DMP_IDENTITY_LOCAL_MAX_EDGES", DEFAULT_IDENTITY_LOCAL_MAX_EDGES, minimum=0),
        crm_match_rate_max_change=_share_setting(env, "DMP_CRM_MATCH_RATE_MAX_CHANGE", DEFAULT_CRM_MATCH_RATE_MAX_CHANGE),
    )


def run_overrides(params: Mapping[str, object]) -> dict[str, str]:
    """The settings a run's parameters override, for `load(overrides=...)`: only the ones given.

    A parameter left empty is None and overrides nothing, so the worker's own setting applies
    (not the value the DAG processor's environment had when it parsed the DAG).
    """
    return {RUN_PARAMETERS[name]: str(value) for name, value in params.items()
            if name in RUN_PARAMETERS and value is not None}


def launched_by_spark_submit(env: Mapping[str, str] | None = None) -> bool:
    """True in a driver that spark-submit started: its master and conf are then already chosen."""
    return SPARK_SUBMIT_GATEWAY_VARIABLE in (os.environ if env is None else env)


def load(env: Mapping[str, str] | None = None, *, overrides: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `env` (the process environment by default), `overrides` winning.

    `overrides` are `DMP_*` values a caller gives on top of the environment, e.g. the endpoints of an
    Airflow connection or a run's parameters that a task hands to its job.
    """
    env = {**(os.environ if env is None else env), **(overrides or {})}
    home = Path(env.get("DMP_HOME") or _project_home()).resolve()
    var_dir = Path(env.get("DMP_VAR_DIR") or home / "var").resolve()
    landing_dir = env.get("DMP_LANDING_DIR") or str(home / "data" / "landing")
    hosts = tuple(h.strip() for h in env.get("DMP_CASSANDRA_HOSTS", "127.0.0.1").split(",") if h.strip())
    if not hosts:
        raise ConfigError("DMP_CASSANDRA_HOSTS is empty: give one or more contact points, comma separated.")
    return Settings(
        home=home,
        var_dir=var_dir,
        landing_dir=landing_dir,
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
        # Rules name themes: the default rules are written for the default taxonomy, not for another one.
        rules_file=_optional_file(env, "DMP_RULES", None if env.get("DMP_TAXONOMY") else home / "taxonomy" / "rules.yaml"),
        synonyms_file=_optional_file(env, "DMP_SYNONYMS", home / "taxonomy" / "synonyms.yaml"),
        # Search engines (and site-search pages) added to the built-in table (dmp.tagging.search_terms).
        search_engines_file=_optional_file(env, "DMP_SEARCH_ENGINES_FILE", None),
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
        # The raw-events gate's bounds on the day's events and users, as ratios of the trailing median.
        volume_drift_min=_ratio_setting(env, "DMP_VOLUME_DRIFT_MIN", DEFAULT_VOLUME_DRIFT_MIN),
        volume_drift_max=_ratio_setting(env, "DMP_VOLUME_DRIFT_MAX", DEFAULT_VOLUME_DRIFT_MAX),
        # The raw-events gate fails a day with more late events (of the evening before) than this share.
        max_late_share=_share_setting(env, "DMP_MAX_LATE_SHARE", DEFAULT_MAX_LATE_SHARE),
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
        cassandra_auth=_cassandra_auth(env),
        cassandra_tls=_cassandra_tls(env),
        keyspace=env.get("DMP_KEYSPACE") or DEFAULT_KEYSPACE,
        replication=parse_replication(env.get("DMP_REPLICATION") or "SimpleStrategy:1"),
        events_ttl_days=_int_setting(env, "DMP_EVENTS_TTL_DAYS", DEFAULT_EVENTS_TTL_DAYS),
        # The daily DAG's start date: the first day the schedule (and catchup) covers.
        pipeline_start=_date_setting(env, "DMP_PIPELINE_START", DEFAULT_PIPELINE_START),
        spark_master=env.get("DMP_SPARK_MASTER") or DEFAULT_SPARK_MASTER,
        spark_driver_memory=env.get("DMP_SPARK_DRIVER_MEMORY") or "4g",
        java_homes=tuple(Path(env[name]) for name in JAVA_HOME_VARIABLES if env.get(name)),
        # The local Airflow's API server (UI) port; tasks reach its execution API there too.
        airflow_port=_int_setting(env, "DMP_AIRFLOW_PORT", DEFAULT_AIRFLOW_PORT),
        # Tasks at once and API server processes, sized to the machine: each task is a Spark job
        # that wants a core, and Cassandra shares the same cores (Airflow's defaults: 32 and 1).
        airflow_parallelism=_int_setting(env, "DMP_AIRFLOW_PARALLELISM", machine_cpus()),
        airflow_api_workers=_int_setting(env, "DMP_AIRFLOW_API_WORKERS", max(1, machine_cpus() // 2)),
        # One YAML definition per segment; exports for partners, one folder per run and segment.
        segments_dir=Path(env.get("DMP_SEGMENTS_DIR") or home / "segments").resolve(),
        export_dir=env.get("DMP_EXPORT_DIR") or str(home / "data" / "exports"),
        segment_reports_dir=Path(env.get("DMP_SEGMENT_REPORTS_DIR") or var_dir / "segments" / "reports").resolve(),
        # The segment gate refuses a size that moved more than this share against the previous run.
        segment_max_size_change=_share_setting(env, "DMP_SEGMENT_MAX_SIZE_CHANGE", DEFAULT_SEGMENT_MAX_SIZE_CHANGE),
        # ... once either size reaches this many members (6 -> 11 is +83% and says nothing).
        segment_size_check_min=_int_setting(env, "DMP_SEGMENT_SIZE_CHECK_MIN", DEFAULT_SEGMENT_SIZE_CHECK_MIN,
                                            minimum=0),
        # Superseded versions stay readable (for rollback) this long after their run, then expire.
        segment_version_retention_days=_int_setting(env, "DMP_SEGMENT_VERSION_RETENTION_DAYS",
                                                    DEFAULT_SEGMENT_VERSION_RETENTION_DAYS),
        segment_gate_sample=_int_setting(env, "DMP_SEGMENT_GATE_SAMPLE", DEFAULT_SEGMENT_GATE_SAMPLE),
        # Lookups re-read the segments' current versions at most this often (one key read per lookup
        # in between); a new version reaches them this long after its pointer write at the latest.
        segment_pointer_refresh_seconds=_float_setting(
            env, "DMP_SEGMENT_POINTER_REFRESH_SECONDS", DEFAULT_SEGMENT_POINTER_REFRESH_SECONDS,
            lambda value: 0 <= value <= 3600, "seconds from 0 (read them on every lookup) to 3600"),
        identity=_identity_settings(env, landing_dir),
        **_stream_settings(env, var_dir),
    )


def _stream_settings(env: dict[str, str], var_dir: Path) -> dict:
    """Kafka's and the stream's settings (fields of `Settings`)."""
    kafka_port = _int_setting(env, "DMP_KAFKA_PORT", DEFAULT_KAFKA_PORT)
    max_offsets = _int_setting(env, "DMP_STREAM_MAX_OFFSETS_PER_TRIGGER", DEFAULT_STREAM_MAX_OFFSETS_PER_TRIGGER)
    return {
        "kafka_port": kafka_port,
        "kafka_controller_port": _int_setting(env, "DMP_KAFKA_CONTROLLER_PORT", kafka_port + 1),
        "kafka_bootstrap": (env.get("DMP_KAFKA_BOOTSTRAP") or "").strip() or None,
        "kafka_heap": env.get("DMP_KAFKA_HEAP") or DEFAULT_KAFKA_HEAP,
        "stream_topic": env.get("DMP_STREAM_TOPIC") or DEFAULT_STREAM_TOPIC,
        "stream_partitions": _int_setting(env, "DMP_STREAM_PARTITIONS", DEFAULT_STREAM_PARTITIONS),
        "stream_trigger_seconds": _int_setting(env, "DMP_STREAM_TRIGGER_SECONDS", DEFAULT_STREAM_TRIGGER_SECONDS),
        "stream_max_offsets_per_trigger": max_offsets,
        "stream_max_stale_seconds": _int_setting(env, "DMP_STREAM_MAX_STALE_SECONDS", DEFAULT_STREAM_MAX_STALE_SECONDS),
        # The watchdog calls a stream stale when this many events wait unread (10 full batches by default).
        "stream_max_lag": _int_setting(env, "DMP_STREAM_MAX_LAG", 10 * max_offsets),
        "stream_dir": Path(env.get("DMP_STREAM_DIR") or var_dir / "stream").resolve(),
    }
