"""A 48-hour backfill of ``critical_story_sla_hourly`` through a real scheduler gives exactly the
stage events and notices that hour-by-hour live runs gave, and sends nothing.

The live runs are the DAG's own task functions (``presswatch.sla.hourly``) called in order for
each hour as a scheduled run calls them (notices to be sent); ``test_sla_dag`` runs the same DAG
with ``dag.test()``. The backfill is ``airflow backfill create`` executed by the scheduler,
LocalExecutor and the api-server, from the state before the live runs.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import psycopg
import pytest
from conftest import truncate_all
from helpers import differences
from test_sla_dag import SNAPSHOT

from presswatch import db
from presswatch.activity import daily
from presswatch.notices import dispatch
from presswatch.simulator import airflow_connections
from presswatch.sla import hourly

pytestmark = pytest.mark.slow

TASHKENT = ZoneInfo("Asia/Tashkent")
# Monday 30 and Tuesday 31 March, local hours. (Not the hours test_sla_dag runs with
# dag.test(): a backfill skips a logical date that already has a run.)
FIRST_HOUR = dt.datetime(2026, 3, 30, 0, 0, tzinfo=TASHKENT)
HOURS = [FIRST_HOUR + dt.timedelta(hours=n) for n in range(48)]
SEED = {"institutions": 5, "seed": 23, "days": 10, "end_date": dt.date(2026, 3, 31)}
FAST = {"timeout": 5, "max_retries": 3, "throttle_wait": 0.05}
FEEDS_KEPT = 2  # of the demo's news feeds: enough to merge duplicates, fewer tasks per run
RESULTS = ("story", "story_item", "story_institution", "story_response", "story_sla",
           "story_sla_event", "quarantine")  # fmt: skip


@pytest.fixture(scope="module")
def world(db_url, _simulator_server):
    """The demo world for this module, and the Airflow connections to the simulator serving it
    (the cluster's processes start with them, so they depend on the world). The simulator
    starts with no fault an earlier module queued and did not use."""
    _simulator_server.reset()
    from presswatch.demo import generator

    truncate_all(db_url)
    with db.connect(db_url) as conn:
        generator.seed(conn, **SEED)
        conn.execute(
            "UPDATE story_feed SET active = false"
            " WHERE code NOT IN (SELECT code FROM story_feed ORDER BY code LIMIT %s)",
            [FEEDS_KEPT],
        )
        connections = airflow_connections(conn, _simulator_server.base_url, FAST)
        conn.commit()
    return {"url": db_url, "connections": connections}


@pytest.fixture(scope="module")
def airflow_cluster_env(world):
    """The scheduler's workers reach the simulator through these connections."""
    return world["connections"]


LIVE = {"airflow_dag_id": "critical_story_sla_hourly", "airflow_run_id": None,
        "airflow_run_type": "scheduled"}  # fmt: skip
PARAMS = {"institution_codes": [], "dry_run": False, "send_notices": False,
          "confirm_story_ids": [], "dismiss_story_ids": [], "fetch_posts": True,
          "batch_size": 500}  # fmt: skip


def live_runs(url: str) -> None:
    """Each hour as its scheduled run does it, task by task, with the DAG's connectors."""
    for start in HOURS:
        hour = hourly.Hour(
            start.astimezone(dt.UTC), (start + dt.timedelta(hours=1)).astimezone(dt.UTC)
        )
        hourly.portal_task(url, hour, params=PARAMS, run=LIVE)
        for feed in hourly.plan_feeds(url):
            hourly.feed_task(url, feed, hour, params=PARAMS, run=LIVE)
        hourly.decisions_task(url, hour, params=PARAMS, run=LIVE)
        hourly.match_task(url, params=PARAMS)
        for batch in hourly.plan_post_batches(url, hour, params=PARAMS):
            hourly.post_fetch_task(url, daily.Batch.from_dict(batch), hour, params=PARAMS, run=LIVE)
        hourly.responses_task(url, hour, params=PARAMS, run=LIVE)
        hourly.sweep_task(url, hour, params=PARAMS, run=LIVE)
        hourly.notices_task(url, hour, params=PARAMS, send=True, run=LIVE)


def results(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        found = {
            name: sorted(conn.execute(SNAPSHOT[name]).fetchall(), key=repr) for name in RESULTS
        }
        found["notices"] = sorted(
            conn.execute(
                "SELECT n.kind, s.canonical_url, n.institution_id, n.language, n.recipients, n.cc"
                "  FROM notice AS n"
                "  JOIN story AS s ON s.id = split_part(n.dedup_key, ':', 2)::bigint"
            ).fetchall(),
            key=repr,
        )
    return found


def forget(url: str) -> None:
    """Back to the state before the live runs: no stories, answers, clocks, notices, posts,
    and the sources' cursors and validators reset."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "TRUNCATE story, story_item, story_institution, story_response,"
            " story_response_inbox, story_sla, story_sla_event, notice, quarantine, post CASCADE"
        )
        conn.execute("DELETE FROM story_feed WHERE kind = 'portal'")
        conn.execute(
            "UPDATE story_feed SET etag = NULL, last_modified = NULL, cursor = NULL,"
            " last_fetched_at = NULL, last_status = NULL, last_error = NULL"
        )
        conn.execute(
            "UPDATE social_account SET covered_from = NULL, covered_until = NULL,"
            " last_post_at = NULL, last_post_id = NULL, last_fetch_at = NULL,"
            " last_fetch_error = NULL"
        )


# Live runs of 48 hours, then the backfill of 48 runs one after another.
@pytest.mark.timeout(1800)
def test_a_48_hour_backfill_equals_the_live_runs_and_sends_nothing(
    world, airflow_cluster, smtp_server, monkeypatch
):
    url = world["url"]
    for name, value in world["connections"].items():
        monkeypatch.setenv(name, value)
    forget(url)
    live_runs(url)
    live = results(url)
    stages = {stage for (_, _, stage, *_) in live["story_sla_event"]}
    assert {"opened", "reminder", "breached", "escalated"} <= stages and live["notices"]
    forget(url)

    runs = airflow_cluster.backfill(
        "critical_story_sla_hourly",
        HOURS[0],
        HOURS[-1],
        max_active_runs=1,
        timeout=1500,
    )

    assert [(run.state, run.run_type) for run in runs] == [("success", "backfill")] * 48
    assert [run.data_interval_start.astimezone(TASHKENT) for run in runs] == HOURS
    backfilled = results(url)
    assert backfilled == live, differences(backfilled, live)
    with psycopg.connect(url) as conn:
        statuses = {s for (s,) in conn.execute("SELECT DISTINCT status FROM notice")}
        types = {t for (t,) in conn.execute("SELECT DISTINCT airflow_run_type FROM notice")}
    assert statuses <= {"suppressed", "undeliverable"} and types == {"backfill"}
    report = dispatch.dispatch(
        url,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )
    assert report.claimed == 0
    assert smtp_server.messages == []
