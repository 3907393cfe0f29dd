"""The segment gate: nothing of a day's segments is published unless every segment passes it.

Per segment: its size against the current published version's (within DMP_SEGMENT_MAX_SIZE_CHANGE
either way, once either size reaches DMP_SEGMENT_SIZE_CHECK_MIN; no previous or an empty one:
nothing to compare), no member without consent where the
definition requires it, and a sample of the members who qualified today re-checked against their
rule from the stored aggregates (read again from Cassandra, not from the staged result).
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from dmp.errors import DmpError
from dmp.pipeline import steps
from dmp.pipeline.runs import write_step_summary
from dmp.segments.daily import definitions_of, members_of, staged_members, subjects_context
from dmp.segments.definitions import Definition
from dmp.segments.evaluate import evaluate_rule
from dmp.settings import Settings
from dmp.storage import segments as store
from dmp.storage.session import cassandra_session

GATE_STEP = steps.gate_step(steps.SEGMENTS_GATE)
SAMPLE_SEED = 7


def size_check(size: int, previous: int | None, max_change: float, min_size: int = 0) -> dict:
    """Whether `size` stays within `max_change` (a share) of the previous published size.

    Judged only once either size reaches `min_size`: a segment of a handful of members moves by
    large shares from day to day, while a collapse or a burst from or to `min_size` still fails.
    """
    if not previous:
        return {"passed": True, "size": size, "previous": previous}
    change = (size - previous) / previous
    judged = max(size, previous) >= min_size
    return {"passed": not judged or abs(change) <= max_change, "size": size, "previous": previous,
            "change": round(change, 4), **({} if judged else {"below_minimum": min_size})}


def previous_sizes(settings: Settings) -> dict[str, int]:
    """Segment -> members of its current published version."""
    with cassandra_session(settings) as session:
        segments = store.SegmentStore(session, settings.keyspace)
        sizes = {}
        for segment_id, pointer in segments.pointers().items():
            info = segments.version(segment_id, pointer.version)
            if info is not None:
                sizes[segment_id] = info.members
        return sizes


def recheck_sample(spark: SparkSession, settings: Settings, day: dt.date, definitions: list[Definition],
                   members_df) -> dict[str, dict]:
    """Segment -> the sampled members of today that their rule no longer finds in the stored aggregates."""
    sample_df = members_df.where(F.col("last_qualified") == F.lit(day)).select("segment_id", "subject_id").withColumn(
        "pick", F.rand(SAMPLE_SEED)).orderBy("pick").groupBy("segment_id").agg(
        F.slice(F.collect_list("subject_id"), 1, settings.segment_gate_sample).alias("sample"))
    samples = {row["segment_id"]: row["sample"] for row in sample_df.collect()}
    sampled_ids_df = spark.createDataFrame([(s,) for ids in samples.values() for s in ids], "subject_id string")
    # Read again (not the evaluation's cached subjects): the sample is checked against what is stored.
    ctx = subjects_context(spark, settings, day, definitions, cached=False)
    ctx.subjects = ctx.subjects.restricted_to(sampled_ids_df)
    ctx.segment_members = {definition.id: members_of(members_df, definition.id) for definition in definitions}
    results = {}
    for definition in definitions:
        sample = samples.get(definition.id, [])
        found = {row["subject_id"] for row in evaluate_rule(definition.rule, ctx).select("subject_id").collect()}
        missing = sorted(set(sample) - found)
        results[definition.id] = {"passed": not missing, "sampled": len(sample), "not_found": missing[:10]}
    return results


def gate_segments_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Check the day's staged members; write the verdict; a failed segment stops the day (a `DmpError`)."""
    definitions = definitions_of(settings)
    members_df = staged_members(spark, settings, day).cache()
    sizes = {row["segment_id"]: row["count"] for row in members_df.groupBy("segment_id").count().collect()}
    unconsented = {row["segment_id"]: row["count"] for row in members_df.where(
        ~F.coalesce(F.col("has_consent"), F.lit(False))).groupBy("segment_id").count().collect()}
    previous = previous_sizes(settings)
    sampled = recheck_sample(spark, settings, day, definitions, members_df)
    verdicts = {}
    for definition in definitions:
        without_consent = unconsented.get(definition.id, 0) if definition.consent_required else 0
        checks = {
            "size": size_check(sizes.get(definition.id, 0), previous.get(definition.id), settings.segment_max_size_change,
                               settings.segment_size_check_min),
            "consent": {"passed": without_consent == 0, "members_without_consent": without_consent},
            "sample": sampled[definition.id],
        }
        verdicts[definition.id] = {"passed": all(check["passed"] for check in checks.values()), **checks}
    failed = sorted(segment_id for segment_id, verdict in verdicts.items() if not verdict["passed"])
    summary = {"date": day.isoformat(), "success": not failed, "segments": verdicts}
    if failed:
        summary["stopped"] = "segment gate failed for " + ", ".join(
            f"{segment_id} ({', '.join(name for name, check in verdicts[segment_id].items() if name != 'passed' and not check['passed'])})"
            for segment_id in failed)
    write_step_summary(settings, day, GATE_STEP, summary)
    members_df.unpersist()
    if failed:
        raise DmpError(f"{summary['stopped']}: nothing of {day}'s segments is published "
                       f"(dmp runs show {day} has the checks; DMP_SEGMENT_MAX_SIZE_CHANGE bounds the size check).")
    return summary
