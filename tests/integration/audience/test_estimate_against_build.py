"""Estimates against the exact build, on a generated day in the real node, at person level with consent.

A generated day goes through the pipeline's own steps (validated, tagged, keyword index published),
the generator's people become identity's `persons` (two in three with consent), the person-level
sketches are built, gated and published, and the Audience Builder's estimates of OR, AND and NOT
queries are compared with the segments' exact evaluation of the definitions it saves for them:
each exact size lies within the estimate's bounds (equal where the estimate says it is exact).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from pyspark.sql import functions as F

from dmp.audience.build import save_definition
from dmp.audience.expression import parse_query
from dmp.audience.service import AudienceService
from dmp.generate.population import build_population
from dmp.generate.run import load_pool
from dmp.pipeline import staging, steps
from dmp.pipeline.day import run_day
from dmp.segments.daily import evaluate_segments_day
from dmp.storage import tables

DAY = dt.date(2026, 12, 20)  # a day no other test writes
PEOPLE, SEED = 120, 33
MODEL_EPOCHS = 2
STEPS = (steps.VALIDATE_EVENTS, steps.TAG_EVENTS, steps.KEYWORD_INDEX, steps.PUBLISH_KEYWORD_INDEX,
         steps.PERSON_SKETCHES, steps.gate_step(steps.PERSON_SKETCHES_GATE), steps.PUBLISH_PERSON_SKETCHES)


def _write_persons(cql, keyspace: str) -> None:
    population = build_population(SEED, PEOPLE, len(load_pool(None, SEED).theme_names))
    ids_of: dict[int, set[str]] = {}
    for cookie, person in zip(population.cookie_ids, population.cookie_person.tolist()):
        ids_of.setdefault(person, set()).add(cookie)
    insert = cql.prepare(f"INSERT INTO {keyspace}.{tables.PERSONS} (person_id, ids, has_consent) VALUES (?, ?, ?)")
    for person, ids in ids_of.items():
        cql.execute(insert, (f"p{person}", ids, person % 3 != 0))


def _generated_day(root, audience_world):
    """One generated day, a model trained on its pages in a few passes (tags need not be good here)."""
    from dmp.generate import GenerateRequest, generate
    from dmp.generate.corpus import CORPUS_FILE
    from dmp.tagging.model import publish, train_model
    from dmp.tagging.training import DEFAULT_TRAINING

    generate(GenerateRequest(start=DAY, days=1, people=PEOPLE, out_dir=root / "landing", seed=SEED))
    model = train_model(root / "landing" / CORPUS_FILE, root / "models" / "v1",
                        dataclasses.replace(DEFAULT_TRAINING, epochs=MODEL_EPOCHS))
    publish(root / "models", model.path)
    return dataclasses.replace(audience_world, landing_dir=str(root / "landing"), model_dir=root / "models",
                               runs_dir=root / "runs", staging_dir=str(root / "staging"),
                               quarantine_dir=str(root / "quarantine"))


def test_estimates_hold_the_exact_builds_of_their_saved_segments(spark, cql, audience_world, tmp_path):
    world = _generated_day(tmp_path, audience_world)
    _write_persons(cql, world.keyspace)
    figures = run_day(spark, world, DAY, steps=STEPS, tagged_at=dt.datetime(2026, 12, 21, tzinfo=dt.timezone.utc))
    assert figures[steps.PERSON_SKETCHES]["person_sketches"] > 0
    assert figures[steps.gate_step(steps.PERSON_SKETCHES_GATE)]["success"]

    lists_df = staging.read_staged(spark, world, DAY, staging.USER_LISTS)
    top = [row["key"] for row in lists_df.where(F.col("kind") == "keyword").groupBy("key").agg(
        F.sum(F.size("users")).alias("users")).orderBy(F.desc("users"), "key").limit(3).collect()]
    queries = {"any-two": parse_query(top[:2], "any", 1, "page"),
               "all-two": parse_query(top[:2], "all", 1, "page"),
               "first-not-third": parse_query([top[0], f"-{top[2]}"], "any", 1, "page")}
    with AudienceService.open(world) as service:
        answers = {name: service.estimate(query, DAY) for name, query in queries.items()}
        for name, query in queries.items():
            save_definition(world, name, query, ttl_days=1)
    summary = evaluate_segments_day(spark, world, DAY)
    assert summary["level"] == "person"
    for name, answer in answers.items():
        exact = summary["segments"][name]["members"]
        size = answer.size
        assert answer.level == "person", name
        assert size.lower <= exact <= size.upper, (name, size, exact)
        if size.exact:
            assert size.estimate == exact, (name, size, exact)
    assert answers["any-two"].size.estimate > answers["all-two"].size.estimate > 0
