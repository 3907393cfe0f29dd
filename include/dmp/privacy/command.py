"""`dmp privacy delete|report|batches`: erase a person now, prove what a request removed, run the landed batches."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dmp import settings as settings_module
from dmp.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    privacy = subparsers.add_parser("privacy", help="privacy requests: delete a person everywhere, report on it")
    actions = privacy.add_subparsers(dest="action", required=True, metavar="ACTION")
    delete = actions.add_parser("delete", help="delete a person's data in every table now; prints the request id")
    subject = delete.add_mutually_exclusive_group(required=True)
    subject.add_argument("--email", metavar="E", help="an email (`-`: read it from stdin, kept out of the "
                                                      "shell history); it is hashed at once, never stored")
    subject.add_argument("--user-id", metavar="U", help="a clickstream user id (cookie, device id)")
    subject.add_argument("--person-id", metavar="P", help="a person id of identity")
    delete.add_argument("--request-id", help="the privacy desk's ticket id (default: a new one)")
    delete.set_defaults(func=_delete)
    report = actions.add_parser("report", help="per table, the subject's rows before and after a request")
    report.add_argument("request_id", metavar="REQUEST_ID")
    report.set_defaults(func=_report)
    batches = actions.add_parser("batches", help="run the request files under DMP_LANDING_DIR/privacy/ now "
                                                 "(what the daily DAG's privacy_requests task does)")
    batches.set_defaults(func=_batches)


def _asked(args: argparse.Namespace):
    from dmp.privacy.subjects import EMAIL, PERSON_ID, USER_ID, identifier

    if args.email is not None:
        return identifier(EMAIL, sys.stdin.readline() if args.email == "-" else args.email)
    if args.user_id is not None:
        return identifier(USER_ID, args.user_id)
    return identifier(PERSON_ID, args.person_id)


def _delete(args: argparse.Namespace) -> int:
    from dmp.privacy.batch import REQUEST_ID_SHAPE
    from dmp.privacy.report import format_record
    from dmp.privacy.requests import DONE, new_request_id, run_request

    if args.request_id is not None and not REQUEST_ID_SHAPE.match(args.request_id):
        raise InputError("--request-id must be 1-64 letters, digits, '.', '_' or '-'.")
    asked = _asked(args)
    request_id = args.request_id or new_request_id()
    print(f"privacy request {request_id}: running")
    outcome = run_request(settings_module.load(), asked, "cli", request_id)
    print(format_record(outcome.record))
    return 0 if outcome.record.status == DONE else 2


def _report(args: argparse.Namespace) -> int:
    from dmp.privacy.report import format_record
    from dmp.storage.privacy import Requests
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    with cassandra_session(settings) as session:
        record = Requests(session, settings.keyspace).get(args.request_id)
    if record is None:
        raise InputError(f"no privacy request {args.request_id!r} in keyspace {settings.keyspace}: check the id "
                         "`dmp privacy delete` printed (or the batch file's request_id).")
    print(format_record(record))
    return 0


def _batches(args: argparse.Namespace) -> int:
    import json

    from dmp.privacy.batch import process_batches

    print(json.dumps(process_batches(settings_module.load(), dt.datetime.now(dt.timezone.utc).date()), indent=2))
    return 0
