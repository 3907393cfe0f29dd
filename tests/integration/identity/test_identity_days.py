"""Three generated days through identity on the real stack: known graphs, the CRM, consent, the email scan, truth.

The stage, its gate and its publish run in-process on the shared Spark session after each day's
interests are published, as the DAG runs them. On top of the generated days (`conftest.py`):
a chain (A-x, B-x, B-y, C-y), a star, a cycle of id-syncs, two persons merging on day 3 (the
older id survives), a split by a revoked sync, a giant sync chain over the cap, an email shared
by too many cookies, blocked emails, Gmail spellings of one address, CRM rows that are newer or
older than the stored one, and a consent withdrawal. Persons of the generated cookies are then
checked against the generator's truth (precision and recall of the pairs of cookies merged).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from dmp.identity.scan import scan_frame, scan_tables
from dmp.identity.truth import describe, merge_quality
from dmp.pipeline import steps
from dmp.pipeline.day import run_day
from dmp.pipeline.runs import read_day_summary
from dmp.storage import tables
from dmp.storage.identity import IdentityStore

START = dt.date(2026, 12, 1)
DAYS, PEOPLE, SEED = 3, 120, 31
MAX_IDS_PER_PERSON = 30
GIANT = 40  # cookies in one sync chain: over the cap, so its edges are left out
SHARED = 25  # cookies logging in with one address: over the ids-per-email cap (20)
URL = "https://www.example.org/identity/page-{n}"
CLEARED_TABLES = (*tables.IDENTITY_TABLES, tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS)


def day_of(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


def _login(day: dt.date, user: str, email: str, minute: int) -> dict:
    return {"user_id": user, "ts": f"{day.isoformat()}T10:{minute % 60:02d}:00Z", "url": URL.format(n=minute),
            "referrer": None, "event_type": "login", "email": email, "partner_id": "p-test"}


# Logins per day offset: (cookie, email as typed). The emails are messy on purpose.
LOGINS = {
    0: [("k-chain-a", "Ann@Chain.example"), ("k-chain-b", " ann@chain.example"), ("k-chain-b", "y@chain.example"),
        ("k-chain-c", "Y@CHAIN.example"),
        *[(f"k-star-{n}", "star@star.example") for n in range(5)],
        ("k-merge-2", "n@merge.example"),
        ("k-blocked-1", "test@test.com"), ("k-blocked-2", "TEST@test.com "),
        ("k-gmail-1", "Jane.Doe+news@gmail.com"),
        *[(f"k-shared-{n}", "desk@shop.example") for n in range(SHARED)]],
    1: [("k-merge-1", "m@merge.example"), ("k-gmail-2", "janedoe@gmail.com")],
    2: [("k-merge-2", "m@merge.example"), ("k-chain-a", "ann@chain.example")],
}
SYNCS = {
    0: [("k-cycle-1", "k-cycle-2", "sync"), ("k-cycle-2", "k-cycle-3", "sync"), ("k-cycle-3", "k-cycle-1", "sync"),
        ("k-split-1", "k-split-2", "sync"), ("k-split-2", "k-split-3", "sync"),
        *[(f"k-giant-{n}", f"k-giant-{n + 1}", "sync") for n in range(GIANT - 1)],
        ("k-bad", "k-bad", "sync"), ("", "k-bad", "sync")],
    2: [("k-split-2", "k-split-3", "revoke")],
}
CRM_HEADER = "customer_id,email,country,loyalty_tier,consent_marketing,consent_updated_at,updated_at"
CRM = {
    0: ["k-cust-1,ann@chain.example,FR,silver,true,2026-11-01T00:00:00Z,2026-11-01T00:00:00Z",
        "k-cust-2,n@merge.example,GB,none,true,2026-11-01T00:00:00Z,2026-11-01T00:00:00Z",
        ",nobody@crm.example,US,none,true,2026-11-01T00:00:00Z,",
        "k-cust-bad,z@crm.example,US,none,maybe,2026-11-01T00:00:00Z,"],
    1: ["k-cust-1,ann@chain.example,FR,gold,true,2026-11-01T00:00:00Z,2026-12-02T00:00:00Z",
        "k-cust-2,n@merge.example,GB,none,false,2026-10-01T00:00:00Z,2026-10-01T00:00:00Z"],
    2: ["k-cust-1,ann@chain.example,FR,gold,false,2026-12-03T08:00:00Z,2026-12-03T08:00:00Z"],
}


def write_scenario(landing: Path) -> None:
    """Add the known graphs to the generated landing folder: logins, CRM updates, id-syncs."""
    for offset, logins in LOGINS.items():
        day = day_of(offset)
        with gzip.open(landing / day.isoformat() / "identity-cases.jsonl.gz", "wt") as out:
            for minute, (user, email) in enumerate(logins):
                out.write(json.dumps(_login(day, user, email, minute)) + "\n")
    for offset, rows in SYNCS.items():
        folder = landing / "idsync" / day_of(offset).isoformat()
        folder.mkdir(parents=True)
        (folder / "partner.csv").write_text("id_a,id_b,action\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    for offset, rows in CRM.items():
        folder = landing / "crm" / day_of(offset).isoformat()
        folder.mkdir(parents=True)
        (folder / "updates.csv").write_text(CRM_HEADER + "\n" + "".join(row + "\n" for row in rows))


TIME_LIMIT_SECONDS = 900  # a Spark job that waits forever fails the test instead of hanging the suite


@pytest.fixture
def time_limit():
    """Fail the test (TimeoutError, raised even inside a py4j call) after TIME_LIMIT_SECONDS."""
    import signal

    def expire(signum, frame):
        raise TimeoutError(f"the identity test ran over {TIME_LIMIT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TIME_LIMIT_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def identity_world(cql, settings, generated_world):
    """Settings for the world, with the identity tables (and the interests they read) empty before and after."""
    import dataclasses

    from dmp.identity.config import Caps

    for table in CLEARED_TABLES:
        cql.execute(f"TRUNCATE {settings.keyspace}.{table}")
    world = generated_world("identity", START, days=DAYS, people=PEOPLE, seed=SEED)
    landing = Path(world.landing_dir)
    write_scenario(landing)
    identity = dataclasses.replace(world.identity, caps=Caps(max_ids_per_person=MAX_IDS_PER_PERSON),
                                   crm_dir=str(landing / "crm"), idsync_dir=str(landing / "idsync"))
    world = dataclasses.replace(world, identity=identity)
    yield world
    for table in CLEARED_TABLES:
        cql.execute(f"TRUNCATE {world.keyspace}.{table}")


STEPS = (steps.VALIDATE_EVENTS, steps.TAG_EVENTS, steps.STORE_EVENTS, steps.DAILY_INTERESTS, steps.LIFETIME_INTERESTS,
         steps.PUBLISH_INTERESTS, steps.IDENTITY, steps.gate_step(steps.IDENTITY_GATE), steps.PUBLISH_IDENTITY)
TAGGED_AT = dt.datetime(2026, 12, 10, tzinfo=dt.timezone.utc)


def _person_of(cql, keyspace: str, typed_id: str) -> str | None:
    row = cql.execute(f"SELECT person_id FROM {keyspace}.person_by_id WHERE id = %s", (typed_id,)).one()
    return row.person_id if row else None


def _person(cql, keyspace: str, person_id: str):
    return cql.execute(f"SELECT * FROM {keyspace}.persons WHERE person_id = %s", (person_id,)).one()


def _users(cql, keyspace: str, *cookies: str) -> set[str | None]:
    return {_person_of(cql, keyspace, f"user:{cookie}") for cookie in cookies}


def test_three_days_of_identity(spark, cql, identity_world, time_limit, capsys):
    world, ks = identity_world, identity_world.keyspace
    figures = {}
    for offset in range(DAYS):
        figures[offset] = run_day(spark, world, day_of(offset), steps=STEPS, tagged_at=TAGGED_AT)[steps.IDENTITY]
        if offset == 1:
            merge_pair = (_person_of(cql, ks, "user:k-merge-1"), _person_of(cql, ks, "user:k-merge-2"))
            split_person = _person_of(cql, ks, "user:k-split-3")
    first = figures[0]

    # Chains, stars and cycles are one person each, transitively.
    chain = _users(cql, ks, "k-chain-a", "k-chain-b", "k-chain-c")
    assert len(chain) == 1 and None not in chain
    assert len(_users(cql, ks, *(f"k-star-{n}" for n in range(5)))) == 1
    assert len(_users(cql, ks, "k-cycle-1", "k-cycle-2", "k-cycle-3")) == 1
    assert len(_users(cql, ks, "k-gmail-1", "k-gmail-2")) == 1, "Gmail's dots and +tags are one address"
    # Guards: blocked emails join nobody; a shared address and a giant component are left out and reported.
    assert len(_users(cql, ks, "k-blocked-1", "k-blocked-2")) == 2
    assert len(_users(cql, ks, *(f"k-shared-{n}" for n in range(SHARED)))) == SHARED
    assert len(_users(cql, ks, *(f"k-giant-{n}" for n in range(GIANT)))) == GIANT
    assert first["left_out_edges"] == {"ids_per_email": SHARED, "ids_per_person": GIANT - 1}
    assert first["syncs"]["quarantined_by_reason"] == {"blocked_or_missing_id": 1, "same_id": 1}
    assert first["crm"]["quarantined_by_reason"] == {"invalid_consent": 1, "missing_customer_id": 1}
    assert first["crm"]["read"] == first["crm"]["accepted"] + first["crm"]["quarantined"]

    # Two persons merge on day 3: the older (created on day 1) survives, the merge is recorded with its edge.
    older, younger = merge_pair[1], merge_pair[0]
    assert older != younger and _users(cql, ks, "k-merge-1", "k-merge-2") == {older}
    merges = list(cql.execute(f"SELECT * FROM {ks}.person_merges WHERE person_id = %s", (younger,)))
    assert [(m.kind, m.loser, m.winner, m.day, m.role) for m in merges] == [("merge", younger, older, day_of(2), "loser")]
    assert {merges[0].edge_src, merges[0].edge_dst} & {"user:k-merge-2"}
    assert _person(cql, ks, younger) is None, "the loser's row is gone"
    # A revoked sync splits a person: the part with the oldest id keeps the id, the split is recorded.
    assert _person_of(cql, ks, "user:k-split-1") == _person_of(cql, ks, "user:k-split-2") == split_person
    new_part = _person_of(cql, ks, "user:k-split-3")
    assert new_part != split_person
    assert figures[2]["splits"] == 1 and figures[2]["merges"] >= 1, "generated cookies join their persons too"

    # The CRM: the newest row wins (a later-arriving older row does not), consent withdrawal is kept.
    chain_person = _person(cql, ks, chain.pop())
    assert chain_person.attributes["loyalty_tier"] == "gold" and chain_person.customer_ids == {"k-cust-1"}
    assert chain_person.has_consent is False and chain_person.consent_updated == dt.datetime(2026, 12, 3, 8)
    merged_person = _person(cql, ks, older)
    assert merged_person.has_consent is True and merged_person.customer_ids == {"k-cust-2"}
    assert merged_person.ids == {"k-merge-1", "k-merge-2"} and len(merged_person.email_sha256) == 2
    interests = list(cql.execute(f"SELECT day FROM {ks}.person_daily_interests WHERE person_id = %s", (older,)))
    assert {row.day.date() for row in interests} == {day_of(0), day_of(1), day_of(2)}, "the loser's days moved to the winner"

    # Re-running the last day gives the same ids and the same recorded changes.
    before = {row.id: row.person_id for row in cql.execute(f"SELECT id, person_id FROM {ks}.person_by_id")}
    again = run_day(spark, world, day_of(2), steps=STEPS[6:])[steps.IDENTITY]
    after = {row.id: row.person_id for row in cql.execute(f"SELECT id, person_id FROM {ks}.person_by_id")}
    assert after == before and (again["merges"], again["splits"]) == (figures[2]["merges"], 1)
    assert read_day_summary(world, day_of(2))["identity"]["persons"] == again["persons"]

    _no_raw_email_anywhere(spark, world)
    _against_the_truth(cql, world, capsys)


def _no_raw_email_anywhere(spark, world) -> None:
    """The scan over every table and every staging and quarantine folder of the days finds nothing."""
    found = scan_tables(spark, world, (tables.EVENTS, tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS,
                                       tables.PAGE_INDEX, *tables.IDENTITY_TABLES))
    for folder in sorted(Path(world.staging_dir).glob("*/*")):
        found.append(scan_frame(str(folder), spark.read.parquet(str(folder))))
    for path in sorted(Path(world.quarantine_dir).rglob("*")):
        if path.is_file() and not path.name.startswith((".", "_")):
            found.append(scan_frame(str(path), spark.read.text(str(path))))
    assert len(found) > 20 and all(rows >= 0 for _, rows, _ in found)
    assert [(where, leaks) for where, _, leaks in found if leaks] == []
    # The scan itself sees an email when there is one.
    probe_df = spark.createDataFrame([("x", "Jane.Doe@example.com")], "a string, b string")
    assert scan_frame("probe", probe_df)[2] == 1


def _against_the_truth(cql, world, capsys) -> None:
    """Pairs of generated cookies put in one person, against the generator's people."""
    found, logged_in = IdentityStore(cql, world.keyspace).cookie_persons()
    quality = merge_quality(found, logged_in, PEOPLE, SEED)
    with capsys.disabled():
        print(f"\n{describe(quality)}")
    assert quality["merged_pairs"] and quality["precision"] >= 0.99
    assert quality["linkable_recall"] == 1.0 and 0 < quality["recall"] <= 1
