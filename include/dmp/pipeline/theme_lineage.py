"""A page of a child theme counts toward its parent: the taxonomy's `parent` in the daily figures.

A theme with `parent: sports` is a kind of sports, so a user who reads horse-riding pages is also
a sports reader: their daily interests, the lifetime interests derived from them and the theme
sketches of audience estimates count each such event under the theme and under every ancestor.
One transform does it where events become interests and theme sketches, so both agree. A day's
events are then counted more than once in all, but exactly once under the themes without a parent
(and 'unknown'): that is what reconciles with the stored events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from dmp.tagging.taxonomy import Taxonomy


def with_ancestor_themes(taxonomy: Taxonomy) -> Callable[[DataFrame], DataFrame]:
    """A transform: each row once under its `theme` and once more under each ancestor of that theme.

    Rows of a theme without a parent, of 'unknown' or with a null theme stay as they are.
    """
    lineages = {name: taxonomy.lineage(name) for name in taxonomy.names if taxonomy.ancestors(name)}

    def transform(frame: DataFrame) -> DataFrame:
        if not lineages:
            return frame
        by_theme = F.create_map(*(part for name, lineage in lineages.items()
                                  for part in (F.lit(name), F.array(*map(F.lit, lineage)))))
        return frame.withColumn("theme", F.explode(F.coalesce(by_theme[F.col("theme")], F.array(F.col("theme")))))

    return transform


def events_once(events_by_theme: Mapping[str, int], taxonomy: Taxonomy) -> int:
    """The events behind counts made with `with_ancestor_themes`: the sum over themes without a parent."""
    return sum(count for theme, count in events_by_theme.items() if not taxonomy.ancestors(theme))


def ancestor_rows(events_by_theme: Mapping[str, int], taxonomy: Taxonomy) -> int:
    """How many rows `with_ancestor_themes` adds to events counted once per theme (`events_by_theme`)."""
    return sum(count * len(taxonomy.ancestors(theme)) for theme, count in events_by_theme.items())
