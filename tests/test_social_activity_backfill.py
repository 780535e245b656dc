"""A 14-day backfill of ``social_activity_daily`` through a real scheduler gives exactly what
day-by-day live runs gave, and sends nothing.

The live runs are the DAG's own task functions (``presswatch.social_activity``) called in
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
from conftest import truncate_all
from test_social_activity_dag import RESULTS, SNAPSHOT, forget_fetched

from presswatch import db, social_activity
from presswatch.connectors.facebook import FacebookConnector
from presswatch.connectors.instagram import InstagramConnector
from presswatch.connectors.telegram import TelegramConnector
from presswatch.connectors.wikipedia import WikipediaConnector
from presswatch.connectors.x import XConnector
from presswatch.notices import dispatch

pytestmark = pytest.mark.slow

TASHKENT = ZoneInfo("Asia/Tashkent")
# Monday 16 to Sunday 29 March: two ISO weeks. (Not the days test_social_activity_dag runs
# with dag.test(): a backfill skips a logical date that already has a run.)
DAYS = [dt.date(2026, 3, 16) + dt.timedelta(days=n) for n in range(14)]
SEED = {"institutions": 5, "seed": 23, "days": 60, "end_date": dt.date(2026, 3, 31)}
FAST = {"timeout": 5, "max_retries": 3, "throttle_wait": 0.05}


@pytest.fixture(scope="module")
def world(db_url):
    """The demo world for this module (the cluster's connections depend on it)."""
    from presswatch.demo import generator

    truncate_all(db_url)
    with db.connect(db_url) as conn:
        generator.seed(conn, **SEED)
        (own_ig_user_id,) = conn.execute(
            "SELECT min(external_id) FROM sim.account WHERE platform = 'instagram'"
        ).fetchone()
    return {"url": db_url, "own_ig_user_id": own_ig_user_id}


def connections(base_url: str, own_ig_user_id: str) -> dict[str, tuple[str, str, dict]]:
    return {
        "presswatch_facebook": (base_url + "/graph", "sim-token",
                                {**FAST, "own_ig_user_id": own_ig_user_id}),
        "presswatch_x": (base_url + "/x", "sim-bearer", FAST),
        "presswatch_telegram": (base_url + "/telegram", "123456:sim-token", FAST),
        "presswatch_tme": (base_url + "/tme", "", FAST),
        "presswatch_wikipedia": (base_url + "/wiki/{lang}", "", FAST),
    }  # fmt: skip


@pytest.fixture(scope="module")
def airflow_cluster_env(world, _simulator_server):
    """The scheduler's workers reach the simulator through these connections."""
    return {
        f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(
            {"conn_type": "http", "host": host, "password": password, "extra": extra}
        )
        for conn_id, (host, password, extra) in connections(
            _simulator_server.base_url, world["own_ig_user_id"]
        ).items()
    }


def connector_factory(base_url: str, own_ig_user_id: str):
    settings = connections(base_url, own_ig_user_id)
    tme = settings["presswatch_tme"][0]

    def make(platform: str):
        if platform == "facebook":
            return FacebookConnector(
                base_url + "/graph", "sim-token", timeout=5, throttle_wait=0.05
            )
        if platform == "instagram":
            return InstagramConnector(
                base_url + "/graph", "sim-token", own_ig_user_id=own_ig_user_id, timeout=5,
                throttle_wait=0.05,
            )  # fmt: skip
        if platform == "x":
            return XConnector(base_url + "/x", "sim-bearer", timeout=5)
        return TelegramConnector(
            base_url + "/telegram", "123456:sim-token", tme_base_url=tme, timeout=5
        )

    return make


def live_runs(url: str, base_url: str, own_ig_user_id: str) -> None:
    """Each day as its scheduled run does it: fetch, Wikipedia, compliance, notices."""
    live = {"airflow_dag_id": "social_activity_daily", "airflow_run_id": None,
            "airflow_run_type": "scheduled"}  # fmt: skip
    params = {"institution_codes": [], "platforms": list(social_activity.PLATFORMS),
              "dry_run": False, "batch_size": 500}  # fmt: skip
    make = connector_factory(base_url, own_ig_user_id)
    wiki = WikipediaConnector(base_url + "/wiki/{lang}", timeout=5)
    for day in DAYS:
        with db.connect(url) as conn:
            batches = social_activity.plan_batches(conn, params["platforms"], None, 500)
        for batch in batches:
            social_activity.fetch_task(
                url, batch, day, params=params, run=live, connector_factory=make
            )
        social_activity.wikipedia_task(url, day, params=params, run=live, connector=wiki)
        social_activity.compliance_task(url, day, params=params)
        social_activity.notices_task(url, day, params=params, send=True, run=live)
    wiki.close()


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


def test_a_14_day_backfill_equals_the_live_runs_and_sends_nothing(
    world, airflow_cluster, _simulator_server, smtp_server
):
    url = world["url"]
    live_runs(url, _simulator_server.base_url, world["own_ig_user_id"])
    live = results(url)
    assert live["account_week"] and live["notices"]  # two Sundays, some lapses
    with psycopg.connect(url) as conn:
        forget_fetched(conn)

    runs = airflow_cluster.backfill(
        "social_activity_daily",
        dt.datetime.combine(DAYS[0], dt.time(), TASHKENT),
        dt.datetime.combine(DAYS[-1], dt.time(), TASHKENT),
        max_active_runs=1,
        timeout=600,
    )

    assert [(run.state, run.run_type) for run in runs] == [("success", "backfill")] * 14
    assert [run.data_interval_start.astimezone(TASHKENT).date() for run in runs] == DAYS
    assert results(url) == live
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
