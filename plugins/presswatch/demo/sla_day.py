"""``make demo``'s day of hourly critical-story runs: ``critical_story_sla_hourly`` run with
``dag.test()`` for each hour of a local day, one after another, in one process (the way
``airflow dags test`` runs a DAG, without importing Airflow again for every hour).

``python -m presswatch.demo.sla_day 2026-03-31`` (with the environment of ``presswatch env``).
Prints one line per hour and exits non-zero if a run did not succeed.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from presswatch.paths import DAGS
from presswatch.settings import get

DAG_ID = "critical_story_sla_hourly"


def hours_of(day: dt.date) -> list[dt.datetime]:
    """The logical dates of the day's 24 hourly runs: each run covers the hour that ends at its
    logical date under ``dag.test()``, so 01:00 ... 24:00 local."""
    tz = get().tz
    midnight = dt.datetime.combine(day, dt.time(), tz)
    return [midnight + dt.timedelta(hours=n) for n in range(1, 25)]


def main(argv: list[str] | None = None) -> int:
    from airflow.dag_processing.dagbag import DagBag

    args = sys.argv[1:] if argv is None else argv
    day = dt.date.fromisoformat(args[0])
    bag = DagBag(dag_folder=str(DAGS / f"{DAG_ID}.py"))
    if bag.import_errors:
        print(f"{DAG_ID} does not import: {bag.import_errors}", file=sys.stderr)
        return 1
    dag = bag.dags[DAG_ID]
    for task in dag.tasks:  # a failing hour fails the demo at once, not after retry delays
        task.retries = 0
    for logical in hours_of(day):
        started = time.perf_counter()
        run = dag.test(logical_date=logical)
        start = logical - dt.timedelta(hours=1)
        print(f"  {start:%Y-%m-%d %H:00}-{logical:%H:00}: {run.state} in"
              f" {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        if run.state != "success":
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
