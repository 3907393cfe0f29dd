"""The daily publish step: after the segment gate passed, every segment's version, exports and report."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import SparkSession

from dmp.errors import DmpError
from dmp.pipeline import steps
from dmp.pipeline.runs import read_step_summary, write_step_summary
from dmp.privacy.suppression import without_suppressed_members
from dmp.segments.daily import EVALUATE_STEP, definitions_of, members_of, staged_members
from dmp.segments.export import export_folder, export_segment
from dmp.segments.gate import GATE_STEP
from dmp.segments.publish import publish_segment
from dmp.segments.report import write_report
from dmp.settings import Settings
from dmp.storage import segments as store
from dmp.storage.privacy import has_suppressions, read_suppressed
from dmp.storage.session import cassandra_session

PUBLISH_STEP = steps.PUBLISH_SEGMENTS


def publish_segments_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Publish the gated members of `day`, export the current versions, write the report."""
    gate = read_step_summary(settings, day, GATE_STEP)
    if not gate or not gate.get("success"):
        raise DmpError(f"The segment gate has not passed for {day}: run gate_segments first (dmp runs show {day}).")
    evaluation = read_step_summary(settings, day, EVALUATE_STEP)
    members_df = staged_members(spark, settings, day)
    suppressed = 0
    if has_suppressions(settings):  # deleted people stay out, whatever earlier days qualified them for
        kept_df = without_suppressed_members(members_df, read_suppressed(spark, settings)).cache()
        suppressed = members_df.count() - kept_df.count()
        members_df = kept_df
    members_df = members_df.cache()
    published, exports = {}, {}
    with cassandra_session(settings) as session:
        segments = store.SegmentStore(session, settings.keyspace)
        for definition in definitions_of(settings):
            result = publish_segment(segments, settings, definition, day, members_of(members_df, definition.id))
            published[definition.id] = result.__dict__
        pointers = segments.pointers()
        for definition in definitions_of(settings):
            export_segment(spark, settings, definition, pointers[definition.id], day, evaluation["level"])
            exports[definition.id] = str(export_folder(settings, day, definition.id))
    members_df.unpersist()
    report = write_report(settings, day)
    summary = {"date": day.isoformat(), "published": published, "suppressed_members_skipped": suppressed,
               "exports": exports, "report": str(report)}
    write_step_summary(settings, day, PUBLISH_STEP, summary)
    print(f"segment report: {report}")
    return summary
