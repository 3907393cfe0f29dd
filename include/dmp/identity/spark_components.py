"""Connected components in Spark, DataFrames only: the large-star / small-star iteration.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014): alternately, every
node links its larger neighbours to its smallest neighbour (large-star), and every node links
itself and its smaller neighbours to the smallest of them (small-star). Each round keeps the
components and shrinks their diameter; after O(log n) rounds every node points at its
component's smallest node, the label `dmp.identity.components` also uses. A round is a few joins
and aggregations (large-star: a union, a group-by and a join; small-star: a group-by and a join,
each then de-duplicated), with no driver-side state, so a cluster runs it as it is. Each round's
edges are checkpointed so the plan does not grow with the rounds.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

MAX_ROUNDS = 64


def _large_star(edges_df: DataFrame) -> DataFrame:
    """Each node's larger neighbours point at the smallest node of its closed neighbourhood."""
    both_df = edges_df.unionByName(edges_df.select(F.col("dst").alias("src"), F.col("src").alias("dst"))).distinct()
    smallest_df = both_df.groupBy("src").agg(F.least(F.min("dst"), F.col("src")).alias("smallest"))
    return (both_df.join(smallest_df, on="src", how="inner").where(F.col("dst") > F.col("src"))
            .select(F.col("dst").alias("src"), F.col("smallest").alias("dst")).distinct())


def _small_star(edges_df: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours point at the smallest of them."""
    oriented_df = edges_df.select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
    smallest_df = oriented_df.groupBy("src").agg(F.min("dst").alias("smallest"))
    joined_df = oriented_df.join(smallest_df, on="src", how="inner")
    linked_df = joined_df.select(F.col("dst").alias("src"), F.col("smallest").alias("dst")).unionByName(
        joined_df.select("src", F.col("smallest").alias("dst")))
    return linked_df.where(F.col("src") != F.col("dst")).distinct()


def _same_edges(left_df: DataFrame, right_df: DataFrame) -> bool:
    return left_df.exceptAll(right_df).isEmpty() and right_df.exceptAll(left_df).isEmpty()


def spark_components(edges_df: DataFrame, nodes_df: DataFrame | None = None) -> tuple[DataFrame, int]:
    """(node, component) for every node of `edges_df` (src, dst) and `nodes_df` (node); the rounds run."""
    current_df = edges_df.select("src", "dst").where(F.col("src") != F.col("dst")).distinct().localCheckpoint()
    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        next_df = _small_star(_large_star(current_df)).localCheckpoint()
        if _same_edges(current_df, next_df):
            current_df = next_df
            break
        current_df = next_df
    pointed_df = current_df.groupBy("src").agg(F.min("dst").alias("component"))
    roots_df = current_df.select(F.col("dst").alias("node")).distinct()
    all_nodes_df = edges_df.select(F.col("src").alias("node")).unionByName(edges_df.select(F.col("dst").alias("node")))
    if nodes_df is not None:
        all_nodes_df = all_nodes_df.unionByName(nodes_df.select("node"))
    labels_df = (all_nodes_df.unionByName(roots_df).distinct()
                 .join(pointed_df.withColumnRenamed("src", "node"), on="node", how="left")
                 .select("node", F.least(F.coalesce("component", "node"), F.col("node")).alias("component")))
    return labels_df, rounds
