"""`dmp persons show ID`: one person by any of its ids (cookie, email, customer id, person id).

An email given here is normalised and hashed as the pipeline does, and only its hash is looked up;
the email itself is neither printed nor logged.
"""

from __future__ import annotations

import argparse

from dmp import settings as settings_module
from dmp.errors import InputError
from dmp.identity.graph import CUSTOMER, EMAIL, NODE_TYPES, SEPARATOR, USER, node
from dmp.identity.person_ids import PERSON_ID_PREFIX


def register(subparsers: argparse._SubParsersAction) -> None:
    persons = subparsers.add_parser("persons", help="persons identity resolved: ids, CRM attributes, consent")
    actions = persons.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="print a person found by a cookie, an email, a customer id or a person id")
    show.add_argument("id", help="p-... (person), user:/email:/customer: typed id, an email, or a bare cookie or customer id")
    show.set_defaults(func=_show)
    truth = actions.add_parser("truth", help="persons found against the people `dmp generate` made (precision, recall)")
    truth.add_argument("--users", type=int, required=True, help="the --users given to dmp generate")
    truth.add_argument("--seed", type=int, default=None, help="the --seed given to dmp generate (default: its default)")
    truth.add_argument("--example", action="store_true", help="also print the id of a person with several cookies")
    truth.set_defaults(func=_truth)


def _truth(args: argparse.Namespace) -> int:
    from dmp.generate.run import DEFAULT_SEED
    from dmp.identity.truth import describe, merge_quality
    from dmp.storage.identity import IdentityStore
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    with cassandra_session(settings) as session:
        found, logged_in = IdentityStore(session, settings.keyspace).cookie_persons()
    if not found:
        raise InputError("No persons are published yet: run the daily DAG on generated days first (make demo).")
    print(describe(merge_quality(found, logged_in, args.users, DEFAULT_SEED if args.seed is None else args.seed)))
    if args.example:
        counts: dict[str, int] = {}
        for person in found.values():
            counts[person] = counts.get(person, 0) + 1
        print(max(sorted(counts), key=counts.get))
    return 0


def candidate_nodes(text: str, settings) -> list[str]:
    """The typed ids `text` may be, in the order they are tried."""
    from dmp.identity.blocked import usable_email_hash

    value = text.strip()
    kind, separator, rest = value.partition(SEPARATOR)
    if separator and kind in NODE_TYPES and rest:
        return [value]
    if "@" in value:
        hashed = usable_email_hash(value, settings.identity.email_rules, settings.identity.block_list)
        if hashed is None:
            raise InputError("That email is blocked or not an email address: it is never an id of a person.")
        return [node(EMAIL, hashed)]
    return [node(USER, value), node(CUSTOMER, value)]


def _show(args: argparse.Namespace) -> int:
    from dmp.storage.identity import IdentityStore
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    with cassandra_session(settings) as session:
        store = IdentityStore(session, settings.keyspace)
        person_id = args.id.strip() if args.id.strip().startswith(PERSON_ID_PREFIX) else next(
            (found for found in map(store.person_of, candidate_nodes(args.id, settings)) if found), None)
        record = store.person(person_id) if person_id else None
    if record is None:
        shown = "that email" if "@" in args.id else repr(args.id)
        raise InputError(f"No person has {shown}: identity has not seen it (or it was deleted). "
                         "Give a cookie id, an email, a customer id or a person id (p-...).")
    print("\n".join(describe(record)))
    return 0


def describe(record) -> list[str]:
    """The lines `dmp persons show` prints."""
    person = record.person
    lines = [
        f"person {person.person_id} (created {person.created}, seen {person.first_seen} to {person.last_seen})",
        f"  ids:          {', '.join(sorted(person.ids or ())) or '-'}",
        f"  customer ids: {', '.join(sorted(person.customer_ids or ())) or '-'}",
        f"  emails:       {len(person.email_sha256 or ())} (kept as SHA-256 and UID2 hashes only)",
        f"  attributes:   {', '.join(f'{k}={v}' for k, v in sorted((person.attributes or {}).items())) or '-'}",
        f"  consent:      {'yes' if person.has_consent else 'no'}"
        + (f" (updated {person.consent_updated})" if person.consent_updated else " (no CRM consent on record)"),
        "  interests:" + ("" if record.interests else " -"),
    ]
    lines += [f"    {row.theme}: score {row.score:.2f}, {row.total_events} events on {row.active_days} day(s), "
              f"last {row.last_seen}" for row in record.interests]
    lines.append("  merges and splits:" + ("" if record.merges else " -"))
    lines += [f"    {row.day} {row.kind}: {row.loser} -> {row.winner}"
              + (f" (edge {row.edge_src} - {row.edge_dst})" if row.edge_src else "") for row in record.merges]
    return lines
