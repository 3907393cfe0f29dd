"""A whole day of the pipeline in one Spark session, in the DAG's order, without Airflow.

The DAG runs each step as its own spark-submit; this runs the same step functions in-process,
for tests, benchmarks and notebooks. Gates are steps like the others and can be left out.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

from dmp.identity.publish import publish_identity_day
from dmp.identity.stage import identity_day
from dmp.pipeline import steps
from dmp.pipeline.interests import interests_day
from dmp.pipeline.keyword_index import keyword_index_day
from dmp.pipeline.lifetime import lifetime_day
from dmp.pipeline.person_sketches import person_sketches_day
from dmp.pipeline.publish import publish_interests_day, publish_keyword_index_day, publish_person_sketches_day
from dmp.pipeline.store import store_day
from dmp.pipeline.tag_day import tag_day
from dmp.pipeline.validate import validate_day
from dmp.settings import Settings

StepBody = Callable[[object, Settings, dt.date], dict]


def _gate(name: str) -> StepBody:
    def run(spark, settings: Settings, day: dt.date) -> dict:
        from dmp.quality.gates import gate_named
        from dmp.quality.runner import run_gate

        return run_gate(spark, settings, day, gate_named(name))

    return run


def day_steps(tagged_at: dt.datetime | None = None) -> dict[str, StepBody]:
    """Step name (the DAG's task id) -> body, in the DAG's order."""
    return {
        steps.VALIDATE_EVENTS: validate_day,
        steps.gate_step(steps.RAW_EVENTS_GATE): _gate(steps.RAW_EVENTS_GATE),
        steps.TAG_EVENTS: lambda spark, settings, day: tag_day(
            spark, settings, day, tagged_at or dt.datetime.now(dt.timezone.utc)),
        steps.gate_step(steps.TAGGED_EVENTS_GATE): _gate(steps.TAGGED_EVENTS_GATE),
        steps.STORE_EVENTS: store_day,
        steps.DAILY_INTERESTS: interests_day,
        steps.LIFETIME_INTERESTS: lifetime_day,
        steps.gate_step(steps.INTERESTS_GATE): _gate(steps.INTERESTS_GATE),
        steps.PUBLISH_INTERESTS: publish_interests_day,
        steps.IDENTITY: identity_day,
        steps.gate_step(steps.IDENTITY_GATE): _gate(steps.IDENTITY_GATE),
        steps.PUBLISH_IDENTITY: publish_identity_day,
        steps.KEYWORD_INDEX: keyword_index_day,
        steps.gate_step(steps.KEYWORD_INDEX_GATE): _gate(steps.KEYWORD_INDEX_GATE),
        steps.PUBLISH_KEYWORD_INDEX: publish_keyword_index_day,
        steps.PERSON_SKETCHES: person_sketches_day,
        steps.gate_step(steps.PERSON_SKETCHES_GATE): _gate(steps.PERSON_SKETCHES_GATE),
        steps.PUBLISH_PERSON_SKETCHES: publish_person_sketches_day,
    }


GATE_STEPS = tuple(steps.gate_step(gate) for gate in steps.GATES)
# Identity runs only when asked for by name: its in-process run is not yet proven on a loaded machine
# (see the identity integration test), so the other stages' tests keep their own steps.
IDENTITY_STEPS = (steps.IDENTITY, steps.gate_step(steps.IDENTITY_GATE), steps.PUBLISH_IDENTITY)
ALL_STEPS = tuple(step for step in day_steps() if step not in IDENTITY_STEPS)
NO_GATES = tuple(step for step in ALL_STEPS if step not in GATE_STEPS)
# Up to the day's events and pages in Cassandra, gates left out: what later steps' tests start from.
TO_STORED = (steps.VALIDATE_EVENTS, steps.TAG_EVENTS, steps.STORE_EVENTS)


def run_day(spark, settings: Settings, day: dt.date, steps: Sequence[str] = ALL_STEPS,
            tagged_at: dt.datetime | None = None) -> dict[str, dict]:
    """Run `steps` for `day` in the DAG's order; step -> its figures, with `seconds` it took."""
    bodies = day_steps(tagged_at)
    unknown = sorted(set(steps) - set(bodies))
    if unknown:
        raise ValueError(f"unknown step(s) {unknown}; the steps are {list(bodies)}")
    results = {}
    for name in (step for step in bodies if step in steps):
        started = time.perf_counter()
        figures = bodies[name](spark, settings, day)
        results[name] = {**figures, "seconds": round(time.perf_counter() - started, 3)}
    return results
