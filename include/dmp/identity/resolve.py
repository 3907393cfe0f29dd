"""From identity edges to components, under the caps that keep shared computers from merging crowds.

Three guards leave edges out, and report them, instead of merging through them: an email tied to
more ids than `max_ids_per_email` (a shop counter's address, a family's), a cookie that logged in
with more emails than `max_emails_per_cookie` (a shared or public computer), and a component with
more ids than `max_ids_per_person` (a giant component: its edges are all left out and its ids stay
apart until the cause is found). Components come from scipy on the driver up to
`local_max_edges` edges and from the large-star/small-star iteration in Spark above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from dmp.identity.components import local_components
from dmp.identity.config import Caps
from dmp.identity.graph import EMAIL, SEPARATOR, USER
from dmp.identity.spark_components import spark_components

IDS_PER_EMAIL = "ids_per_email"
EMAILS_PER_COOKIE = "emails_per_cookie"
IDS_PER_PERSON = "ids_per_person"
LOCAL_METHOD = "scipy"
SPARK_METHOD = "spark_large_small_star"


@dataclass(frozen=True)
class Resolution:
    labels_df: DataFrame  # node, component
    kept_df: DataFrame  # the edges the components came from
    left_out_df: DataFrame  # the edges left out, with `reason`
    figures: dict
    cached: tuple[DataFrame, ...] = ()

    def release(self) -> None:
        """Drop the cached frames (once the results are written): a later day must not meet them."""
        for frame in self.cached:
            frame.unpersist()


def _is_type(column: str, node_type: str):
    return F.col(column).startswith(node_type + SEPARATOR)


def _oriented(edges_df: DataFrame) -> DataFrame:
    """Each edge twice, as (node, other), with the edge's own (src, dst) kept."""
    return edges_df.select("src", "dst", F.col("src").alias("node"), F.col("dst").alias("other")).unionByName(
        edges_df.select("src", "dst", F.col("dst").alias("node"), F.col("src").alias("other")))


def degree_capped(edges_df: DataFrame, caps: Caps) -> tuple[DataFrame, DataFrame]:
    """(kept, left out with `reason`) after the per-email and per-cookie caps."""
    sides_df = _oriented(edges_df.select("src", "dst"))
    email_df = sides_df.where(_is_type("node", EMAIL))
    busy_emails_df = email_df.groupBy("node").agg(F.countDistinct("other").alias("ids")).where(
        F.col("ids") > caps.max_ids_per_email).select("node")
    cookie_email_df = sides_df.where(_is_type("node", USER) & _is_type("other", EMAIL))
    busy_cookies_df = cookie_email_df.groupBy("node").agg(F.countDistinct("other").alias("emails")).where(
        F.col("emails") > caps.max_emails_per_cookie).select("node")
    left_out_df = (
        email_df.join(busy_emails_df, on="node", how="left_semi").select("src", "dst", F.lit(IDS_PER_EMAIL).alias("reason"))
        .unionByName(cookie_email_df.join(busy_cookies_df, on="node", how="left_semi")
                     .select("src", "dst", F.lit(EMAILS_PER_COOKIE).alias("reason")))
        .groupBy("src", "dst").agg(F.min("reason").alias("reason"))
    )
    kept_df = edges_df.join(left_out_df.select("src", "dst"), on=["src", "dst"], how="left_anti")
    return kept_df, edges_df.join(left_out_df, on=["src", "dst"], how="inner")


def components_of(edges_df: DataFrame, nodes_df: DataFrame, local_max_edges: int) -> tuple[DataFrame, dict]:
    """(node, component) for the graph, by scipy up to `local_max_edges` edges, by Spark above."""
    edge_count = edges_df.count()
    if edge_count <= local_max_edges:
        edges = edges_df.select("src", "dst").toPandas()
        nodes = nodes_df.select("node").toPandas()["node"]
        labels = local_components(edges, nodes)
        spark = edges_df.sparkSession
        labels_df = spark.createDataFrame(labels, "node string, component string") if len(labels) else \
            spark.createDataFrame([], "node string, component string")
        return labels_df, {"method": LOCAL_METHOD, "edges": edge_count}
    labels_df, rounds = spark_components(edges_df, nodes_df)
    return labels_df, {"method": SPARK_METHOD, "edges": edge_count, "rounds": rounds}


def resolve(edges_df: DataFrame, nodes_df: DataFrame, caps: Caps, local_max_edges: int) -> Resolution:
    """Components of the capped graph; the edges of components over `max_ids_per_person` left out."""
    kept_df, left_out_df = degree_capped(edges_df, caps)
    capped_df = kept_df = kept_df.cache()
    labels_df, figures = components_of(kept_df, nodes_df, local_max_edges)
    cached_labels_df = labels_df = labels_df.cache()
    sizes_df = labels_df.groupBy("component").agg(F.count(F.lit(1)).alias("size"))
    giant_df = sizes_df.where(F.col("size") > caps.max_ids_per_person).select("component")
    giant_nodes_df = labels_df.join(giant_df, on="component", how="left_semi").select("node")
    giant_edges_df = kept_df.join(giant_nodes_df.withColumnRenamed("node", "src"), on="src", how="left_semi")
    left_out_df = left_out_df.unionByName(giant_edges_df.withColumn("reason", F.lit(IDS_PER_PERSON)))
    kept_df = kept_df.join(giant_edges_df.select("src", "dst"), on=["src", "dst"], how="left_anti")
    labels_df = labels_df.join(giant_df.withColumn("is_giant", F.lit(True)), on="component", how="left").select(
        "node", F.when(F.col("is_giant"), F.col("node")).otherwise(F.col("component")).alias("component"))
    by_reason = {row["reason"]: row["count"] for row in left_out_df.groupBy("reason").count().collect()}
    largest = sizes_df.where(F.col("size") <= caps.max_ids_per_person).agg(F.max("size")).first()[0]
    figures.update({"left_out_edges": dict(sorted(by_reason.items())), "giant_components": giant_df.count(),
                    "largest_component": int(largest or 1)})
    return Resolution(labels_df, kept_df, left_out_df, figures, cached=(capped_df, cached_labels_df))
