"""Stable person ids: each component keeps the id its members already had.

Components change from day to day: new ids join, two persons turn out to be one (a merge), an
edge disappears and a person falls apart (a split). The rules, all deterministic so a re-run of
a day gives the same ids:

- a former person belongs to the component holding its oldest member (first seen, then node id);
- a component that holds no former person gets a new id from its label and the day;
- a component holding several former persons keeps the oldest (created first, then id), the
  others are merged into it: `person_merges` records loser, winner, day and an edge that joined
  them;
- members of a former person that ended up in other components (a split) take those components'
  ids, and the split is recorded with the kept id as winner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd

PERSON_ID_PREFIX = "p-"
PERSON_ID_HEX_CHARS = 20
MERGE = "merge"
SPLIT = "split"
CHANGE_COLUMNS = ("kind", "loser", "winner", "day", "edge_src", "edge_dst")


@dataclass(frozen=True)
class Assignment:
    """Person of every node, and the day's merges and splits."""

    persons: pd.DataFrame  # node, person_id
    changes: pd.DataFrame  # CHANGE_COLUMNS
    created: pd.DataFrame  # person_id, created: the persons new today


def new_person_id(label: str, day: dt.date) -> str:
    """A new person's id, from its component's label and the day (the same on a re-run)."""
    digest = hashlib.sha256(f"{label}|{day.isoformat()}".encode()).hexdigest()
    return PERSON_ID_PREFIX + digest[:PERSON_ID_HEX_CHARS]


def _owners(labels: pd.DataFrame, prior: pd.DataFrame) -> pd.DataFrame:
    """For each former person still present: the component holding its oldest member."""
    members = prior.merge(labels, on="node", how="inner")
    oldest = members.sort_values(["person_id", "first_seen", "node"]).drop_duplicates("person_id")
    return oldest[["person_id", "component"]]


def _crossing_edges(edges: pd.DataFrame, former: pd.Series) -> pd.DataFrame:
    """For each former person: one edge (the smallest) between one of its members and a node that was not."""
    src_former = edges["src"].map(former).fillna("")
    dst_former = edges["dst"].map(former).fillna("")
    crossing = edges.assign(src_former=src_former, dst_former=dst_former)[src_former != dst_former]
    sides = pd.concat([
        crossing[["src_former", "src", "dst"]].rename(columns={"src_former": "person_id"}),
        crossing[["dst_former", "src", "dst"]].rename(columns={"dst_former": "person_id"}),
    ])
    sides = sides[sides["person_id"] != ""].sort_values(["person_id", "src", "dst"])
    return sides.drop_duplicates("person_id").set_index("person_id")


def assign_person_ids(labels: pd.DataFrame, prior: pd.DataFrame, created: pd.DataFrame,
                      edges: pd.DataFrame, day: dt.date) -> Assignment:
    """Person ids for `labels` (node, component).

    `prior` (node, person_id, first_seen) is the former assignment, `created` (person_id,
    created) when each former person appeared, `edges` (src, dst) the graph the labels came from.
    """
    owners = _owners(labels, prior).merge(created, on="person_id", how="left")
    owners = owners.sort_values(["component", "created", "person_id"])
    winners = owners.drop_duplicates("component")[["component", "person_id"]]
    components = pd.DataFrame({"component": labels["component"].unique()})
    components = components.merge(winners, on="component", how="left")
    fresh = components["person_id"].isna()
    components.loc[fresh, "person_id"] = [new_person_id(label, day) for label in components.loc[fresh, "component"]]
    persons = labels.merge(components, on="component", how="left")[["node", "person_id"]]
    losers = owners[owners.duplicated("component")][["person_id", "component"]]
    changes = []
    if not losers.empty:
        crossing = _crossing_edges(edges, prior.set_index("node")["person_id"])
        winner_of = winners.set_index("component")["person_id"]
        for loser, component in losers.itertuples(index=False):
            edge = crossing.loc[loser] if loser in crossing.index else {"src": None, "dst": None}
            changes.append((MERGE, loser, winner_of[component], day, edge["src"], edge["dst"]))
    changes.extend(_splits(prior, persons, owners, day))
    new = pd.DataFrame({"person_id": components.loc[fresh, "person_id"], "created": day})
    return Assignment(persons, pd.DataFrame(changes, columns=list(CHANGE_COLUMNS)), new.reset_index(drop=True))


def _splits(prior: pd.DataFrame, persons: pd.DataFrame, owners: pd.DataFrame, day: dt.date) -> list[tuple]:
    """(split, new id, kept id, day, None, None) for each part a former person lost to another person."""
    moved = prior.merge(persons, on="node", how="inner", suffixes=("_former", ""))
    moved = moved[moved["person_id_former"] != moved["person_id"]]
    merged_away = set(owners["person_id"]) - set(persons["person_id"])
    kept = moved[~moved["person_id_former"].isin(merged_away)]
    pairs = kept[["person_id_former", "person_id"]].drop_duplicates().sort_values(["person_id_former", "person_id"])
    return [(SPLIT, part, former, day, None, None) for former, part in pairs.itertuples(index=False)]
