"""Components and stable person ids on small graphs with known answers (driver path, scipy)."""

import datetime as dt

import pandas as pd

from dmp.identity.components import local_components
from dmp.identity.person_ids import MERGE, SPLIT, assign_person_ids, new_person_id

DAY1 = dt.date(2026, 11, 1)
DAY2 = dt.date(2026, 11, 2)
NO_PRIOR = pd.DataFrame({"node": pd.Series([], dtype=object), "person_id": pd.Series([], dtype=object),
                         "first_seen": pd.Series([], dtype=object)})
NO_CREATED = pd.DataFrame({"person_id": pd.Series([], dtype=object), "created": pd.Series([], dtype=object)})


def _edges(*pairs):
    return pd.DataFrame(pairs, columns=["src", "dst"])


def _groups(labels):
    return sorted(sorted(group) for group in labels.groupby("component")["node"].apply(list))


def _run(edges, day, prior=NO_PRIOR, created=NO_CREATED, nodes=None):
    labels = local_components(edges, nodes)
    return assign_person_ids(labels, prior, created, edges, day)


def _as_prior(assignment, first_seen):
    persons = assignment.persons.assign(first_seen=assignment.persons["node"].map(first_seen))
    return persons, assignment.created


def test_chain_star_and_cycle_are_one_component_each():
    edges = _edges(("a", "x"), ("b", "x"), ("b", "y"), ("c", "y"),  # chain A-x, B-x, B-y, C-y
                   ("s", "l1"), ("s", "l2"), ("s", "l3"),  # star
                   ("k1", "k2"), ("k2", "k3"), ("k3", "k1"))  # cycle
    labels = local_components(edges, pd.Series(["alone"]))
    assert _groups(labels) == [["a", "b", "c", "x", "y"], ["alone"], ["k1", "k2", "k3"], ["l1", "l2", "l3", "s"]]
    assert set(labels["component"]) == {"a", "alone", "k1", "l1"}  # labelled by the smallest node


def test_new_components_get_ids_from_label_and_day():
    result = _run(_edges(("a", "x"), ("b", "x")), DAY1)
    assert set(result.persons["person_id"]) == {new_person_id("a", DAY1)}
    assert result.changes.empty and list(result.created["person_id"]) == [new_person_id("a", DAY1)]


def test_two_persons_merge_on_a_later_day_and_the_older_id_wins():
    day1 = _run(_edges(("b", "y"), ("a", "x")), DAY1)
    first_seen = {"a": DAY1, "x": DAY1, "b": DAY1, "y": DAY1}
    prior, created = _as_prior(day1, first_seen)
    person_a, person_b = new_person_id("a", DAY1), new_person_id("b", DAY1)
    created = created.assign(created=[DAY1, DAY1])
    day2 = _run(_edges(("b", "y"), ("a", "x"), ("x", "b")), DAY2, prior, created)
    winner, loser = sorted([person_a, person_b])  # created the same day: the smaller id is the older
    assert set(day2.persons["person_id"]) == {winner}
    merge = day2.changes.iloc[0]
    assert (merge["kind"], merge["loser"], merge["winner"], merge["day"]) == (MERGE, loser, winner, DAY2)
    assert {merge["edge_src"], merge["edge_dst"]} == {"x", "b"}
    assert day2.created.empty


def test_the_person_created_first_survives_a_merge_whatever_its_id():
    prior = pd.DataFrame({"node": ["a", "b"], "person_id": ["p-zzz", "p-aaa"], "first_seen": [DAY1, DAY2]})
    created = pd.DataFrame({"person_id": ["p-zzz", "p-aaa"], "created": [DAY1, DAY2]})
    result = _run(_edges(("a", "b")), DAY2, prior, created)
    assert set(result.persons["person_id"]) == {"p-zzz"}
    assert result.changes[["loser", "winner"]].values.tolist() == [["p-aaa", "p-zzz"]]


def test_a_split_keeps_the_id_with_the_oldest_member_and_records_it():
    prior = pd.DataFrame({"node": ["a", "x", "b"], "person_id": ["p-1"] * 3, "first_seen": [DAY2, DAY1, DAY2]})
    created = pd.DataFrame({"person_id": ["p-1"], "created": [DAY1]})
    result = _run(_edges(("a", "x")), DAY2, prior, created, nodes=pd.Series(["b"]))  # edge x-b revoked
    ids = result.persons.set_index("node")["person_id"]
    assert ids["a"] == ids["x"] == "p-1"  # x is the oldest member
    assert ids["b"] == new_person_id("b", DAY2)
    split = result.changes.iloc[0]
    assert (split["kind"], split["loser"], split["winner"]) == (SPLIT, ids["b"], "p-1")


def test_rerunning_a_day_gives_the_same_ids():
    edges = _edges(("a", "x"), ("b", "x"), ("c", "y"))
    first = _run(edges, DAY1)
    prior, created = _as_prior(first, dict.fromkeys(["a", "b", "c", "x", "y"], DAY1))
    again = _run(edges, DAY1, prior, created.assign(created=DAY1))
    pd.testing.assert_frame_equal(first.persons.sort_values("node").reset_index(drop=True),
                                  again.persons.sort_values("node").reset_index(drop=True))
    assert again.changes.empty and again.created.empty
