"""A whole day of the pipeline in one Spark session, in the DAG's order, without Airflow.

The DAG runs each step as its own spark-submit; this runs the same step functions in-process,
for tests, benchmarks and notebooks. Gates are steps like the others and can be left out.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

from dmp.pipeline.interests import interests_day
from dmp.pipeline.keyword_index import keyword_index_day
from dmp.pipeline.lifetime import lifetime_day
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
        "validate_events": validate_day,
        "gate_raw_events": _gate("raw_events"),
        "tag_events": lambda spark, settings, day: tag_day(
            spark, settings, day, tagged_at or dt.datetime.now(dt.timezone.utc)),
        "gate_tagged_events": _gate("tagged_events"),
        "store_events": store_day,
        "daily_interests": interests_day,
        "lifetime_interests": lifetime_day,
        "gate_interests": _gate("interests"),
        "keyword_index": keyword_index_day,
    }


GATE_STEPS = ("gate_raw_events", "gate_tagged_events", "gate_interests")
ALL_STEPS = tuple(day_steps())
NO_GATES = tuple(step for step in ALL_STEPS if step not in GATE_STEPS)
# Up to the day's events and pages in Cassandra, gates left out: what later steps' tests start from.
TO_STORED = ("validate_events", "tag_events", "store_events")


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
