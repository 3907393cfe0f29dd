"""A segment's rule, evaluated in Spark over the subjects of a day: who qualifies, with what score.

Every rule becomes a DataFrame of (subject_id, score, rule): the subjects it holds for, a score to
rank them (a theme's decayed events, a keyword rule's weight, 1 for an attribute) and the label of
the rule that matched. Everything derives from the daily interests of the window up to the run's
day and from the keyword index, never from an earlier run, so evaluating a day again gives the
same members, whatever other days ran since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from dmp.segments.rules import (
    DAYS_PER_WEEK, AllOf, AnyOf, AttributeRule, KeywordRule, Not, Rule, SegmentRef, ThemeRule,
)
from dmp.segments.subjects import Subjects

MATCH_COLUMNS = ("subject_id", "score", "rule")
ATTRIBUTE_SCORE = 1.0
RULE_SEPARATOR = " & "
# -> (subject_id, keyword, fields) within the rule's window; `fields` is the mask of the fields
# (`dmp.tagging.keywords.FIELD_BITS`) the subject met the keyword in.
KeywordHits = Callable[[KeywordRule], DataFrame]


@dataclass
class Context:
    """What rules are evaluated against on `day`."""

    day: dt.date
    subjects: Subjects
    half_life_days: int
    keyword_hits: KeywordHits
    segment_members: dict[str, DataFrame] = field(default_factory=dict)  # earlier segments of the run


def _age() -> Column:
    return F.col("age")


def _aged(ctx: Context) -> DataFrame:
    return ctx.subjects.interests_df.withColumn("age", F.datediff(F.lit(ctx.day), F.col("day")))


def theme_matches(rule: ThemeRule, ctx: Context) -> DataFrame:
    """Subjects whose interest in the theme (or a child theme) meets every condition of the rule."""
    window_df = _aged(ctx).where((_age() >= 0) & (_age() < rule.window_days))
    totals_df = window_df.groupBy("subject_id").agg(F.sum("events").alias("all_events"))
    decay = F.pow(F.lit(0.5), _age() / F.lit(ctx.half_life_days))
    stats_df = window_df.where(F.col("theme").isin(list(rule.themes))).groupBy("subject_id").agg(
        F.sum("events").alias("events"), F.countDistinct("day").alias("active_days"),
        F.sum(F.col("events") * decay).alias("decayed")).join(totals_df, on="subject_id", how="inner")
    conditions = [F.lit(True)]
    if rule.min_active_days is not None:
        conditions.append(F.col("active_days") >= rule.min_active_days)
    if rule.min_events is not None:
        conditions.append(F.col("events") >= rule.min_events)
    if rule.min_share is not None:
        conditions.append(F.col("events") / F.col("all_events") >= rule.min_share)
    if rule.min_decayed_score is not None:
        conditions.append(F.col("decayed") >= rule.min_decayed_score)
    matched_df = stats_df.where(reduce(lambda a, b: a & b, conditions))
    if rule.regularly is not None:
        matched_df = matched_df.join(_regular_subjects(rule, ctx), on="subject_id", how="inner")
    return matched_df.select("subject_id", F.col("decayed").cast("double").alias("score"), F.lit(rule.label).alias("rule"))


def _regular_subjects(rule: ThemeRule, ctx: Context) -> DataFrame:
    """Subjects with at least X events of the themes in at least K of the last N weeks."""
    regularly = rule.regularly
    weeks_df = _aged(ctx).where(F.col("theme").isin(list(rule.themes)) & (_age() >= 0)
                                & (_age() < regularly.weeks * DAYS_PER_WEEK))
    per_week_df = weeks_df.groupBy("subject_id", F.floor(_age() / DAYS_PER_WEEK).alias("week")).agg(
        F.sum("events").alias("events"))
    return per_week_df.where(F.col("events") >= regularly.min_events_per_week).groupBy("subject_id").agg(
        F.count(F.lit(1)).alias("weeks")).where(F.col("weeks") >= regularly.min_weeks).select("subject_id")


def field_weight(field_weights: tuple[tuple[str, float], ...], fields: Column) -> Column:
    """The weight of the heaviest field of a mask (`fields`) under a rule's field weights (0: none of
    them); every field weighs 1 when the rule gives no field weights."""
    from dmp.tagging.keywords import FIELD_BITS

    if not field_weights:
        return F.when(fields != 0, F.lit(1.0)).otherwise(F.lit(0.0))
    weights = [F.when(fields.bitwiseAND(F.lit(FIELD_BITS[name])) != 0, F.lit(float(weight))).otherwise(F.lit(0.0))
               for name, weight in field_weights]
    return weights[0] if len(weights) == 1 else F.greatest(*weights)


def keyword_matches(rule: KeywordRule, ctx: Context) -> DataFrame:
    """Subjects who met any (or all) of the keywords on visited pages or in searches, with enough
    weight: each keyword once, at its weight times that of the heaviest field it was met in."""
    spark = ctx.subjects.subjects_df.sparkSession
    weights_df = spark.createDataFrame(list(zip(rule.keywords, rule.weights)), "keyword string, weight double")
    met_df = ctx.keyword_hits(rule).groupBy("subject_id", "keyword").agg(F.bit_or("fields").alias("fields")).withColumn(
        "field_weight", field_weight(rule.field_weights, F.col("fields"))).where(F.col("field_weight") > 0)
    hits_df = met_df.join(F.broadcast(weights_df), on="keyword", how="inner").withColumn(
        "weight", F.col("weight") * F.col("field_weight"))
    summed_df = hits_df.groupBy("subject_id").agg(F.sum("weight").alias("weight"), F.count(F.lit(1)).alias("matched"))
    enough = F.col("matched") >= (len(rule.keywords) if rule.match == "all" else 1)
    return summed_df.where(enough & (F.col("weight") >= rule.min_weight)).select(
        "subject_id", F.col("weight").alias("score"), F.lit(rule.label).alias("rule"))


def _attribute_condition(rule: AttributeRule) -> Column:
    value = F.col("attributes").getItem(rule.attribute)
    if rule.operator == "=":
        return value == rule.values[0]
    if rule.operator == "!=":
        return value != rule.values[0]
    if rule.operator == "in":
        return value.isin(list(rule.values))
    if rule.operator == "not in":
        return ~value.isin(list(rule.values))
    ranks = F.create_map(*[F.lit(part) for rank, item in enumerate(rule.scale, start=1) for part in (item, rank)])
    position = F.coalesce(ranks.getItem(value), F.lit(0))
    threshold = rule.scale.index(rule.values[0]) + 1
    compare = {">=": position >= threshold, ">": position > threshold, "<=": position <= threshold,
               "<": position < threshold}
    return (position > 0) & compare[rule.operator]


def attribute_matches(rule: AttributeRule, ctx: Context) -> DataFrame:
    """Subjects whose CRM attribute compares as the rule says (no value: no match)."""
    return ctx.subjects.subjects_df.where(F.coalesce(_attribute_condition(rule), F.lit(False))).select(
        "subject_id", F.lit(ATTRIBUTE_SCORE).alias("score"), F.lit(rule.label).alias("rule"))


def _all_matches(rule: AllOf, ctx: Context) -> DataFrame:
    """Subjects every positive part holds for, minus those of any `not` part; the mean score."""
    positives = [evaluate_rule(child, ctx) for child in rule.rules if not isinstance(child, Not)]
    negatives = [evaluate_rule(child.rule, ctx) for child in rule.rules if isinstance(child, Not)]
    if positives:
        renamed = [frame.select("subject_id", F.col("score").alias(f"score_{index}"), F.col("rule").alias(f"rule_{index}"))
                   for index, frame in enumerate(positives)]
        joined_df = reduce(lambda left, right: left.join(right, on="subject_id", how="inner"), renamed)
        count = len(positives)
        matched_df = joined_df.select(
            "subject_id", (reduce(lambda a, b: a + b, [F.col(f"score_{i}") for i in range(count)]) / count).alias("score"),
            F.concat_ws(RULE_SEPARATOR, *[F.col(f"rule_{i}") for i in range(count)]).alias("rule"))
    else:
        matched_df = _everyone(rule.label, ctx)
    for negative_df in negatives:
        matched_df = matched_df.join(negative_df.select("subject_id"), on="subject_id", how="left_anti")
    return matched_df


def _any_matches(rule: AnyOf, ctx: Context) -> DataFrame:
    """Subjects any part holds for, with the best-scoring part as the rule that matched."""
    union_df = reduce(DataFrame.unionByName, [evaluate_rule(child, ctx) for child in rule.rules])
    best = Window.partitionBy("subject_id").orderBy(F.col("score").desc(), F.col("rule"))
    return union_df.withColumn("rank", F.row_number().over(best)).where(F.col("rank") == 1).select(*MATCH_COLUMNS)


def _everyone(label: str, ctx: Context) -> DataFrame:
    return ctx.subjects.subjects_df.select("subject_id", F.lit(0.0).alias("score"), F.lit(label).alias("rule"))


def evaluate_rule(rule: Rule, ctx: Context) -> DataFrame:
    """(subject_id, score, rule) of the subjects `rule` holds for on `ctx.day`."""
    if isinstance(rule, ThemeRule):
        return theme_matches(rule, ctx)
    if isinstance(rule, KeywordRule):
        return keyword_matches(rule, ctx)
    if isinstance(rule, AttributeRule):
        return attribute_matches(rule, ctx)
    if isinstance(rule, SegmentRef):
        return ctx.segment_members[rule.segment].select("subject_id", "score", F.lit(rule.label).alias("rule"))
    if isinstance(rule, AllOf):
        return _all_matches(rule, ctx)
    if isinstance(rule, AnyOf):
        return _any_matches(rule, ctx)
    return _everyone(rule.label, ctx).join(evaluate_rule(rule.rule, ctx).select("subject_id"), on="subject_id",
                                           how="left_anti")
