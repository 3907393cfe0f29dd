"""The Spark forms of the identity rules against the driver's: same hashes, same partition, caps."""

import random

import pandas as pd
import pytest
from pyspark.sql import functions as F

from dmp.identity import columns
from dmp.identity.blocked import DEFAULT_BLOCKED_PATTERNS, DEFAULT_BLOCKED_VALUES, parse_block_list, usable_email_hash
from dmp.identity.components import local_components
from dmp.identity.emails import DEFAULT_EMAIL_RULES, parse_email_rules
from dmp.identity.resolve import EMAILS_PER_COOKIE, IDS_PER_EMAIL, IDS_PER_PERSON, Caps, resolve
from dmp.identity.spark_components import spark_components

RULES = parse_email_rules(DEFAULT_EMAIL_RULES)
BLOCKED = parse_block_list(DEFAULT_BLOCKED_VALUES, DEFAULT_BLOCKED_PATTERNS)
TYPED = [" Jane.Doe+x@GMail.com", "J.aneDoe@googlemail.com\t", "JOHN@Example.com ", "test@test.com", "nope", None,
         "+x@gmail.com", "a@b@c.fr", "Zoë.Ü@Exämple.fr"]


def test_spark_hashes_equal_python_hashes(spark):
    frame = spark.createDataFrame([(value,) for value in TYPED], "email string")
    hashed_df = columns.with_email_hash(frame, "email", RULES, BLOCKED, "email_hash")
    assert hashed_df.columns == ["email", "email_hash"]
    got = [row.email_hash for row in hashed_df.collect()]
    assert got == [usable_email_hash(value, RULES, BLOCKED) for value in TYPED]
    assert got[0] == got[1] is not None and got[3] is None and got[4] is None


def test_raw_lines_lose_their_emails(spark):
    frame = spark.createDataFrame([('{"email":"Jane.Doe@x.com","user_id":"c-1"',)], "line string")
    line = frame.select(columns.without_emails(F.col("line"))).first()[0]
    assert "Jane" not in line and "@" not in line and "c-1" in line


def test_a_megabyte_long_url_is_redacted_and_scanned_in_one_pass(spark):
    """A partner's 1M-character URL sits in quarantine: the stage's redaction and its scan must get through it.

    With a pattern that retries every position of a long run the scan is quadratic (hours here);
    the DAG run test's bad rows carry such a line too.
    """
    from dmp.identity.scan import scan_frame

    long_url = "https://x.org/" + "a" * 1_000_000
    frame = spark.createDataFrame([(long_url + " Jane.Doe@x.com",), (long_url,)], "line string")
    redacted = [row[0] for row in frame.select(columns.without_emails(F.col("line"))).collect()]
    assert redacted == [long_url + " " + columns.REDACTED_EMAIL, long_url]
    assert scan_frame("long", frame) == ("long", 2, 1)


def _random_graph(seed, nodes, edges):
    rng = random.Random(seed)
    names = [f"n{index:04d}" for index in range(nodes)]
    return pd.DataFrame([rng.sample(names, 2) for _ in range(edges)], columns=["src", "dst"])


@pytest.mark.parametrize(("seed", "nodes", "edges"), [(1, 60, 40), (2, 200, 190), (3, 120, 300)])
def test_large_small_star_gives_the_scipy_partition(spark, seed, nodes, edges):
    graph = _random_graph(seed, nodes, edges)
    expected = local_components(graph).sort_values("node").reset_index(drop=True)
    labels_df, rounds = spark_components(spark.createDataFrame(graph))
    got = labels_df.toPandas().sort_values("node").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert rounds >= 1


def _edges_df(spark, pairs):
    return spark.createDataFrame([(src, dst, "login") for src, dst in pairs], "src string, dst string, kind string")


def test_caps_leave_out_the_offending_edges(spark):
    shared_email = [(f"user:c{index}", "email:shared") for index in range(4)]  # 4 ids on one email
    shared_cookie = [("user:kiosk", f"email:e{index}") for index in range(3)]  # 3 emails on one cookie
    fine = [("user:a", "email:ea"), ("user:b", "email:ea")]
    edges_df = _edges_df(spark, shared_email + shared_cookie + fine)
    nodes_df = spark.createDataFrame([("user:alone",)], "node string")
    result = resolve(edges_df, nodes_df, Caps(max_ids_per_email=3, max_emails_per_cookie=2, max_ids_per_person=10),
                     local_max_edges=100)
    left_out = {(row["src"], row["dst"]): row["reason"] for row in result.left_out_df.collect()}
    assert left_out == {**dict.fromkeys(shared_email, IDS_PER_EMAIL), **dict.fromkeys(shared_cookie, EMAILS_PER_COOKIE)}
    labels = dict(result.labels_df.select("node", "component").collect())
    assert labels["user:a"] == labels["user:b"] == labels["email:ea"] and labels["user:alone"] == "user:alone"
    assert result.figures["left_out_edges"] == {EMAILS_PER_COOKIE: 3, IDS_PER_EMAIL: 4}
    assert result.kept_df.count() == 2


@pytest.mark.parametrize("local_max_edges", [100, 0])  # the driver path, then the Spark path
def test_the_giant_component_guard(spark, local_max_edges):
    chain = [(f"user:g{index}", f"user:g{index + 1}") for index in range(6)]  # 7 ids in one component
    edges_df = _edges_df(spark, chain + [("user:a", "user:b")])
    nodes_df = spark.createDataFrame([], "node string")
    result = resolve(edges_df, nodes_df, Caps(10, 10, max_ids_per_person=5), local_max_edges)
    labels = dict(result.labels_df.collect())
    assert all(labels[f"user:g{index}"] == f"user:g{index}" for index in range(7))
    assert labels["user:b"] == "user:a"
    assert result.figures["left_out_edges"] == {IDS_PER_PERSON: 6} and result.figures["giant_components"] == 1
    assert result.figures["method"] == ("scipy" if local_max_edges else "spark_large_small_star")
