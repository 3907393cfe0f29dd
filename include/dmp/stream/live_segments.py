"""Real-time segment membership: the batch's users who now qualify, added to the current version.

For each definition marked `realtime: true` (one keyword or theme rule over the current day, see
`dmp.segments.definitions`), the batch's users are evaluated with the daily run's own rule code
(`dmp.segments.evaluate`, `dmp.segments.membership`) over the whole day so far: their day's
events read back from `events_by_user` (theme rules) and the day's keyword lists read from the
index (keyword rules), both already holding this batch. Those who qualify, and may be targeted
(consent, as `membership.consented` decides), are written under the segment's current version:
`users_by_segment` and `segments_by_user` entries with the version's TTL and the expiry
`membership_ttl_days` after today. Both are upserts by key, so a replayed batch writes the same.

With no current version yet, the stream records one for the day (status `stream`) whose run day is
the day before, so that the daily run, of the day before or of today, makes its own version current
over it. When the current version changes (the daily run published), the members the stream added
today under the version before are written again under the new one, so no one added between
midnight and the daily run's publish drops out of the lookups.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.pipeline.interests import daily_interests
from dmp.pipeline.theme_lineage import with_ancestor_themes
from dmp.segments.daily import definitions_of, index_hits
from dmp.segments.definitions import Definition
from dmp.segments.evaluate import Context
from dmp.segments.membership import consented, qualified_today
from dmp.segments.publish import version_ttl_seconds
from dmp.segments.subjects import user_subjects
from dmp.settings import Settings
from dmp.storage import segments as store
from dmp.storage import tables
from dmp.storage.session import cassandra_session
from dmp.storage.spark_io import read_table
from dmp.tagging.taxonomy import Taxonomy

log = logging.getLogger(__name__)
STREAM_STATUS = "stream"
STREAM_VERSION_SUFFIX = "stream"
DIGEST_CHARS = 8
MEMBER_COLUMNS = ("subject_id", "ids", "score", "rule", "last_qualified", "expires")


def realtime_definitions(settings: Settings) -> list[Definition]:
    """The segment definitions marked `realtime: true`."""
    return [definition for definition in definitions_of(settings) if definition.realtime]


def stream_version(definition: Definition, day: dt.date) -> str:
    return f"{day:%Y%m%d}-{definition.version[:DIGEST_CHARS]}-{STREAM_VERSION_SUFFIX}"


class LiveSegments:
    """The real-time segments of one stream, and the version each was last written under."""

    def __init__(self, settings: Settings, definitions: list[Definition], taxonomy: Taxonomy):
        self.settings = settings
        self.definitions = definitions
        self.taxonomy = taxonomy
        self.seen: dict[str, str] = {}  # segment -> version this process wrote under

    def current_versions(self, day: dt.date) -> dict[str, store.Pointer]:
        """Each real-time segment's current version, recording a stream version where there is none."""
        with cassandra_session(self.settings) as session:
            segments = store.SegmentStore(session, self.settings.keyspace)
            pointers = segments.pointers()
            for definition in self.definitions:
                if definition.id in pointers:
                    continue
                version, run_day = stream_version(definition, day), day - dt.timedelta(days=1)
                segments.record_version(store.VersionInfo(definition.id, version, run_day, definition.version, 0, 0,
                                                          STREAM_STATUS), version_ttl_seconds(self.settings, definition))
                segments.make_current(definition.id, version, None, run_day)
                pointers[definition.id] = store.Pointer(definition.id, version, None, run_day)
                log.info("segment %s had no version: the stream recorded %s", definition.id, version)
            return {definition.id: pointers[definition.id] for definition in self.definitions}

    def add_batch(self, spark: SparkSession, day: dt.date, tagged_events_df: DataFrame) -> dict[str, dict]:
        """Add the batch's qualifying users of `day` to every real-time segment; figures per segment."""
        if not self.definitions:
            return {}
        candidates_df = tagged_events_df.where(F.col("day") == F.lit(day)).select("user_id", "day").distinct()
        subjects = user_subjects(self._day_interests(spark, candidates_df).persist())
        ctx = Context(day, subjects, self.settings.interest_half_life_days, index_hits(self.settings, subjects, day))
        figures = {}
        pointers = self.current_versions(day)
        for definition in self.definitions:
            pointer = pointers[definition.id]
            carried = self._carry_over(spark, definition, pointer, day)
            members_df = consented(definition, qualified_today(definition, ctx).withColumn(
                "expires", F.date_add("last_qualified", definition.membership_ttl_days))).select(*MEMBER_COLUMNS)
            added = self._write(definition, pointer.version, members_df.persist())
            members_df.unpersist()
            figures[definition.id] = {"version": pointer.version, "added": added, "carried_over": carried}
        subjects.interests_df.unpersist()
        return figures

    def _day_interests(self, spark: SparkSession, candidates_df: DataFrame) -> DataFrame:
        """The candidates' interests over the whole day so far, from their stored events (this batch's too)."""
        events_df = read_table(spark, self.settings, tables.EVENTS).join(candidates_df, on=["user_id", "day"],
                                                                         how="inner")
        return daily_interests(events_df.select("user_id", "day", "url", "theme").transform(
            with_ancestor_themes(self.taxonomy)))

    def _write(self, definition: Definition, version: str, members_df: DataFrame) -> int:
        ttl = version_ttl_seconds(self.settings, definition)
        store.write_version_members(members_df, self.settings, definition.id, version, ttl)
        store.write_version_lookups(members_df, self.settings, definition.id, version, ttl)
        return members_df.count()

    def _carry_over(self, spark: SparkSession, definition: Definition, pointer: store.Pointer, day: dt.date) -> int:
        """Write today's stream-added members of the versions before `pointer` under it; how many."""
        if self.seen.get(definition.id) == pointer.version:
            return 0
        earlier = {self.seen.get(definition.id), pointer.previous} - {None, pointer.version}
        carried = 0
        for version in sorted(earlier):
            today_df = store.read_version_members(spark, self.settings, definition.id, version).where(
                F.col("last_qualified") == F.lit(day)).select(*MEMBER_COLUMNS).persist()
            carried += self._write(definition, pointer.version, today_df)
            today_df.unpersist()
        self.seen[definition.id] = pointer.version
        return carried
