"""A backfill of ``rating_semiannual`` over two past half-years through a real scheduler gives
exactly the ratings and scorecards that live runs gave, and sends nothing.

The live runs are the DAG's own task functions (``presswatch.rating.pipeline``) called in order
for each half-year as a scheduled run calls them (notices to be sent); the backfill is
``airflow backfill create`` executed by the scheduler, LocalExecutor and the api-server, from
the state before the live runs. The facts are test_rating_compute's hand-computed world.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import psycopg
import pytest
from conftest import truncate_all
from test_rating_compute import H1, H2_2024, build_world

from presswatch import db
from presswatch.notices import dispatch
from presswatch.rating import pipeline

pytestmark = pytest.mark.slow

TASHKENT = ZoneInfo("Asia/Tashkent")
LIVE = {"airflow_dag_id": "rating_semiannual", "airflow_run_id": None,
        "airflow_run_type": "scheduled"}  # fmt: skip
PARAMS = {"institution_codes": [], "dry_run": False, "send_notices": False, "period": None,
          "new_version": False}  # fmt: skip


@pytest.fixture(scope="module")
def world(db_url):
    truncate_all(db_url)
    with db.connect(db_url) as conn:
        build_world(conn)
        conn.commit()
    return db_url


@pytest.fixture(scope="module")
def airflow_cluster_env(world, tmp_path_factory):
    return {"PRESSWATCH_REPORTS_DIR": str(tmp_path_factory.mktemp("reports"))}


def live_runs(url: str) -> None:
    """Each half-year as its scheduled run does it, task by task."""
    for period in (H2_2024, H1):
        rating = pipeline.compute_task(url, period, params=PARAMS, run=LIVE)
        pipeline.open_window_task(url, rating["rating_id"], send=True)
        for batch in pipeline.plan_scorecards(url, rating["rating_id"], None):
            pipeline.scorecards_task(url, batch, send=True, run=LIVE)
        pipeline.reports_task(url, rating["rating_id"], notify=True, run=LIVE)
        pipeline.finalize_due_task(url, send_allowed=True, run=LIVE)


RESULTS = {
    "rating": "SELECT period, version, status, methodology_sha256, institutions,"
    " (SELECT period FROM rating AS p WHERE p.id = r.previous_rating_id) FROM rating AS r",
    "rating_result": "SELECT r.period, i.code, x.score, x.rank, x.band, x.weight_applicable,"
    " x.previous_score, x.score_change, x.held_accountable, x.accountable_because"
    " FROM rating_result AS x JOIN rating AS r ON r.id = x.rating_id"
    " JOIN institution AS i ON i.id = x.institution_id",
    "rating_indicator": "SELECT r.period, i.code, x.indicator, x.value, x.weight, x.weight_used,"
    " x.evidence::text FROM rating_indicator AS x JOIN rating AS r ON r.id = x.rating_id"
    " JOIN institution AS i ON i.id = x.institution_id",
    "notices": "SELECT n.kind, n.dedup_key, n.language, n.recipients, n.subject, a.filename"
    " FROM notice AS n LEFT JOIN notice_attachment AS a ON a.notice_id = n.id",
}


def results(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        return {
            name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in RESULTS.items()
        }


def forget(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE rating, rating_result, rating_indicator, notice CASCADE")


@pytest.mark.timeout(900)
def test_a_backfill_of_two_half_years_equals_the_live_runs_and_sends_nothing(
    world, airflow_cluster, smtp_server
):
    url = world
    live_runs(url)
    live = results(url)
    assert len(live["rating"]) == 2 and live["notices"]
    forget(url)

    runs = airflow_cluster.backfill(
        "rating_semiannual",
        dt.datetime(2024, 7, 1, tzinfo=TASHKENT),  # the logical dates: the half-years' starts
        dt.datetime(2025, 1, 1, tzinfo=TASHKENT),
        max_active_runs=1,
        timeout=600,
    )

    assert [(run.state, run.run_type) for run in runs] == [("success", "backfill")] * 2
    backfilled = results(url)
    assert backfilled == live
    with psycopg.connect(url) as conn:
        statuses = {s for (s,) in conn.execute("SELECT DISTINCT status FROM notice")}
        sent = conn.execute("SELECT bool_or(notices_sent) FROM rating").fetchone()[0]
    assert statuses == {"suppressed"} and sent is False
    report = dispatch.dispatch(
        url,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )
    assert report.claimed == 0 and smtp_server.messages == []
