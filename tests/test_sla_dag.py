"""The ``critical_story_sla_hourly`` DAG, run for real (``dag.test()``) against the simulated
portal, news feeds and platforms on a small demo world: stories ingested and matched, clocks
advanced hour by hour with their stage history and notices; reruns; dry runs; bad feeds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from presswatch.paths import DAGS
from presswatch.simulator import airflow_connections

TASHKENT = ZoneInfo("Asia/Tashkent")
END = dt.date(2026, 3, 31)
SEED = {"institutions": 6, "seed": 11, "days": 12, "end_date": END}

# What a run writes that a rerun must leave exactly as it was.
SNAPSHOT = {
    "story": "SELECT canonical_url, source, title, published_at, first_seen_at, critical_score,"
    " critical_terms, is_critical, operator_decision FROM story",
    "story_item": "SELECT f.code, i.item_key, s.canonical_url, i.first_seen_at FROM story_item AS i"
    " JOIN story AS s ON s.id = i.story_id JOIN story_feed AS f ON f.id = i.feed_id",
    "story_institution": "SELECT s.canonical_url, si.institution_id, si.match_method"
    " FROM story_institution AS si JOIN story AS s ON s.id = si.story_id",
    "story_response": "SELECT s.canonical_url, r.institution_id, r.responded_at, r.channel, r.url,"
    " r.origin FROM story_response AS r JOIN story AS s ON s.id = r.story_id",
    "story_sla": "SELECT s.canonical_url, c.institution_id, c.clock_started_at, c.reminder_at,"
    " c.due_at, c.escalate_at, c.opened_at, c.detected_late, c.stage, c.stage_at,"
    " c.first_response_at, c.closed_at FROM story_sla AS c JOIN story AS s ON s.id = c.story_id",
    # Story ids depend on the order stories arrived in (feeds are read in parallel): stories
    # are named by their URL, in notice keys too.
    "story_sla_event": "SELECT s.canonical_url, e.institution_id, e.stage, e.occurred_at,"
    " e.recorded_at, e.detected_late, replace(e.notice_key, ':' || s.id || ':', ':story:')"
    " FROM story_sla_event AS e JOIN story AS s ON s.id = e.story_id",
    "notice": "SELECT kind, dedup_key, institution_id, language, recipients, cc, subject,"
    " status FROM notice",
    "quarantine": "SELECT source, reason FROM quarantine",
}


def snapshot(conn) -> dict[str, list]:
    conn.commit()
    return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in SNAPSHOT.items()}


def count(conn, sql: str, params=None) -> int:
    return conn.execute(sql, params).fetchone()[0]


@pytest.fixture
def world(conn):
    """Six demo institutions with twelve days of simulated news up to the end of March."""
    from presswatch.demo import generator

    generator.seed(conn, **SEED)
    conn.commit()
    return conn


@pytest.fixture
def sources(world, simulator, monkeypatch):
    """Airflow connections pointing the portal, the feeds and the platforms at the simulator."""
    fast = {"timeout": 2, "max_retries": 3, "throttle_wait": 0.05}
    for name, value in airflow_connections(world, simulator.base_url, fast).items():
        monkeypatch.setenv(name, value)
    return simulator


@pytest.fixture
def dag(airflow_db, db_url):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "critical_story_sla_hourly.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.dags["critical_story_sla_hourly"]


def local_hour(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), TASHKENT)


def run_hour(dag, start: dt.datetime, **conf):
    """A run for the local hour starting at ``start``."""
    from helpers import run_dag

    # dag.test() runs the interval that ends at the logical date.
    return run_dag(dag, logical_date=start + dt.timedelta(hours=1), run_conf=conf or None)


def events(conn) -> list[tuple]:
    return conn.execute(
        "SELECT story_id, institution_id, stage, occurred_at, recorded_at, notice_key"
        "  FROM story_sla_event ORDER BY story_id, institution_id, occurred_at, stage"
    ).fetchall()


STAGE_ORDER = ("opened", "reminder", "breached", "escalated")


def test_hours_in_sequence_advance_every_clock_and_give_each_stage_notice_once(dag, world, sources):
    conn = world
    hours = [local_hour(END, h) for h in (9, 10, 11)]
    for start in hours:
        assert run_hour(dag, start).state == "success"

    # Stories came from the portal and the feeds, duplicates merged, matched and scored.
    assert count(conn, "SELECT count(*) FROM story") > 20
    assert count(conn, "SELECT count(*) FROM story_item") > count(
        conn, "SELECT count(*) FROM story"
    )
    assert count(conn, "SELECT count(*) FROM story_institution WHERE match_method = 'alias'") > 0
    assert count(conn, "SELECT count(*) FROM story WHERE is_critical") > 0
    # Every clock has its opening; stages come in their order, each at or after the last.
    clocks = count(conn, "SELECT count(*) FROM story_sla")
    assert clocks > 0
    assert count(conn, "SELECT count(*) FROM story_sla_event WHERE stage = 'opened'") == clocks
    history: dict[tuple, list] = {}
    for story_id, institution_id, stage, occurred_at, recorded_at, _ in events(conn):
        history.setdefault((story_id, institution_id), []).append((stage, occurred_at))
        assert recorded_at in {h.astimezone(dt.UTC) + dt.timedelta(hours=1) for h in hours}
    for stages in history.values():
        names = [stage for stage, _ in stages]  # by the time each happened
        assert "opened" in names
        # (an answer may come before the story was first seen, so "opened" is not always first)
        deadlines = [s for s in names if s in STAGE_ORDER[1:]]
        assert deadlines == sorted(deadlines, key=STAGE_ORDER.index)
        assert len(set(names) & {"fulfilled", "fulfilled_late", "dismissed"}) <= 1
    seen = {stage for stages in history.values() for stage, _ in stages}
    assert {"opened", "reminder", "breached", "escalated", "fulfilled"} <= seen
    # One notice per reminder, breach and escalation, in the institution's language.
    noticed = conn.execute(
        "SELECT e.stage, n.kind, n.language = i.preferred_language"
        "  FROM story_sla_event AS e JOIN notice AS n ON n.dedup_key = e.notice_key"
        "  JOIN institution AS i ON i.id = e.institution_id"
    ).fetchall()
    kinds = {"reminder": "story_sla_reminder", "breached": "story_sla_breach",
             "escalated": "story_sla_escalation"}  # fmt: skip
    assert noticed
    # Every reminder, breach and escalation has its notice, unless the clock was answered (or
    # dismissed) by the end of the hour that reached it: a letter then would be wrong.
    unexplained = (
        "SELECT count(*) FROM story_sla_event AS e"
        "  JOIN story_sla AS c USING (story_id, institution_id)"
        " WHERE e.stage IN ('reminder', 'breached', 'escalated')"
        "   AND (e.notice_key IS NULL) <> (c.closed_at IS NOT NULL AND c.closed_at <= e.recorded_at)"
    )
    assert count(conn, unexplained) == 0
    assert all(kind == kinds[stage] and same_language for stage, kind, same_language in noticed)
    assert {s for (s,) in conn.execute("SELECT DISTINCT status FROM notice")} <= {
        "suppressed",
        "undeliverable",
    }
    before = snapshot(conn)

    assert run_hour(dag, hours[-1]).state == "success"  # the same hour again

    assert snapshot(conn) == before


def test_a_dry_run_reads_the_sources_and_writes_nothing(dag, world, sources):
    before = snapshot(world)

    result = run_hour(dag, local_hour(END, 9), dry_run=True)

    assert result.state == "success"
    assert any(r["platform"] == "portal" for r in sources.requests())
    assert snapshot(world) == before


def test_an_operator_dismissal_in_a_run_closes_the_clock(dag, world, sources):
    assert run_hour(dag, local_hour(END, 9)).state == "success"
    story_id, institution_id = world.execute(
        "SELECT story_id, institution_id FROM story_sla WHERE closed_at IS NULL"
        " ORDER BY story_id LIMIT 1"
    ).fetchone()

    result = run_hour(dag, local_hour(END, 10), dismiss_story_ids=[story_id])

    assert result.state == "success"
    assert world.execute(
        "SELECT stage FROM story_sla WHERE story_id = %s AND institution_id = %s",
        [story_id, institution_id],
    ).fetchone() == ("dismissed",)
    assert world.execute(
        "SELECT operator_decision, is_critical FROM story WHERE id = %s", [story_id]
    ).fetchone() == ("dismissed", False)


def test_bad_feed_items_are_quarantined_and_the_good_ones_ingested(dag, world, sources):
    """Items without a title or a link, with an unparsable date, HTML and scripts in the title,
    a 5 MB text, an item listed twice, and a feed that is not XML: the run succeeds."""
    conn = world
    listed = dt.datetime(2026, 3, 31, 4, 0, tzinfo=dt.UTC)
    conn.execute("UPDATE story_feed SET active = false")
    conn.execute(
        "INSERT INTO story_feed (code, kind, name, url, language) VALUES"
        " ('bad-news', 'rss', 'Bad news', 'https://bad-news.example/rss', 'uz-Latn'),"
        " ('broken', 'rss', 'Broken', 'https://broken.example/rss', 'ru')"
    )
    conn.execute(
        "INSERT INTO sim.feed (host, path, title) VALUES ('bad-news.example', '/rss', 'Bad news')"
    )
    conn.execute(
        "INSERT INTO sim.feed (host, path, title, raw_body) VALUES"
        " ('broken.example', '/rss', 'Broken', '<html><body>502 Bad Gateway</body></html>')"
    )
    items = [
        ("g1", "https://bad-news.example/1", "Suv taʼminoti uzildi", "Tue, 31 Mar 2026 08:00:00 +0500", "x"),
        ("g2", "https://bad-news.example/2", None, "Tue, 31 Mar 2026 08:01:00 +0500", "x"),
        ("g3", None, "Havolasiz xabar", "Tue, 31 Mar 2026 08:02:00 +0500", "x"),
        ("g4", "https://bad-news.example/4", "Sanasiz xabar", "kecha kechqurun", "x"),
        ("g5", "https://bad-news.example/5", "<b>Gaz</b> <script>alert(1)</script>yoʻq",
         "Tue, 31 Mar 2026 08:04:00 +0500", "x"),
        ("g6", "https://bad-news.example/6", "Uzun matn", "Tue, 31 Mar 2026 08:05:00 +0500",
         "soʻz " * (5 * 2**20 // 5)),
        ("g1", "https://bad-news.example/1", "Suv taʼminoti uzildi", "Tue, 31 Mar 2026 08:00:00 +0500", "x"),
    ]  # fmt: skip
    for n, (guid, link, title, pub_date, body) in enumerate(items):
        conn.execute(
            "INSERT INTO sim.feed_item (host, path, guid, link, title, body, pub_date, listed_at)"
            " VALUES ('bad-news.example', '/rss', %s, %s, %s, %s, %s, %s)",
            [guid, link, title, body, pub_date, listed + dt.timedelta(minutes=n)],
        )
    conn.commit()

    result = run_hour(dag, local_hour(END, 9))

    assert result.state == "success"
    stored = conn.execute(
        "SELECT s.title, s.body_truncated, length(s.body) FROM story AS s"
        "  JOIN story_feed AS f ON f.id = s.feed_id WHERE f.code = 'bad-news' ORDER BY s.title"
    ).fetchall()
    assert [(title, truncated) for title, truncated, _ in stored] == [
        ("Gaz yoʻq", False),
        ("Suv taʼminoti uzildi", False),
        ("Uzun matn", True),
    ]
    assert count(conn, "SELECT count(*) FROM story_item WHERE item_key = 'g1'") == 1
    reasons = [
        reason
        for (reason,) in conn.execute(
            "SELECT reason FROM quarantine WHERE source LIKE 'feed:%%' ORDER BY reason"
        ).fetchall()
    ]
    assert len(reasons) == 5, reasons  # no title, no link, bad date, the cut text, not a feed
    assert any("title" in r for r in reasons) and any("link" in r for r in reasons)
    assert any("kecha kechqurun" in r for r in reasons)
    assert any("cut to" in r for r in reasons)
    assert any("not an RSS or Atom feed" in r for r in reasons)
    assert conn.execute(
        "SELECT last_status IS NOT NULL, last_error LIKE 'not an RSS or Atom feed%%'"
        "  FROM story_feed WHERE code = 'broken'"
    ).fetchone() == (True, True)
