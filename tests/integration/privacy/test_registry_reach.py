"""The registry's guard for tables other stages own: run where the table exists with the declared key, say so otherwise."""

from __future__ import annotations

from dmp.privacy.registry import ENTRIES, IDENTITY, PLATFORM, keyed, reach

SCRATCH = "privacy_scratch_owned_elsewhere"
# Partition-key columns that mean the rows are someone's (ids, persons, identity nodes).
PERSONAL_KEYS = ("user_id", "person_id", "id", "subject_id", "node", "src", "dst", "customer_id", "email_sha256")


def test_an_owned_elsewhere_table_is_reached_only_when_it_exists_with_the_declared_key(cql, settings):
    entry = keyed(SCRATCH, ("person_id",), lambda ctx: [], IDENTITY)
    ks = settings.keyspace
    cql.execute(f"DROP TABLE IF EXISTS {ks}.{SCRATCH}")
    assert reach(cql, ks, (entry,)).absent == (SCRATCH,)
    try:
        cql.execute(f"CREATE TABLE {ks}.{SCRATCH} (person_id text, day date, PRIMARY KEY ((person_id), day))")
        assert reach(cql, ks, (entry,)).entries == (entry,)
        cql.execute(f"DROP TABLE {ks}.{SCRATCH}")
        cql.execute(f"CREATE TABLE {ks}.{SCRATCH} (node text PRIMARY KEY, person_id text)")
        found = reach(cql, ks, (entry,))
        assert found.entries == () and found.unreachable == (f"{SCRATCH} (keyed by node, the entry deletes by person_id)",)
    finally:
        cql.execute(f"DROP TABLE IF EXISTS {ks}.{SCRATCH}")


def test_every_platform_table_of_the_keyspace_holding_people_has_an_entry(cql, settings):
    """A new table keyed by a user, person or id must get an entry, or a deletion would miss it."""
    declared = {entry.table for entry in ENTRIES}
    personal = set()
    for row in cql.execute("SELECT table_name, column_name, kind FROM system_schema.columns WHERE keyspace_name = %s",
                           (settings.keyspace,)):
        if row.kind == "partition_key" and row.column_name in PERSONAL_KEYS:
            personal.add(row.table_name)
    assert personal - declared - {SCRATCH} == set()
    assert all(entry.owner in (PLATFORM, IDENTITY) for entry in ENTRIES)
