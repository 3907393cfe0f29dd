"""The Great Expectations gates on a generated day: passing days go through, broken batches stop.

A whole day runs in-process (one Spark session, the real Cassandra node); the broken batches are
the day's own staged datasets, damaged the way a bug or bad input would damage them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import yaml
from pyspark.sql import Window
from pyspark.sql import functions as F

from dmp.pipeline import staging, steps
from dmp.pipeline.day import ALL_STEPS, run_day
from dmp.pipeline.runs import read_day_summary, read_step_summary, write_step_summary
from dmp.quality.baseline import NO_HISTORY
from dmp.quality.gates import GateFailed, gate_named
from dmp.quality.runner import data_docs_index, run_gate

DAY = dt.date(2026, 11, 18)
AT = dt.datetime(2026, 11, 19, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def gated_day(spark, cql, generated_world, tmp_path_factory):
    """A generated day through every step and gate, with its own quality folder."""
    day_settings = dataclasses.replace(generated_world("gates", DAY, days=1, people=60, seed=7),
                                       quality_dir=tmp_path_factory.mktemp("quality"))
    return day_settings, run_day(spark, day_settings, DAY, tagged_at=AT)


def _events_of(cql, settings, users) -> int:
    return sum(cql.execute(f"SELECT COUNT(*) FROM {settings.keyspace}.events_by_user WHERE user_id = %s AND day = %s",
                           (user, DAY)).one()[0] for user in users)


def test_a_good_day_passes_every_gate_and_its_results_are_browsable(cql, gated_day):
    day_settings, results = gated_day
    assert list(results) == list(ALL_STEPS)
    gates = {"raw_events", "tagged_events", "interests", "keyword_index", "person_sketches"}
    for name in gates:
        gate = results[f"gate_{name}"]
        assert gate["success"] and gate["stopped"] is None
        assert all(suite["evaluated"] >= 5 and suite["failed"] == [] for suite in gate["suites"])
    index = data_docs_index(day_settings)
    assert index.is_file() and DAY.isoformat() in index.read_text(), "the Data Docs list the day's runs"
    shown = read_day_summary(day_settings, DAY)
    assert set(shown["gates"]) == gates
    assert shown["stored"] == results["store_events"]["stored"] == shown["accepted"]


def _ignore_everything(tmp_path):
    """A rules file whose first rule ignores every host: a slip that leaves almost every page untagged."""
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"rules": [{"host": "*", "theme": "ignore"}]}))
    return path


def test_a_day_tagged_below_the_coverage_floor_stops_before_anything_is_stored(spark, cql, gated_day, tmp_path):
    day_settings, results = gated_day
    strict = dataclasses.replace(day_settings, rules_file=_ignore_everything(tmp_path), runs_dir=tmp_path / "runs",
                                 staging_dir=str(tmp_path / "staging"))
    assert results["tag_events"]["events_coverage"] > day_settings.min_tagged_share
    cql.execute(f"TRUNCATE {strict.keyspace}.events_by_user")

    with pytest.raises(GateFailed, match=r"tagged_events: expect_column_values_to_not_be_in_set on theme"):
        run_day(spark, strict, DAY, tagged_at=AT)

    figures = read_step_summary(strict, DAY, "gate_tagged_events")
    (failed,) = figures["suites"][0]["failed"]
    assert failed["column"] == "theme" and failed["unexpected_count"] > 0
    assert failed["partial_unexpected_list"] == ["unknown"] * len(failed["partial_unexpected_list"]) != []
    assert read_step_summary(strict, DAY, "store_events") is None, "nothing after the failed gate ran"
    users = [row.user_id for row in spark.read.parquet(strict.staged(DAY, staging.EVENTS)).select("user_id").distinct().collect()]
    assert _events_of(cql, strict, users) == 0


def _damaged_copy(spark, settings, tmp_path, dataset: str, damage):
    """Settings whose staging holds the day's datasets with `dataset` replaced by `damage(frame)`."""
    damaged = dataclasses.replace(settings, staging_dir=str(tmp_path / "staging"), runs_dir=tmp_path / "runs")
    for name in (staging.DAILY_INTERESTS, staging.LIFETIME_INTERESTS):
        frame = spark.read.parquet(settings.staged(DAY, name))
        staging.write_staged(damage(frame) if name == dataset else frame, damaged, DAY, name)
    (tmp_path / "runs" / DAY.isoformat()).mkdir(parents=True)
    for step in ("store_events", "tag_events", "validate_events"):
        (tmp_path / "runs" / DAY.isoformat() / f"{step}.json").write_text(
            json.dumps(read_step_summary(settings, DAY, step)))
    return damaged


def test_interests_that_do_not_reconcile_with_the_stored_events_fail_the_gate(spark, gated_day, tmp_path):
    day_settings, _ = gated_day
    doubled = _damaged_copy(spark, day_settings, tmp_path, staging.DAILY_INTERESTS,
                            lambda frame: frame.withColumn("events", F.col("events") * 2))
    with pytest.raises(GateFailed, match=r"daily_interests: expect_column_sum_to_be_between on events"):
        run_gate(spark, doubled, DAY, gate_named("interests"))


def test_a_nan_or_negative_lifetime_score_fails_the_gate(spark, gated_day, tmp_path):
    day_settings, _ = gated_day
    broken = _damaged_copy(spark, day_settings, tmp_path, staging.LIFETIME_INTERESTS, lambda frame: frame.withColumn(
        "score", F.when(F.monotonically_increasing_id() % 2 == 0, F.lit(float("nan"))).otherwise(F.lit(-1.0))))
    with pytest.raises(GateFailed) as failure:
        run_gate(spark, broken, DAY, gate_named("interests"))
    assert "lifetime_interests: expect_column_values_to_be_between on score" in str(failure.value)
    figures = read_step_summary(broken, DAY, "gate_interests")
    assert [suite["success"] for suite in figures["suites"]] == [True, False]


def _raw_copy(spark, settings, tmp_path, damage=lambda frame: frame, history=()):
    """Settings whose staging holds the day's events as `damage` leaves them, with figures to match and
    validation figures of earlier days, (events, users) for each day back from the day before."""
    copy = dataclasses.replace(settings, staging_dir=str(tmp_path / "staging"), runs_dir=tmp_path / "runs")
    staged_df = staging.write_staged(damage(spark.read.parquet(settings.staged(DAY, staging.EVENTS))), copy, DAY,
                                     staging.EVENTS)
    figures = read_step_summary(settings, DAY, steps.VALIDATE_EVENTS)
    write_step_summary(copy, DAY, steps.VALIDATE_EVENTS, {**figures, "staged": staged_df.count()})
    for offset, (events, users) in enumerate(history, start=1):
        write_step_summary(copy, DAY - dt.timedelta(days=offset), steps.VALIDATE_EVENTS,
                           {"staged": events, "users": users, "stopped": None})
    return copy, figures


def test_a_first_day_without_history_passes_the_raw_gate_and_says_so(gated_day):
    _, results = gated_day
    gate = results["gate_raw_events"]
    assert gate["success"] and gate["parameters"]["volume_baseline"] == NO_HISTORY
    assert gate["parameters"]["max_events"] is None


def test_a_day_within_its_trailing_median_passes_and_one_far_below_fails(spark, gated_day, tmp_path):
    day_settings, _ = gated_day
    figures = read_step_summary(day_settings, DAY, steps.VALIDATE_EVENTS)
    usual = (figures["staged"], figures["users"])
    # Six usual days and one outlier ten times bigger: the median ignores the outlier.
    steady, _ = _raw_copy(spark, day_settings, tmp_path / "steady", history=[usual] * 6 + [(usual[0] * 10, usual[1] * 10)])
    passed = run_gate(spark, steady, DAY, gate_named("raw_events"))
    assert passed["success"] and "median of 7 earlier day(s)" in passed["parameters"]["volume_baseline"]

    shrunk, _ = _raw_copy(spark, day_settings, tmp_path / "shrunk", history=[(usual[0] * 10, usual[1] * 10)] * 3)
    with pytest.raises(GateFailed) as failure:
        run_gate(spark, shrunk, DAY, gate_named("raw_events"))
    assert "raw_events: expect_table_row_count_to_be_between" in str(failure.value)
    assert "raw_events: expect_column_unique_value_count_to_be_between on user_id" in str(failure.value)


def test_duplicate_event_ids_and_too_many_late_events_fail_the_raw_gate(spark, gated_day, tmp_path):
    day_settings, _ = gated_day
    evening_before = dt.datetime.combine(DAY, dt.time()) - dt.timedelta(minutes=30)
    first_id = spark.read.parquet(day_settings.staged(DAY, staging.EVENTS)).first().event_id
    row = F.row_number().over(Window.orderBy("event_id"))

    def damage(frame):
        numbered_df = frame.withColumn("row", row)
        return numbered_df.withColumn("event_id", F.when(F.col("row") == 2, F.lit(first_id)).otherwise(F.col("event_id"))) \
            .withColumn("ts", F.when(F.col("row") % 3 == 0, F.lit(evening_before)).otherwise(F.col("ts"))).drop("row")

    damaged, _ = _raw_copy(spark, day_settings, tmp_path, damage)
    with pytest.raises(GateFailed) as failure:
        run_gate(spark, damaged, DAY, gate_named("raw_events"))
    assert "raw_events: expect_column_values_to_be_unique on event_id" in str(failure.value)
    assert "raw_events: expect_column_values_to_be_between on ts" in str(failure.value)
