"""The daily pipeline's step and gate names, defined once.

A step's name is its Airflow task id, its Spark job's name, the stem of its figures in the day's
run folder and the name staging gives when its data is missing; a gate's step is `gate_<gate>`.
The DAG file imports this module at parse time, so it stays plain Python (table names only).
Every Cassandra write has the same shape: a step computes and stages, a gate checks the staged
data, and a publishing step (listed in PUBLISHES with the tables it writes) writes it.
"""

from __future__ import annotations

from dmp.storage import tables

WAIT_FOR_LANDING = "wait_for_landing"
PRIVACY_REQUESTS = "privacy_requests"
VALIDATE_EVENTS = "validate_events"
TAG_EVENTS = "tag_events"
STORE_EVENTS = "store_events"
DAILY_INTERESTS = "daily_interests"
LIFETIME_INTERESTS = "lifetime_interests"
PUBLISH_INTERESTS = "publish_interests"
KEYWORD_INDEX = "keyword_index"
PUBLISH_KEYWORD_INDEX = "publish_keyword_index"
IDENTITY = "identity"
PUBLISH_IDENTITY = "publish_identity"
PERSON_SKETCHES = "person_sketches"
PUBLISH_PERSON_SKETCHES = "publish_person_sketches"
EVALUATE_SEGMENTS = "evaluate_segments"
PUBLISH_SEGMENTS = "publish_segments"
REPORT = "report"

GATE_PREFIX = "gate_"
RAW_EVENTS_GATE = "raw_events"
TAGGED_EVENTS_GATE = "tagged_events"
INTERESTS_GATE = "interests"
KEYWORD_INDEX_GATE = "keyword_index"
IDENTITY_GATE = "identity"
PERSON_SKETCHES_GATE = "person_sketches"
GATES = (RAW_EVENTS_GATE, TAGGED_EVENTS_GATE, INTERESTS_GATE, KEYWORD_INDEX_GATE, IDENTITY_GATE, PERSON_SKETCHES_GATE)
# The segment gate is a Spark job of its own (sizes against the published version, consent, a
# re-checked sample), not Great Expectations suites run by `spark_jobs/gate.py`.
SEGMENTS_GATE = "segments"

# The only steps that write to Cassandra, and the tables each writes.
PUBLISHES = {
    STORE_EVENTS: (tables.EVENTS, tables.PAGE_INDEX),
    PUBLISH_INTERESTS: (tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS),
    PUBLISH_KEYWORD_INDEX: (tables.KEYWORD_USER_SETS, tables.AUDIENCE_SKETCHES),
    PUBLISH_IDENTITY: (tables.CRM_CUSTOMERS, tables.IDENTITY_EDGES, tables.PERSON_BY_ID, tables.PERSON_MERGES,
                       tables.PERSON_DAILY_INTERESTS, tables.PERSON_INTERESTS, tables.PERSONS),
    PUBLISH_PERSON_SKETCHES: (tables.AUDIENCE_SKETCHES,),  # the `*_person` kinds only
    PUBLISH_SEGMENTS: (tables.SEGMENT_VERSIONS, tables.USERS_BY_SEGMENT, tables.SEGMENTS_BY_USER, tables.SEGMENT_CURRENT),
}


# Not a publishing step: it deletes (never writes computed data), so it has no gate and no outlets.
# The tables it deletes from are `dmp.privacy.registry.ENTRIES`.
DELETES_PERSONAL_DATA = (PRIVACY_REQUESTS,)


def gate_step(gate: str) -> str:
    """The step (task id, figures file) of a gate."""
    return f"{GATE_PREFIX}{gate}"
