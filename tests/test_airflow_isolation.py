"""Test modules share one Airflow metadata database: a module's scheduler must run only what its
own test creates, never runs an earlier module left unfinished."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from fixtures_airflow import running_airflow
from test_notice_outbox import make_institution

TASHKENT = ZoneInfo("Asia/Tashkent")

pytestmark = pytest.mark.slow


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), TASHKENT)


def test_runs_an_earlier_cluster_left_unfinished_are_not_run_by_the_next(airflow_db, db_url, conn):
    """A module whose test stops while its backfill's runs wait (a timeout, a failure) leaves
    them queued in the session's metadata database. The next module's scheduler must not adopt
    and run them on that module's world: they are failed when its cluster starts, and their
    backfill is closed, so the next backfill of the DAG is not held up."""
    make_institution(conn)
    conn.commit()
    left = [dt.date(2026, 4, 1), dt.date(2026, 4, 2)]
    # The earlier module: its backfill's runs are created, and nothing runs them.
    with running_airflow(airflow_db, db_url, components=("dag-processor",)) as earlier:
        earlier.wait_for_dag("backfill_probe")
        earlier.unpause("backfill_probe")
        earlier.airflow(
            "backfill", "create", "--dag-id", "backfill_probe",
            "--from-date", local_midnight(left[0]).isoformat(),
            "--to-date", local_midnight(left[-1]).isoformat(),
        )  # fmt: skip
    assert {run.state for run in earlier.runs("backfill_probe")} >= {"queued"}

    with running_airflow(airflow_db, db_url) as cluster:
        later = [dt.date(2026, 4, 10)]
        runs = cluster.backfill(
            "backfill_probe", local_midnight(later[0]), local_midnight(later[0])
        )
        leftovers = [
            r for r in cluster.runs("backfill_probe")
            if r.data_interval_start.astimezone(TASHKENT).date() in left
        ]  # fmt: skip

    assert [run.state for run in runs] == ["success"]
    assert {run.state for run in leftovers} == {"failed"}
    written = [key for (key,) in conn.execute("SELECT dedup_key FROM notice ORDER BY 1")]
    assert written == ["backfill_probe:2026-04-10"]
