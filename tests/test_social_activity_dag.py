"""The ``social_activity_daily`` DAG, run for real (``dag.test()``) against the platform simulator
on a small demo world: posts, facts, Wikipedia checks, compliance and notices; reruns; dry
runs; platform faults."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from presswatch.notices import outbox
from presswatch.paths import DAGS
from presswatch.simulator import airflow_connections

SUNDAY = dt.date(2026, 3, 8)  # the end of ISO week 2026-W10
MONTH_END = dt.date(2026, 2, 28)  # a Saturday, the last day of February
TASHKENT = dt.timezone(dt.timedelta(hours=5))

# What a run writes that a rerun must leave exactly as it was (timestamps of the fetch aside).
SNAPSHOT = {
    "post": "SELECT account_id, platform_post_id, posted_at, permalink, text_excerpt FROM post",
    "account": "SELECT id, external_id, verified, verified_type, followers, covered_from,"
    " covered_until, last_post_at, last_post_id, last_fetch_error FROM social_account",
    "wikipedia_check": "SELECT * FROM wikipedia_check",
    "account_daily": "SELECT * FROM account_compliance_daily",
    "account_week": "SELECT * FROM account_week_compliance",
    "institution_daily": "SELECT * FROM institution_compliance_daily",
    "notice": "SELECT kind, dedup_key, institution_id, language, reference_no, recipients,"
    " subject, body_text, status FROM notice",
    "quarantine": "SELECT source, reason FROM quarantine",
}


def snapshot(conn) -> dict[str, list]:
    conn.commit()
    return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in SNAPSHOT.items()}


def count(conn, sql: str, params=None) -> int:
    return conn.execute(sql, params).fetchone()[0]


@pytest.fixture
def world(conn):
    """Six demo institutions with two months of simulated history up to the end of March."""
    from presswatch.demo import generator

    generator.seed(conn, institutions=6, seed=11, days=75, end_date=dt.date(2026, 3, 31))
    conn.commit()
    return conn


@pytest.fixture
def platforms(world, simulator, monkeypatch):
    """Airflow connections pointing every connector at the simulator, with short waits."""
    fast = {"timeout": 2, "max_retries": 3, "throttle_wait": 0.05}
    for name, value in airflow_connections(world, simulator.base_url, fast).items():
        monkeypatch.setenv(name, value)
    return simulator


@pytest.fixture
def dag(airflow_db, db_url):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "social_activity_daily.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.dags["social_activity_daily"]


def run_day(dag, day: dt.date, **conf):
    """A run for the local day ``day`` (its data interval is that day)."""
    from helpers import run_dag

    # dag.test() runs the interval that ends at the logical date: the day after, 00:00 local.
    logical = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TASHKENT)
    return run_dag(dag, logical_date=logical, run_conf=conf or None)


def test_a_run_writes_posts_compliance_and_notices_and_a_rerun_changes_nothing(
    dag, world, platforms
):
    conn = world
    result = run_day(dag, SUNDAY)

    assert result.state == "success"
    assert count(conn, "SELECT count(*) FROM post") > 0
    heads_accounts = count(
        conn,
        "SELECT count(*) FROM social_account AS a JOIN official AS o ON o.id = a.official_id"
        " WHERE o.role = 'head' AND o.active AND a.active",
    )
    assert (
        count(conn, "SELECT count(*) FROM account_compliance_daily WHERE day = %s", [SUNDAY])
        == heads_accounts
    )
    assert (
        count(conn, "SELECT count(*) FROM account_week_compliance WHERE computed_on = %s", [SUNDAY])
        == heads_accounts
    )
    assert (
        count(conn, "SELECT count(*) FROM institution_compliance_daily WHERE day = %s", [SUNDAY])
        == 6
    )
    lapsed = count(conn, "SELECT count(*) FROM account_week_compliance WHERE NOT met")
    assert lapsed > 0
    assert count(conn, "SELECT count(*) FROM notice WHERE kind = 'posting_lapse_weekly'") == lapsed
    # A manual run without send_notices records notices without sending them.
    assert {s for (s,) in conn.execute("SELECT DISTINCT status FROM notice")} == {"suppressed"}
    # Each in the institution's language, to its head and press secretary, naming the account.
    notices = conn.execute(
        "SELECT n.language, i.preferred_language, n.recipients, n.institution_id, n.body_text,"
        "       a.handle, w.posts_in_week, n.dedup_key"
        "  FROM notice AS n JOIN institution AS i ON i.id = n.institution_id"
        "  JOIN account_week_compliance AS w"
        "    ON n.dedup_key = 'posting_lapse_weekly:' || w.account_id || ':2026-W10'"
        "  JOIN social_account AS a ON a.id = w.account_id"
    ).fetchall()
    assert len(notices) == lapsed
    for language, preferred, recipients, institution_id, text, handle, posts, _ in notices:
        assert language == preferred
        assert recipients == outbox.registry_recipients(conn, institution_id)
        assert handle in text and posts < 3
    before = snapshot(conn)
    requests_before = len(platforms.requests())

    again = run_day(dag, SUNDAY)

    assert again.state == "success"
    assert snapshot(conn) == before
    rerun_requests = platforms.requests()[requests_before:]
    # The day's period is stored: no post is asked for again. (Telegram's facts read the
    # channel page once, for its verified badge: one t.me request per channel, no paging.)
    assert [r for r in rerun_requests if _is_post_listing(r) and r["platform"] != "tme"] == []
    tme = [r for r in rerun_requests if r["platform"] == "tme"]
    channels = count(conn, "SELECT count(*) FROM social_account WHERE platform = 'telegram'")
    assert len(tme) <= channels and not any("before" in str(r["query"]) for r in tme)


def _is_post_listing(request: dict) -> bool:
    """A request for posts (not for an account's facts)."""
    path, query = request["path"], str(request.get("query"))
    return path.endswith(("/posts", "/tweets")) or "/tme/s/" in path or "media.limit" in query


def test_a_dry_run_reads_the_platforms_and_writes_nothing(dag, world, platforms):
    before = snapshot(world)

    result = run_day(dag, SUNDAY, dry_run=True)

    assert result.state == "success"
    assert any(_is_post_listing(r) for r in platforms.requests())
    assert snapshot(world) == before


def test_a_run_can_be_limited_to_institutions_and_platforms(dag, world, platforms):
    code, institution_id = world.execute(
        "SELECT code, id FROM institution ORDER BY code LIMIT 1"
    ).fetchone()

    result = run_day(dag, SUNDAY, institution_codes=[code], platforms=["telegram"])

    assert result.state == "success"
    fetched = world.execute(
        "SELECT DISTINCT a.institution_id, a.platform FROM post AS p"
        " JOIN social_account AS a ON a.id = p.account_id"
    ).fetchall()
    assert fetched and set(fetched) <= {(institution_id, "telegram")}
    assert world.execute(
        "SELECT DISTINCT institution_id FROM institution_compliance_daily"
    ).fetchall() == [(institution_id,)]
    assert {p for r in platforms.requests() if (p := r.get("platform"))} <= {
        "telegram",
        "tme",
        "wiki",
    }


def test_month_end_writes_the_monthly_notices_once(dag, world, platforms):
    result = run_day(dag, MONTH_END)

    assert result.state == "success"
    gaps = world.execute(
        "SELECT count(*) FILTER (WHERE cardinality(r1_missing_platforms)"
        "                              + cardinality(r1_unverified_platforms) > 0),"
        "       count(*) FILTER (WHERE cardinality(r7_missing_wiki_langs) > 0)"
        "  FROM institution_compliance_daily WHERE day = %s",
        [MONTH_END],
    ).fetchone()
    notices = dict(world.execute("SELECT kind, count(*) FROM notice GROUP BY kind").fetchall())
    assert gaps[0] > 0 and notices.get("account_missing_or_unverified") == gaps[0]
    assert notices.get("wikipedia_missing", 0) == gaps[1]
    assert "posting_lapse_weekly" not in notices  # a Saturday ends no ISO week
    keys = [
        k
        for (k,) in world.execute(
            "SELECT dedup_key FROM notice WHERE kind = 'account_missing_or_unverified'"
        )
    ]
    assert all(k.endswith(":2026-02") for k in keys)
    text = world.execute(
        "SELECT body_text FROM notice WHERE kind = 'account_missing_or_unverified' LIMIT 1"
    ).fetchone()[0]
    assert "2026" in text

    # The next day starts another month: nothing monthly is written again.
    assert run_day(dag, MONTH_END + dt.timedelta(days=1)).state == "success"
    again = dict(world.execute("SELECT kind, count(*) FROM notice GROUP BY kind").fetchall())
    assert again.get("account_missing_or_unverified") == gaps[0]


def test_each_overdue_accreditation_request_gets_one_notice(dag, world, platforms):
    institution_id = world.execute("SELECT min(id) FROM institution").fetchone()[0]
    # Requested Tuesday 3 March 10:00 Tashkent; undecided. Day 3 (Friday 6th) is still on
    # time; from day 4 (Saturday 7th) it is overdue.
    world.execute(
        "INSERT INTO accreditation_request (institution_id, external_ref, applicant_name,"
        " applicant_type, requested_at) VALUES (%s, 'ACR-TEST-1', 'Test Applicant',"
        " 'journalist', '2026-03-03 05:00+00')",
        [institution_id],
    )
    world.commit()
    overdue = "SELECT count(*) FROM notice WHERE dedup_key = 'accreditation_overdue:' || %s"
    request_id = world.execute(
        "SELECT id FROM accreditation_request WHERE external_ref = 'ACR-TEST-1'"
    ).fetchone()[0]

    assert run_day(dag, dt.date(2026, 3, 6)).state == "success"
    assert count(world, overdue, [str(request_id)]) == 0
    assert run_day(dag, dt.date(2026, 3, 7)).state == "success"
    assert count(world, overdue, [str(request_id)]) == 1
    assert run_day(dag, SUNDAY).state == "success"
    assert count(world, overdue, [str(request_id)]) == 1
    facts = world.execute(
        "SELECT body_text FROM notice WHERE dedup_key = 'accreditation_overdue:' || %s",
        [str(request_id)],
    ).fetchone()[0]
    assert "ACR-TEST-1" in facts


# --- faults ----------------------------------------------------------------------------------

RESULTS = ("post", "wikipedia_check", "account_daily", "account_week", "institution_daily")

# Each platform's own "slow down" signal, and one failure that is retried.
FAULTS = [
    ("facebook", "rate_limit", {"code": 4}),
    ("facebook", "server_error", {"status": 500}),
    ("instagram", "rate_limit", {"code": 32, "status": 403}),
    ("instagram", "malformed", {}),
    ("x", "rate_limit", {"retry_after": 1}),
    ("x", "timeout", {"delay_seconds": 4}),
    ("telegram", "rate_limit", {"retry_after": 1}),
    ("telegram", "server_error", {"status": 502}),
    ("tme", "rate_limit", {"retry_after": 0}),
    ("tme", "malformed", {}),
    ("wiki", "rate_limit", {"variant": "maxlag", "retry_after": 0}),
    ("wiki", "server_error", {"status": 503}),
]


def forget_fetched(conn) -> None:
    """Back to the state before any run: no posts, facts, checks or results."""
    conn.execute(
        "TRUNCATE post, wikipedia_check, account_compliance_daily, account_week_compliance,"
        " institution_compliance_daily, notice, quarantine CASCADE"
    )
    conn.execute(
        "UPDATE social_account SET verified = NULL, verified_type = NULL, followers = NULL,"
        " facts_checked_at = NULL, covered_from = NULL, covered_until = NULL,"
        " last_post_at = NULL, last_post_id = NULL, last_fetch_at = NULL,"
        " last_fetch_error = NULL"
    )
    conn.commit()


def task_states(result) -> dict[tuple[str, int], str]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state)
            .filter(TaskInstance.dag_id == result.dag_id, TaskInstance.run_id == result.run_id)
            .all()
        )
    return {
        (task_id, map_index): str(getattr(state, "value", state))
        for task_id, map_index, state in rows
    }


def test_rate_limits_server_errors_timeouts_and_bad_bodies_give_the_same_data(
    dag, world, platforms
):
    assert run_day(dag, SUNDAY).state == "success"
    fault_free = {k: v for k, v in snapshot(world).items() if k in RESULTS}
    forget_fetched(world)
    platforms.reset()
    for platform, kind, extra in FAULTS:
        platforms.fault(platform, kind, **extra)

    result = run_day(dag, SUNDAY)

    assert result.state == "success"
    served = {(r["platform"], r["fault"]) for r in platforms.requests() if r.get("fault")}
    assert served == {(platform, kind) for platform, kind, _ in FAULTS}
    assert {k: v for k, v in snapshot(world).items() if k in RESULTS} == fault_free


def test_a_platform_that_stays_down_fails_only_its_own_tasks(dag, world, platforms):
    platforms.fault("x", "server_error", times=1000, status=503)

    result = run_day(dag, SUNDAY)

    assert result.state == "failed"
    states = task_states(result)
    failed = {key for key, state in states.items() if state == "failed"}
    assert failed == {("fetch_posts", 1)}  # the batches are in platform order: x is the second
    assert states[("check_wikipedia", -1)] == "success"
    assert states[("compute_compliance", -1)] == "upstream_failed"
    assert count(world, "SELECT count(*) FROM account_compliance_daily") == 0
    loaded = {p for (p,) in world.execute(
        "SELECT DISTINCT a.platform FROM post AS p JOIN social_account AS a ON a.id = p.account_id"
    )}  # fmt: skip
    assert "x" not in loaded and {"facebook", "telegram"} <= loaded

    platforms.reset()  # the platform is back: the next run completes the day
    assert run_day(dag, SUNDAY).state == "success"
    assert count(world, "SELECT count(*) FROM account_compliance_daily") > 0


def test_a_bad_item_is_quarantined_and_the_rest_is_loaded(dag, world, platforms):
    platforms.fault("facebook", "bad_item", path_contains="/posts")

    result = run_day(dag, SUNDAY)

    assert result.state == "success"
    rows = world.execute("SELECT source, reason, raw_payload FROM quarantine").fetchall()
    assert len(rows) == 1
    source, reason, raw = rows[0]
    assert source.startswith("facebook:") and "created_time" in reason
    bad_id = json.loads(raw)["id"]
    assert count(world, "SELECT count(*) FROM post WHERE platform_post_id = %s", [bad_id]) == 0
    assert count(world, "SELECT count(*) FROM post") > 0
