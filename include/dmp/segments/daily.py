"""The daily evaluation of every segment definition: staged members and the run's figures.

Runs after the interests (and, once merged, identity) in `audience_daily`. Segments are evaluated
in dependency order (a segment that excludes another comes after it), each day's qualifications
and members are staged as Parquet (`segment_qualified`, `segment_members`), and nothing reaches
Cassandra here: the segment gate checks the staged members, then publishing writes them.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.errors import InputError
from dmp.pipeline import staging
from dmp.pipeline import steps
from dmp.pipeline.runs import write_step_summary
from dmp.segments import profile
from dmp.segments.definitions import Definition, load_definitions
from dmp.segments.evaluate import Context
from dmp.segments.membership import consent_exclusions, consented, qualified_today, with_ttl
from dmp.segments.rules import KeywordRule, window_days
from dmp.segments.subjects import Subjects, build_subjects, member_ids
from dmp.settings import Settings
from dmp.storage import segments as store
from dmp.tagging.taxonomy import load_taxonomy

EVALUATE_STEP = steps.EVALUATE_SEGMENTS
QUALIFIED = staging.SEGMENT_QUALIFIED
MEMBERS = staging.SEGMENT_MEMBERS


def definitions_of(settings: Settings) -> list[Definition]:
    return load_definitions(settings.segments_dir, load_taxonomy(settings.taxonomy_file))


def index_hits(settings: Settings, subjects: Subjects, day: dt.date):
    """A keyword rule's (subject_id, keyword, fields) within its window, from the keyword index."""
    def hits(rule: KeywordRule) -> DataFrame:
        first = day - dt.timedelta(days=rule.window_days - 1)
        found = store.keyword_user_fields(settings, rule.keywords, first, day)
        rows = [(member, keyword, mask) for keyword, members in found.items() for member, mask in sorted(members.items())]
        hits_df = subjects.subjects_df.sparkSession.createDataFrame(rows, "id string, keyword string, fields int")
        return hits_df.join(member_ids(subjects.subjects_df), on="id", how="inner").select("subject_id", "keyword", "fields")

    return hits


def earlier_qualified(spark: SparkSession, settings: Settings, day: dt.date, days: int) -> DataFrame | None:
    """The staged qualifications of the `days` days before `day` that were evaluated."""
    frames = []
    for offset in range(1, days):
        try:
            frames.append(staging.read_staged(spark, settings, day - dt.timedelta(days=offset), QUALIFIED))
        except InputError:
            continue
    return reduce(DataFrame.unionByName, frames) if frames else None


def subjects_context(spark: SparkSession, settings: Settings, day: dt.date, definitions: list[Definition],
                     cached: bool = True) -> Context:
    """Rules' context for `day`: the subjects over the longest window, cached for the many rules that read them."""
    window = max((window_days(definition.rule) for definition in definitions), default=1)
    subjects = build_subjects(spark, settings, day, window)
    if cached:
        subjects = Subjects(subjects.level, subjects.subjects_df.cache(), subjects.interests_df.cache())
    return Context(day, subjects, settings.interest_half_life_days, index_hits(settings, subjects, day))


def evaluate_segments_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Evaluate every definition for `day`, stage qualifications and members; return the figures."""
    definitions = definitions_of(settings)
    ctx = subjects_context(spark, settings, day, definitions)
    earlier_df = earlier_qualified(spark, settings, day, max((d.membership_ttl_days for d in definitions), default=1))
    qualified, members, figures = [], [], {}
    for definition in definitions:
        qualified_df = qualified_today(definition, ctx).cache()
        candidates_df = with_ttl(definition, day, qualified_df, earlier_df, ctx.subjects.subjects_df).cache()
        members_df = consented(definition, candidates_df)
        ctx.segment_members[definition.id] = members_df
        qualified.append(qualified_df)
        members.append(members_df)
        figures[definition.id] = {
            "name": definition.name, "definition_version": definition.version,
            "consent_required": definition.consent_required, "membership_ttl_days": definition.membership_ttl_days,
            "qualified": qualified_df.count(), "members": members_df.count(),
            **consent_exclusions(definition, candidates_df),
        }
    staged_df = None
    if definitions:
        staging.write_staged(reduce(DataFrame.unionByName, qualified), settings, day, QUALIFIED)
        staged_df = staging.write_staged(reduce(DataFrame.unionByName, members), settings, day, MEMBERS)
    summary = {"date": day.isoformat(), "level": ctx.subjects.level,
               "subjects": ctx.subjects.subjects_df.count(), "segments": figures,
               **profile.profiles(spark, settings, day, staged_df, ctx.subjects.interests_df)}
    write_step_summary(settings, day, EVALUATE_STEP, summary)
    return summary


def staged_members(spark: SparkSession, settings: Settings, day: dt.date) -> DataFrame:
    return staging.read_staged(spark, settings, day, MEMBERS)


def members_of(members_df: DataFrame, segment_id: str) -> DataFrame:
    return members_df.where(F.col("segment_id") == segment_id)
