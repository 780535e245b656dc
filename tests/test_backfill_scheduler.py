"""`airflow backfill create` run by a real scheduler (api-server, scheduler, dag-processor,
LocalExecutor): one run per local Tashkent day, each writing its notice suppressed, none sent."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from test_notice_outbox import make_institution

from presswatch.notices import dispatch

TASHKENT = ZoneInfo("Asia/Tashkent")
FIRST_DAY = dt.date(2026, 3, 1)
DAYS = [FIRST_DAY + dt.timedelta(days=n) for n in range(14)]

pytestmark = pytest.mark.slow


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), TASHKENT)


def local_day_in_utc(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[D 00:00+05, D+1 00:00+05) as UTC datetimes (D-1 19:00Z to D 19:00Z)."""
    return (
        local_midnight(day).astimezone(dt.UTC),
        local_midnight(day + dt.timedelta(days=1)).astimezone(dt.UTC),
    )


def test_a_backfill_runs_each_local_day_once_and_its_notices_are_suppressed_not_sent(
    airflow_cluster, conn, smtp_server
):
    make_institution(conn)

    runs = airflow_cluster.backfill(
        "backfill_probe", local_midnight(DAYS[0]), local_midnight(DAYS[-1])
    )

    assert [(run.state, run.run_type) for run in runs] == [("success", "backfill")] * 14
    assert [(run.data_interval_start, run.data_interval_end) for run in runs] == [
        local_day_in_utc(day) for day in DAYS
    ]
    assert runs[0].data_interval_start == dt.datetime(2026, 2, 28, 19, tzinfo=dt.UTC)
    notices = conn.execute(
        "SELECT dedup_key, status, sent_at, airflow_dag_id, airflow_run_type, airflow_run_id"
        " FROM notice ORDER BY dedup_key"
    ).fetchall()
    assert notices == [
        (f"backfill_probe:{day}", "suppressed", None, "backfill_probe", "backfill", run.run_id)
        for day, run in zip(DAYS, runs, strict=True)
    ]
    conn.commit()
    report = dispatch.dispatch(
        conn.info.dsn,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )
    assert report.claimed == 0
    assert smtp_server.messages == []
