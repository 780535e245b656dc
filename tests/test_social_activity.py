"""The daily fetch: which day a run checks, which windows it asks for, how the accounts are
split into batches, and which account rows a fetch writes."""

from __future__ import annotations

import datetime as dt

import pytest

from presswatch import settings as settings_module
from presswatch.activity import daily
from presswatch.activity.daily import missing_windows, needed_period, run_day
from presswatch.errors import PresswatchError

UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def config():
    return settings_module.get()


def test_a_run_checks_the_local_day_its_interval_starts_on(config):
    # Tashkent midnight is 19:00 UTC the evening before: the interval that starts at
    # 2026-03-07 19:00Z is the local day 8 March, not 7 March.
    assert run_day({"data_interval_start": utc(2026, 3, 7, 19)}, config) == dt.date(2026, 3, 8)
    assert run_day({"data_interval_start": utc(2026, 3, 8, 0)}, config) == dt.date(2026, 3, 8)
    assert run_day({"data_interval_start": utc(2026, 3, 8, 18, 59)}, config) == dt.date(2026, 3, 8)


def test_a_run_without_an_interval_takes_the_day_param_or_yesterday(config):
    assert run_day({"params": {"day": "2026-02-28"}}, config) == dt.date(2026, 2, 28)
    yesterday = dt.datetime.now(config.tz).date() - dt.timedelta(days=1)
    assert run_day({"params": {"day": None}}, config) == yesterday


def test_the_day_needs_its_rolling_window_in_local_time(config):
    assert needed_period(dt.date(2026, 3, 8), config) == (utc(2026, 3, 1, 19), utc(2026, 3, 8, 19))


NEED = (utc(2026, 3, 1, 19), utc(2026, 3, 8, 19))


@pytest.mark.parametrize(
    ("covered", "windows"),
    [
        ((None, None), [NEED]),  # never fetched: the whole window
        ((utc(2026, 2, 1), utc(2026, 3, 9)), []),  # already stored: nothing
        ((utc(2026, 2, 1), utc(2026, 3, 7, 19)), [(utc(2026, 3, 7, 19), NEED[1])]),  # the next day
        ((utc(2026, 3, 5), utc(2026, 4, 1)), [(NEED[0], utc(2026, 3, 5))]),  # a backfill
        (
            (utc(2026, 3, 3), utc(2026, 3, 4)),
            [(NEED[0], utc(2026, 3, 3)), (utc(2026, 3, 4), NEED[1])],
        ),
        ((utc(2026, 4, 1), utc(2026, 4, 5)), [(NEED[0], utc(2026, 4, 1))]),  # stays contiguous
    ],
)
def test_only_what_is_not_stored_is_asked_for(covered, windows):
    assert missing_windows(NEED, covered) == windows


def test_accounts_are_batched_per_platform_with_readable_names(conn):
    conn.execute(
        "INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru,"
        " name_en) VALUES ('a', 'ministry', (SELECT min(code) FROM region), 'A', 'А', 'А', 'A'),"
        " ('b', 'ministry', (SELECT min(code) FROM region), 'B', 'Б', 'Б', 'B')"
    )
    conn.execute(
        "INSERT INTO social_account (institution_id, platform, handle, active)"
        " SELECT i.id, p, i.code || '_' || p || n, NOT (i.code = 'b' AND n = 3)"
        "   FROM institution AS i, unnest(ARRAY['telegram', 'x']) AS p, generate_series(1, 3) AS n"
    )
    batches = daily.plan_batches(conn, ["telegram", "x"], None, batch_size=2)
    assert [b.label for b in batches] == [
        "x 1/3 (2 accounts)", "x 2/3 (2 accounts)", "x 3/3 (1 account)",
        "telegram 1/3 (2 accounts)", "telegram 2/3 (2 accounts)", "telegram 3/3 (1 account)",
    ]  # fmt: skip
    only_a = daily.plan_batches(conn, ["telegram"], ["a"], batch_size=10)
    assert [(b.label, b.accounts) for b in only_a] == [("telegram 1/1 (3 accounts)", 3)]
    assert daily.Batch.from_dict(only_a[0].as_dict()) == only_a[0]
    with pytest.raises(PresswatchError, match="unknown platforms"):
        daily.plan_batches(conn, ["myspace"], None)


# -- Which account rows a fetch writes --------------------------------------------------------

DAY = dt.date(2026, 3, 29)
LIVE = {"airflow_dag_id": "social_activity_daily", "airflow_run_id": None,
        "airflow_run_type": "scheduled"}  # fmt: skip
BACKFILL = {**LIVE, "airflow_run_type": "backfill"}


def account_rows(conn) -> dict[int, tuple]:
    """Each account's row version (xmin changes with any write) and fetch state."""
    conn.commit()
    rows = conn.execute(
        "SELECT id, xmin::text, last_fetch_at, last_fetch_error, covered_from, covered_until"
        " FROM social_account ORDER BY id"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.mark.slow
def test_an_account_nothing_is_asked_about_keeps_its_row(conn, clean_db, simulator, monkeypatch):
    """A backfill of a day already fetched asks the platforms about no readable account and
    writes none of their rows (no last_fetch_at, no history trigger work): what bounded a
    backfill of stored days. An account that could not be read is asked again and its row
    says so; a backfill of an earlier day widens the readable accounts' periods (a write)."""
    from helpers import FAST_CONNECTORS, fetch_day

    from presswatch.demo import generator
    from presswatch.simulator import airflow_connections

    generator.seed(conn, institutions=2, seed=5, days=30, end_date=DAY)
    for name, value in airflow_connections(conn, simulator.base_url, FAST_CONNECTORS).items():
        monkeypatch.setenv(name, value)
    conn.commit()
    url = clean_db
    fetch_day(url, DAY, LIVE)
    live = account_rows(conn)
    unreadable = {id_ for id_, row in live.items() if row[2] is not None}
    assert unreadable and len(unreadable) < len(live)  # the demo has pages that cannot be read

    simulator.reset()
    reports = fetch_day(url, DAY, BACKFILL)

    again = account_rows(conn)
    assert {i for i in live if again[i] != live[i]} == {i for i in unreadable if i in again}
    assert all(again[i][1] > live[i][1] and again[i][2] == live[i][2] for i in unreadable)
    assert sum(r["accounts_up_to_date"] for r in reports) == len(live) - len(unreadable)
    assert sum(r["facts_read"] for r in reports) == 0
    names = {
        name
        for row in conn.execute(
            "SELECT handle, external_id FROM social_account WHERE id = ANY (%s)", [list(unreadable)]
        )
        for name in row
        if name
    }
    asked = [r for r in simulator.requests() if r["platform"] != "wiki"]
    assert asked and all(any(n in f"{r['path']} {r.get('query')}" for n in names) for r in asked)

    earlier = fetch_day(url, DAY - dt.timedelta(days=10), BACKFILL)
    widened = account_rows(conn)
    readable = set(live) - unreadable
    assert all(widened[i][0] != again[i][0] and widened[i][3] < live[i][3] for i in readable)
    assert all(widened[i][4] == live[i][4] for i in readable)
    assert sum(r["accounts_fetched"] for r in earlier) == len(readable)
