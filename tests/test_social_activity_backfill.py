"""A 14-day backfill of ``social_activity_daily`` through a real scheduler gives exactly what
day-by-day live runs gave, and sends nothing.

The live runs are the DAG's own task functions (``presswatch.activity.daily``) called in
order for each day as a scheduled run would call them (facts read every day, notices to be
sent); ``test_social_activity_dag`` runs the same DAG with ``dag.test()``. The backfill is
``airflow backfill create`` executed by the scheduler, LocalExecutor and the api-server.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import psycopg
import pytest
from helpers import differences, run_daily_days, seed_world
from test_social_activity_dag import RESULTS, SNAPSHOT, forget_fetched

from presswatch.notices import dispatch

pytestmark = pytest.mark.slow

TASHKENT = ZoneInfo("Asia/Tashkent")
# Monday 16 to Sunday 29 March: two ISO weeks. (Not the days test_social_activity_dag runs
# with dag.test(): a backfill skips a logical date that already has a run.)
DAYS = [dt.date(2026, 3, 16) + dt.timedelta(days=n) for n in range(14)]
SEED = {"institutions": 5, "seed": 23, "days": 60, "end_date": dt.date(2026, 3, 31)}


@pytest.fixture(scope="module")
def world(db_url, _simulator_server):
    """The demo world for this module, and the Airflow connections to the simulator serving it
    (the cluster's processes start with them, so they depend on the world). The simulator
    starts with no fault an earlier module queued and did not use."""
    _simulator_server.reset()
    return {"url": db_url, "connections": seed_world(db_url, _simulator_server.base_url, **SEED)}


@pytest.fixture(scope="module")
def airflow_cluster_env(world):
    """The scheduler's workers reach the simulator through these connections."""
    return world["connections"]


def live_runs(url: str) -> None:
    """Each day as its scheduled run does it: fetch, Wikipedia, compliance, notices (with the
    connectors the DAG's tasks build from the Airflow connections)."""
    live = {"airflow_dag_id": "social_activity_daily", "airflow_run_id": None,
            "airflow_run_type": "scheduled"}  # fmt: skip
    run_daily_days(url, DAYS, run=live, send=True)


def results(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        found = {
            name: sorted(conn.execute(SNAPSHOT[name]).fetchall(), key=repr) for name in RESULTS
        }
        found["notices"] = conn.execute(
            "SELECT kind, dedup_key, institution_id, language, recipients FROM notice"
            " ORDER BY dedup_key"
        ).fetchall()
    return found


def explain(url: str, found: dict[str, list], live: dict[str, list], cluster, runs) -> str:
    """Why the backfill's results differ from the live runs': the rows that differ, the
    accounts that could not be read, what was quarantined, and the warnings and errors the
    fetch tasks (and any task tried again) logged: a difference must say what happened."""
    with psycopg.connect(url) as conn:
        errors = conn.execute(
            "SELECT id, platform, handle, last_fetch_error FROM social_account"
            " WHERE last_fetch_error IS NOT NULL ORDER BY id"
        ).fetchall()
        quarantined = conn.execute("SELECT source, reason FROM quarantine").fetchall()
    lines = [differences(found, live), f"accounts not read: {errors}", f"quarantine: {quarantined}"]
    logged: dict[str, list[str]] = {}  # what a fetch task logged -> the runs it logged it in
    for run in runs:
        for ti in cluster.task_instances("social_activity_daily", run.run_id):
            if ti.task_id != "fetch_posts" and ti.try_number <= 1:
                continue
            log = cluster.task_log("social_activity_daily", run.run_id, ti.task_id,
                                   map_index=ti.map_index)  # fmt: skip
            for line in log.splitlines():
                try:
                    record = json.loads(line) if line.startswith("{") else {}
                except ValueError:  # a line cut short
                    record = {}
                if record.get("level") in ("warning", "error", "critical"):
                    said = f"{ti.task_id} try {ti.try_number}: {record.get('event')}"
                    logged.setdefault(said, []).append(run.run_id)
    lines += [f"{event} (in {len(ids)} runs: {ids[0]} ...)" for event, ids in logged.items()]
    return "\n".join(lines)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), TASHKENT)


# Live runs, a 14-day backfill, the scheduler's 30 s before it closes a backfill, and a second
# backfill: longer than the suite's 300 s per test on a busy 2-core machine.
@pytest.mark.timeout(900)
def test_a_14_day_backfill_equals_the_live_runs_and_sends_nothing(
    world, airflow_cluster, smtp_server, _simulator_server, monkeypatch
):
    url = world["url"]
    for name, value in world["connections"].items():
        monkeypatch.setenv(name, value)
    live_runs(url)
    live = results(url)
    assert live["account_week"] and live["notices"]  # two Sundays, some lapses
    with psycopg.connect(url) as conn:
        forget_fetched(conn)

    runs = airflow_cluster.backfill(
        "social_activity_daily",
        local_midnight(DAYS[0]),
        local_midnight(DAYS[-1]),
        max_active_runs=1,
        timeout=600,
    )

    assert [(run.state, run.run_type) for run in runs] == [("success", "backfill")] * 14
    assert [run.data_interval_start.astimezone(TASHKENT).date() for run in runs] == DAYS
    found = results(url)
    assert found == live, explain(url, found, live, airflow_cluster, runs)
    with psycopg.connect(url) as conn:
        statuses = {s for (s,) in conn.execute("SELECT DISTINCT status FROM notice")}
        types = {t for (t,) in conn.execute("SELECT DISTINCT airflow_run_type FROM notice")}
    assert statuses == {"suppressed"} and types == {"backfill"}
    report = dispatch.dispatch(
        url,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )
    assert report.claimed == 0
    assert smtp_server.messages == []

    # Backfilling again days it has (the last three, a Sunday among them) asks the platforms
    # nothing (posts nor facts) but for the accounts that could not be read (their period did
    # not grow), and leaves everything as it was.
    _simulator_server.reset()
    again = airflow_cluster.backfill(
        "social_activity_daily",
        local_midnight(DAYS[-3]),
        local_midnight(DAYS[-1]),
        max_active_runs=1,
        reprocess_behavior="completed",
        timeout=300,
    )
    assert [(run.state, run.run_type) for run in again] == [("success", "backfill")] * 3
    with psycopg.connect(url) as conn:
        unreadable = conn.execute(
            "SELECT handle, external_id FROM social_account WHERE last_fetch_error IS NOT NULL"
        ).fetchall()
    names = {name for row in unreadable for name in row if name}
    asked = [r for r in _simulator_server.requests() if r["platform"] != "wiki"]
    assert [r for r in asked if not any(n in f"{r['path']} {r.get('query')}" for n in names)] == []
    found = results(url)
    assert found == live, explain(url, found, live, airflow_cluster, runs + again)
    assert smtp_server.messages == []
