"""The day's edges against `identity_edges` read through the connector, as the identity stage reads it.

The connector turns a join on the table's partition key into direct reads; with a left join it
applied the stored side's filters after the join and dropped every edge it had not stored yet,
so identity never wrote an edge. This runs that join on the real node.
"""

from __future__ import annotations

import datetime as dt

from dmp.identity import edges as ed
from dmp.storage import tables
from dmp.storage.spark_io import read_table

DAY = dt.date(2026, 12, 5)
EARLIER = dt.date(2026, 11, 2)
STORED = [("user:k-seen", "user:k-seen-too", "sync"), ("email:e-old", "user:k-other-kind", "sync")]


def test_new_edges_are_kept_and_edges_seen_again_keep_their_first_day(spark, cql, settings, tmp_path):
    cql.execute(f"TRUNCATE {settings.keyspace}.{tables.IDENTITY_EDGES}")
    insert = cql.prepare(f"INSERT INTO {settings.keyspace}.{tables.IDENTITY_EDGES} "
                         "(node, other, kind, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)")
    for src, dst, kind in STORED:  # stored from both ends, as publish_identity writes them
        cql.execute(insert, (src, dst, kind, EARLIER, EARLIER))
        cql.execute(insert, (dst, src, kind, EARLIER, EARLIER))
    day_df = spark.createDataFrame([
        ("email:e-new", "user:k-new", "login"),  # never stored
        ("user:k-seen", "user:k-seen-too", "sync"),  # stored: keeps its first day
        ("email:e-old", "user:k-other-kind", "login"),  # stored under another kind: a new edge of its own
    ], "src string, dst string, kind string").selectExpr(
        "*", f"date'{DAY}' AS first_seen", f"date'{DAY}' AS last_seen", "CAST(NULL AS string) AS email_sha256",
        "CAST(NULL AS string) AS email_uid2")
    day_df.write.parquet(str(tmp_path / "day"))  # staged, as the stage's edges are: a file scan, not a local relation
    day_df = spark.read.parquet(str(tmp_path / "day"))
    try:
        stored_df = ed.stored_edges(read_table(spark, settings, tables.IDENTITY_EDGES))
        updated = {(row.src, row.dst, row.kind): (row.first_seen, row.last_seen)
                   for row in ed.updated_edges(day_df, stored_df).collect()}
    finally:
        cql.execute(f"TRUNCATE {settings.keyspace}.{tables.IDENTITY_EDGES}")
    assert updated == {
        ("email:e-new", "user:k-new", "login"): (DAY, DAY),
        ("user:k-seen", "user:k-seen-too", "sync"): (EARLIER, DAY),
        ("email:e-old", "user:k-other-kind", "login"): (DAY, DAY),
    }
