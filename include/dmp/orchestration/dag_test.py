"""`airflow dags test` whose run records when it really started (what `dmp run` executes).

Airflow 3.3's `dag.test()` creates its run with `start_date` set to the logical date
(apache/airflow#66127, open): a day processed today shows as having run since that day, and every
duration in the UI is off by weeks. Its task instances and the run's end carry true times. This
entry point runs Airflow's own CLI in this process after hooking the insert of a test run, so the
run's `start_date` is the moment it is created. Runs of the scheduler (scheduled, triggered,
backfills) get their start from the scheduler when they begin to run, and are not touched.
"""

from __future__ import annotations

import datetime as dt
import sys


def _true_start(_mapper, _connection, run) -> None:
    """SQLAlchemy `before_insert` hook: a `dag.test()` run starts now, not on its logical date."""
    from airflow.utils.types import DagRunTriggeredByType

    if run.triggered_by == DagRunTriggeredByType.TEST:
        run.start_date = dt.datetime.now(dt.timezone.utc)


def main(argv: list[str] | None = None) -> None:
    """Run `airflow ARGV...` (e.g. `dags test DAG DATE`) with test runs' start dates corrected."""
    from sqlalchemy import event

    from airflow.__main__ import main as airflow_main
    from airflow.models.dagrun import DagRun

    event.listen(DagRun, "before_insert", _true_start)
    sys.argv = ["airflow", *(sys.argv[1:] if argv is None else argv)]
    airflow_main()


if __name__ == "__main__":
    main()
