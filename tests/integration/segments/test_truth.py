"""A sustained-interest segment on generated days against the generator's truth: precision and recall.

The generator knows each person's interest shares (`dmp.generate.population`); a cookie is truly
interested in a theme when its person's share of that theme is at least TRUE_SHARE. Recall is
measured over the cookies active enough to be judged (active on at least MIN_ACTIVE_DAYS days of the
window): a cookie seen once cannot show a sustained interest, whatever its person reads.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dmp.generate.population import build_population
from dmp.generate.run import load_pool
from dmp.pipeline import steps
from dmp.pipeline.day import run_day
from dmp.segments.daily import evaluate_segments_day, staged_members

START = dt.date(2026, 11, 10)
DAYS, PEOPLE, SEED = 5, 150, 21
THEME = "automobile"
TRUE_SHARE = 0.25
MIN_SHARE = 0.15  # the rule asks less than the truth: a few days of reading show a noisy share
MIN_ACTIVE_DAYS = 3
# The days' interests as the DAG publishes them (segments read the stored daily interests).
STEPS = (steps.VALIDATE_EVENTS, steps.TAG_EVENTS, steps.STORE_EVENTS, steps.DAILY_INTERESTS, steps.LIFETIME_INTERESTS,
         steps.PUBLISH_INTERESTS)


def test_sustained_interest_precision_and_recall_against_the_generator(spark, cql, segment_world, generated_world,
                                                                        helpers, capsys):
    import dataclasses

    days = [START + dt.timedelta(days=offset) for offset in range(DAYS)]
    world = dataclasses.replace(generated_world("truth", START, days=DAYS, people=PEOPLE, seed=SEED),
                                segments_dir=segment_world.segments_dir, export_dir=segment_world.export_dir,
                                segment_reports_dir=segment_world.segment_reports_dir)
    for day in days:
        run_day(spark, world, day, steps=STEPS, tagged_at=dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc))
    helpers.define(world, "sustained", f"consent: not_required\nrule: {{theme: {THEME}, window_days: {DAYS}, "
                                       f"min_active_days: {MIN_ACTIVE_DAYS - 1}, min_share: {MIN_SHARE}}}\n")
    evaluate_segments_day(spark, world, days[-1])
    members = {row["subject_id"] for row in staged_members(spark, world, days[-1]).collect()}

    pool = load_pool(None, SEED)
    population = build_population(SEED, PEOPLE, len(pool.theme_names))
    shares = np.diff(np.c_[np.zeros(PEOPLE), population.interest_cdf], axis=1)[:, pool.theme_names.index(THEME)]
    person_of = dict(zip(population.cookie_ids, population.cookie_person.tolist()))
    interested = {cookie for cookie, person in person_of.items() if shares[person] >= TRUE_SHARE}
    active_days = {}
    for row in cql.execute(f"SELECT user_id, day FROM {world.keyspace}.user_daily_interests"):
        active_days.setdefault(row.user_id, set()).add(row.day)
    judged = {cookie for cookie, seen in active_days.items() if len(seen) >= MIN_ACTIVE_DAYS}
    truth = interested & judged

    precision = len(members & interested) / len(members)
    recall = len(members & truth) / len(truth)
    with capsys.disabled():
        print(f"\nsustained {THEME}: {len(members)} members, {len(truth)} truly interested and judged cookies, "
              f"precision {precision:.3f}, recall {recall:.3f}")
    assert members and truth
    assert precision >= 0.8 and recall >= 0.5
