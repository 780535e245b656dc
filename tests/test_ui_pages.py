"""The presswatch view's pages (``presswatch.ui.pages``) and their HTML (``presswatch.ui.render``)
against a real PostgreSQL, without the API server: what the league table, the SLA board and an
institution's page show, their paging, the SLA board's moment, escaping, and the time a world
of 3,000 institutions takes. (The login, the routes and the browser: ``test_ui_browser``.)"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from decimal import Decimal

import pytest
from test_rating_compute import H1, H2_2024, add_account, add_institution, build_world

from presswatch import db
from presswatch.rating import compute as rating
from presswatch.ui import bench, chart, pages, render

TASHKENT = dt.timezone(dt.timedelta(hours=5))
HOUR = dt.timedelta(hours=1)
T0 = dt.datetime(2026, 3, 31, 12, 0, tzinfo=TASHKENT)
_ids = itertools.count(1)


def html(template: str, data, path: str = "/", params=None) -> str:
    """The page as the app renders it for ``path`` with the query ``params``."""
    return render.render(template, render.Urls("/presswatch", path, params), user="tester",
                         data=data, bands=pages.BANDS, stages=pages.BOARD_STAGES)  # fmt: skip


# --- the league table -----------------------------------------------------------------------


@pytest.fixture
def rated(conn):
    """test_rating_compute's world rated for 2024-H2 and 2025-H1: alpha and beta tie at 67.50
    (rank 1), gamma 23.33 (rank 3, red, held accountable)."""
    build_world(conn)
    rating.compute(conn, None, H2_2024)
    rating.compute(conn, None, H1)
    conn.commit()
    return conn


def test_the_league_shows_the_newest_rating_best_first_with_bands_and_changes(rated):
    league = pages.league(rated)

    assert (league["rating"]["period"], league["rating"]["version"]) == ("2025-H1", 1)
    assert (league["rating"]["green_min"], league["rating"]["yellow_min"]) == (71, 55)
    assert [(r["rank"], r["code"], r["score"], r["band"]) for r in league["rows"]] == [
        (1, "alpha", Decimal("67.50"), "yellow"),
        (1, "beta", Decimal("67.50"), "yellow"),  # a tie shares the rank, by code within it
        (3, "gamma", Decimal("23.33"), "red"),
    ]
    assert league["rows"][0]["score_change"] == Decimal("-10.28")  # against 2024-H2's 77.78
    assert league["rows"][2]["accountable_because"] == ["red_band", "lowest_share"]
    assert league["summary"] == {"institutions": 3, "rated": 3, "green": 0, "yellow": 2,
                                 "red": 1, "unrated": 0, "held_accountable": 1}  # fmt: skip
    assert [(r["period"], r["version"]) for r in league["ratings"]] == [("2025-H1", 1),
                                                                        ("2024-H2", 1)]  # fmt: skip
    page = html("rating.html", league, "/rating")
    assert "Rating 2025-H1" in page and 'href="/presswatch/institutions/gamma"' in page
    assert 'href="/presswatch/rating?period=2024-H2&amp;version=1"' in page


def test_the_league_pages_filters_by_band_and_finds_names_taking_wildcards_literally(rated):
    second = pages.league(rated, page=2, per_page=2)
    assert [r["code"] for r in second["rows"]] == ["gamma"]
    assert second["paging"].as_dict() == {"page": 2, "per_page": 2, "total": 3, "pages": 2,
                                          "first_item": 3, "last_item": 3}  # fmt: skip
    page = html("rating.html", second, "/rating", {"page": 2, "per_page": 2})
    assert 'href="/presswatch/rating?page=1&amp;per_page=2"' in page and "3–3 of 3" in page

    assert [r["code"] for r in pages.league(rated, band="red")["rows"]] == ["gamma"]
    assert pages.league(rated, band="unrated")["rows"] == []
    assert [r["code"] for r in pages.league(rated, q="GAM")["rows"]] == ["gamma"]
    assert pages.league(rated, q="%")["rows"] == []  # a literal %, in no name
    older = pages.league(rated, period="2024-H2")
    assert older["rating"]["period"] == "2024-H2"
    assert [(r["code"], r["band"]) for r in older["rows"]] == [
        ("alpha", "green"), ("gamma", "red"), ("beta", None)]  # fmt: skip

    for bad in ({"band": "purple"}, {"period": "2025"}, {"version": 2}, {"per_page": 501},
                {"page": 0}, {"q": "x" * 201}):  # fmt: skip
        with pytest.raises(pages.InvalidParameter):
            pages.league(rated, **bad)
    with pytest.raises(pages.NotFound, match="2023-H1"):
        pages.league(rated, period="2023-H1")


def test_without_a_rating_the_league_says_none_has_been_computed(conn):
    league = pages.league(conn)
    assert league["rating"] is None and league["rows"] == []
    assert "No rating has been computed yet" in html("rating.html", league, "/rating")


# --- the SLA board --------------------------------------------------------------------------


def add_clock(conn, inst: int, started: dt.datetime, *, first_seen=None, closed_at=None,
              title="Story", url=None) -> int:  # fmt: skip
    """A 24-hour clock (reminder 6 hours before, escalation 24 hours after the deadline)."""
    n = next(_ids)
    url = url or f"https://kun.uz/news/{n}"
    story = conn.execute(
        "INSERT INTO story (source, external_id, url, title, published_at, is_critical,"
        " canonical_url, title_key) VALUES ('kun.uz', %s, %s, %s, %s, true, %s, %s) RETURNING id",
        [f"s{n}", url, title, started, f"https://kun.uz/c/{n}", f"t{n}"],
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO story_institution (story_id, institution_id, match_method)"
        " VALUES (%s, %s, 'manual')",
        [story, inst],
    )
    due = started + 24 * HOUR
    conn.execute(
        "INSERT INTO story_sla (story_id, institution_id, clock_started_at, calendar,"
        " reminder_at, due_at, escalate_at, opened_at, detected_late, stage, stage_at,"
        " first_response_at, closed_at, settings_sha256)"
        " VALUES (%s, %s, %s, 'calendar_hours', %s, %s, %s, %s, %s, %s, %s, %s, %s, 'test')",
        [story, inst, started, due - 6 * HOUR, due, due + 24 * HOUR, first_seen or started,
         (first_seen or started) > due, "fulfilled" if closed_at else "opened",
         closed_at or started, closed_at, closed_at],
    )  # fmt: skip
    return story


def sweep_recorded(conn, story: int, inst: int, at: dt.datetime) -> None:
    conn.execute(
        "INSERT INTO story_sla_event (story_id, institution_id, stage, occurred_at, recorded_at)"
        " VALUES (%s, %s, 'opened', %s, %s)",
        [story, inst, at, at],
    )


@pytest.fixture
def board(conn):
    inst, _ = add_institution(conn, "alpha")
    clocks = {
        "not_yet_due": add_clock(conn, inst, T0 - 2 * HOUR),  # due T0 + 22 h
        "reminded": add_clock(conn, inst, T0 - 20 * HOUR),  # due T0 + 4 h
        "breached": add_clock(conn, inst, T0 - 30 * HOUR),  # due T0 - 6 h
        "escalated": add_clock(conn, inst, T0 - 50 * HOUR),  # escalated at T0 - 2 h
        "answered": add_clock(conn, inst, T0 - 10 * HOUR, closed_at=T0 - HOUR),
        "seen_later": add_clock(conn, inst, T0 - 3 * HOUR, first_seen=T0 + HOUR),
    }
    sweep_recorded(conn, clocks["answered"], inst, T0 - dt.timedelta(minutes=30))
    conn.commit()
    return clocks


def shown(result) -> list[tuple[int, str]]:
    return [(row["story_id"], row["stage"]) for row in result["rows"]]


def test_the_board_shows_the_clocks_open_at_its_moment_by_urgency_with_the_time_left(conn, board):
    now = pages.sla_board(conn, at=T0)

    assert shown(now) == [
        (board["reminded"], "reminder"),  # the soonest deadline not yet passed first
        (board["not_yet_due"], "opened"),
        (board["breached"], "breached"),
        (board["escalated"], "escalated"),
    ]  # not the answered one, nor the one first seen after T0
    assert now["rows"][0]["time_left"] == 4 * HOUR
    assert now["rows"][2]["time_left"] == -6 * HOUR
    assert now["counts"] == {"opened": 1, "reminder": 1, "breached": 1, "escalated": 1}
    assert (now["stale"], now["before_last_sweep"]) == (False, False)
    page = html("sla.html", now, "/sla")
    assert "4 h 0 min" in page and "overdue 6 h 0 min" in page and "4</b>" in page

    # Two hours earlier: the answered clock was still open, the escalated one only breached.
    earlier = pages.sla_board(conn, at=T0 - 2 * HOUR)
    assert dict((story, stage) for story, stage in shown(earlier)) == {
        board["not_yet_due"]: "opened", board["answered"]: "opened",
        board["reminded"]: "reminder", board["breached"]: "breached",
        board["escalated"]: "escalated",  # escalate_at = T0 - 2 h: reached at that instant
    }  # fmt: skip
    assert earlier["before_last_sweep"] and "A past moment" in html("sla.html", earlier, "/sla")

    # Five hours later, with no sweep since: the deadlines say breached, and the page warns.
    later = pages.sla_board(conn, at=T0 + 5 * HOUR, stage="breached")
    assert [story for story, _ in shown(later)] == [board["breached"], board["reminded"]]
    assert later["stale"] and later["paging"].total == 2
    page = html("sla.html", later, "/sla", {"stage": "breached"})
    assert "after anything the hourly sweep recorded" in page
    assert 'href="/presswatch/sla?stage=breached&amp;at=2026-03-31T11%3A30"' in page

    with pytest.raises(pages.InvalidParameter):
        pages.sla_board(conn, at=T0, stage="answered")


def test_the_board_reads_its_moment_as_local_time_unless_it_has_an_offset():
    tz = dt.timezone(dt.timedelta(hours=5))
    assert pages.parse_moment("2026-03-31T18:00", tz) == dt.datetime(2026, 3, 31, 13, tzinfo=dt.UTC)
    assert pages.parse_moment("2026-03-31T18:00+00:00", tz) == dt.datetime(
        2026, 3, 31, 18, tzinfo=dt.UTC
    )
    assert pages.parse_moment("", tz) is None
    with pytest.raises(pages.InvalidParameter, match="at must be"):
        pages.parse_moment("yesterday", tz)


# --- an institution -------------------------------------------------------------------------


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TASHKENT)


def add_posts(conn, account: int, *times: str) -> None:
    for moment in times:
        conn.execute(
            "INSERT INTO post (account_id, platform_post_id, posted_at) VALUES (%s, %s, %s)",
            [account, f"p{next(_ids)}", local(moment)],
        )


def test_an_institution_page_shows_its_accounts_weekly_posts_clocks_and_notices(conn):
    inst, head = add_institution(conn, "alpha")
    secretary = conn.execute(
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
        " VALUES ('alpha-ps', %s, 'press_secretary', 'Press Person', 'Press secretary',"
        " 'ps@example.uz') RETURNING id",
        [inst],
    ).fetchone()[0]
    own_page = conn.execute(
        "INSERT INTO social_account (institution_id, platform, handle) VALUES (%s, 'telegram',"
        " 'alpha_uz') RETURNING id",
        [inst],
    ).fetchone()[0]
    press = add_account(conn, inst, secretary, "telegram")
    head_fb = add_account(conn, inst, head, "facebook")
    # The head's posts are fetched from Monday 2 March to Wednesday 18 March (local), the
    # institution's page from 9 March; the press secretary's never.
    for account, start in ((head_fb, "2026-03-02"), (own_page, "2026-03-09")):
        conn.execute(
            "UPDATE social_account SET covered_from = %s, covered_until = %s WHERE id = %s",
            [local(f"{start} 00:00"), local("2026-03-19 00:00"), account],
        )
    # Week of 2 March: 3 posts (met), the last late on Sunday night; week of 9 March: 2 (the
    # post at 00:30 on Monday 9 March is that week's); week of 16 March (partial): 1.
    add_posts(conn, head_fb, "2026-03-02 09:00", "2026-03-05 12:00", "2026-03-08 23:30",
              "2026-03-09 00:30", "2026-03-12 10:00", "2026-03-17 08:00")  # fmt: skip
    add_posts(conn, own_page, "2026-03-10 10:00")
    for n in range(3):
        add_clock(conn, inst, T0 - (n + 1) * 30 * HOUR, title=f"Story {n}")
    for n in range(3):
        conn.execute(
            "INSERT INTO notice (kind, dedup_key, institution_id, language, reference_no,"
            " recipients, subject, body_html, body_text, status, created_at)"
            " VALUES ('story_sla_breach', %s, %s, 'uz-Latn', %s, ARRAY['a@example.uz'],"
            " %s, '<p>x</p>', 'x', 'suppressed', %s)",
            [f"k{n}", inst, f"PW-2026-00000{n}", f"Subject {n}", T0 + n * HOUR],
        )
    conn.commit()

    page = pages.institution(conn, "alpha", per_page=2)

    assert [(a["platform"], a["role"]) for a in page["accounts"]] == [
        ("facebook", "head"), ("telegram", "press_secretary"), ("telegram", None)]  # fmt: skip
    posting = page["posting"]
    assert (posting["first_week"], posting["last_day"], posting["weeks"]) == (
        dt.date(2026, 3, 2), dt.date(2026, 3, 18), 3)  # fmt: skip
    rows = {row.account_id: row for row in posting["chart"].rows}
    assert [(b.posts, b.coverage, b.state) for b in rows[head_fb].bars] == [
        (3, "full", "met"), (2, "full", "below"), (1, "partial", "below")]  # fmt: skip
    assert rows[head_fb].threshold_y is not None and rows[own_page].threshold_y is None
    assert [(b.posts, b.coverage, b.state) for b in rows[own_page].bars] == [
        (0, "none", "unknown"), (1, "full", "other"), (0, "partial", "other")]  # fmt: skip
    assert {b.coverage for b in rows[press].bars} == {"none"}
    assert [row.account_id for row in posting["chart"].rows] == [head_fb, press, own_page]

    assert page["sla"]["counts"] == {"opened": 3}
    assert [r["title"] for r in page["sla"]["rows"]] == ["Story 0", "Story 1"]  # newest first
    assert page["sla"]["paging"].pages == 2
    assert [n["subject"] for n in page["notices"]["rows"]] == ["Subject 2", "Subject 1"]
    second = pages.institution(conn, "alpha", per_page=2, sla_page=2, notices_page=2)
    assert [r["title"] for r in second["sla"]["rows"]] == ["Story 2"]
    assert [n["subject"] for n in second["notices"]["rows"]] == ["Subject 0"]

    body = html("institution.html", page, "/institutions/alpha")
    assert body.count('<rect class="bar ') == 5 and ">n/a<" in body
    assert 'href="/presswatch/institutions/alpha?sla_page=2"' in body
    assert 'href="/presswatch/institutions/alpha?notices_page=2"' in body

    with pytest.raises(pages.NotFound, match="nowhere"):
        pages.institution(conn, "nowhere")


def test_a_week_of_posts_is_met_at_the_minimum_and_unknown_weeks_get_no_bar():
    accounts = [{"id": 1, "platform": "x", "handle": "h", "role": "head", "full_name": "A B"}]
    weeks = [
        {"account_id": 1, "week_start": dt.date(2026, 3, 2), "posts": 0, "coverage": "none"},
        {"account_id": 1, "week_start": dt.date(2026, 3, 9), "posts": 3, "coverage": "full"},
        {"account_id": 1, "week_start": dt.date(2026, 3, 16), "posts": 8, "coverage": "full"},
    ]
    drawn = chart.weekly_posts(accounts, weeks, min_posts=3)
    unknown, met, tall = drawn.rows[0].bars
    assert (unknown.state, unknown.height) == ("unknown", 0)
    assert met.state == "met" and drawn.scale_max == 8
    assert tall.height == chart.BAR_AREA and met.y == drawn.rows[0].threshold_y


# --- escaping -------------------------------------------------------------------------------


def test_names_and_titles_with_markup_are_shown_as_text_and_only_http_links_are_linked(rated):
    hostile = '<script>alert("x")</script><b onmouseover=alert(1)>Gamma</b>'
    rated.execute("UPDATE institution SET name_en = %s WHERE code = 'gamma'", [hostile])
    gamma = rated.execute("SELECT id FROM institution WHERE code = 'gamma'").fetchone()[0]
    add_clock(rated, gamma, T0 - HOUR, title="<i>Breaking</i> & more", url="javascript:alert(1)")
    rated.commit()
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b onmouseover=alert(1)&gt;"

    for page in (
        html("rating.html", pages.league(rated), "/rating"),
        html("institutions.html", pages.institutions(rated), "/institutions"),
        html("institution.html", pages.institution(rated, "gamma"), "/institutions/gamma"),
        html("sla.html", pages.sla_board(rated, at=T0), "/sla"),
    ):
        assert escaped in page
        assert "<script>" not in page and "<b onmouseover" not in page
    board = html("sla.html", pages.sla_board(rated, at=T0), "/sla")
    assert "&lt;i&gt;Breaking&lt;/i&gt; &amp; more" in board
    assert "javascript:" not in board  # shown as text, not linked
    assert render.http_url("https://kun.uz/a?b=1") == "https://kun.uz/a?b=1"
    assert render.http_url(" JavaScript:alert(1)") is None and render.http_url(None) is None


# --- 3,000 institutions -----------------------------------------------------------------------

NATIONAL_WORLD = """
-- name: institutions
INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru, name_en)
SELECT 'd' || n, 'district_administration', 'tashkent_region', 'Tuman ' || n, 'Туман ' || n,
       'Район ' || n, 'District ' || n
  FROM generate_series(1, 3000) AS n;
-- name: officials
INSERT INTO official (code, institution_id, role, full_name, position_title, email)
SELECT i.code || '-head', i.id, 'head', 'Head ' || i.id, 'Hokim', 'h' || i.id || '@example.uz'
  FROM institution AS i;
-- name: accounts
INSERT INTO social_account (institution_id, official_id, platform, handle, covered_from,
                            covered_until)
SELECT o.institution_id, o.id, p, 'h' || o.id || '_' || p, %(start)s, %(end)s
  FROM official AS o CROSS JOIN unnest(ARRAY['facebook', 'x', 'instagram', 'telegram']) AS p;
-- name: posts
INSERT INTO post (account_id, platform_post_id, posted_at)
SELECT a.id, a.id || '-' || k, %(start)s + k * interval '3 days 1 hour'
  FROM social_account AS a CROSS JOIN generate_series(0, 27) AS k;
-- name: rating
INSERT INTO rating (period, period_start, period_end, version, methodology, methodology_sha256)
VALUES ('2026-H1', '2026-01-01', '2026-07-01', 1,
        '{"rating": {"bands": {"green_min": 71, "yellow_min": 55}}}', repeat('a', 64));
-- name: results
INSERT INTO rating_result (rating_id, institution_id, score, rank, band, weight_applicable,
                           held_accountable, accountable_because)
SELECT r.id, s.id, s.score, rank() OVER (ORDER BY s.score DESC),
       CASE WHEN s.score >= 71 THEN 'green' WHEN s.score >= 55 THEN 'yellow' ELSE 'red' END, 1,
       s.score < 55, CASE WHEN s.score < 55 THEN ARRAY['red_band'] ELSE '{}' END
  FROM rating AS r,
       (SELECT id, round((abs(hashint4(id::int)) %% 10000) / 100.0, 2) AS score
          FROM institution) AS s;
-- name: stories
INSERT INTO story (source, external_id, url, title, published_at, is_critical, canonical_url,
                   title_key)
SELECT 'kun.uz', 's' || n, 'https://kun.uz/' || n, 'Story ' || n,
       %(end)s - n * interval '7 minutes', true, 'https://kun.uz/' || n, 'story ' || n
  FROM generate_series(1, 30000) AS n;
-- name: matches
INSERT INTO story_institution (story_id, institution_id, match_method)
SELECT s.id, 1 + s.id %% 3000, 'manual' FROM story AS s;
-- name: clocks
INSERT INTO story_sla (story_id, institution_id, clock_started_at, calendar, reminder_at, due_at,
                       escalate_at, opened_at, detected_late, stage, stage_at, closed_at,
                       first_response_at, settings_sha256)
SELECT si.story_id, si.institution_id, s.published_at, 'calendar_hours',
       s.published_at + interval '18 hours', s.published_at + interval '24 hours',
       s.published_at + interval '48 hours', s.published_at, false,
       CASE WHEN s.id %% 5 = 0 THEN 'opened' ELSE 'fulfilled' END, s.published_at,
       CASE WHEN s.id %% 5 <> 0 THEN s.published_at + interval '3 hours' END,
       CASE WHEN s.id %% 5 <> 0 THEN s.published_at + interval '3 hours' END, 'test'
  FROM story_institution AS si JOIN story AS s ON s.id = si.story_id;
-- name: events
INSERT INTO story_sla_event (story_id, institution_id, stage, occurred_at, recorded_at)
SELECT story_id, institution_id, 'opened', opened_at, %(end)s FROM story_sla;
-- name: notices
INSERT INTO notice (kind, dedup_key, institution_id, language, reference_no, recipients,
                    subject, body_html, body_text, status)
SELECT 'posting_lapse_weekly', 'n' || n, 1 + n %% 3000, 'uz-Latn',
       'PW-2026-' || lpad(n::text, 6, '0'), ARRAY['a@example.uz'], 'Notice ' || n, '<p>x</p>',
       'x', 'suppressed'
  FROM generate_series(1, 9000) AS n;
-- name: analyze
ANALYZE;
"""


@pytest.mark.slow
def test_a_world_of_3000_institutions_shows_each_page_in_under_a_second(conn, clean_db):
    end = dt.datetime(2026, 3, 30, tzinfo=TASHKENT)
    params = {"start": end - dt.timedelta(weeks=12), "end": end}
    for statement in db.named_statements(NATIONAL_WORLD).values():
        conn.execute(statement, params)
    conn.commit()

    figures = bench.page_seconds(clean_db, rounds=2)
    print(figures)

    assert figures["institutions"] == 3000
    assert figures["ui_league_page_seconds"] < bench.TARGET_SECONDS, figures
    assert figures["ui_sla_board_seconds"] < bench.TARGET_SECONDS, figures
    assert figures["ui_institution_page_seconds"] < bench.TARGET_SECONDS, figures
    # The last pages too (an offset is read past, not skipped).
    with pages.connect(clean_db) as reader:
        for make in (
            lambda: pages.league(reader, page=60),
            lambda: pages.institutions(reader, page=60),
            lambda: pages.sla_board(reader, at=end, page=120),
        ):
            started = time.perf_counter()
            data = make()
            assert time.perf_counter() - started < bench.TARGET_SECONDS
            assert len(data["rows"]) == 50


# --- the app's answers to a refused user, in process -------------------------------------------


class _AuthManager:
    def __init__(self, allow: bool) -> None:
        self.allow = allow
        self.asked: list[tuple] = []

    def is_authorized_custom_view(self, *, method, resource_name, user) -> bool:
        self.asked.append((method, resource_name, user.get_name()))
        return self.allow

    def get_url_login(self, **kwargs) -> str:
        return "/auth/login?next=" + kwargs["next_url"]


@pytest.fixture
def client(rated, db_url, monkeypatch):
    """The view's app in process, with a logged-in user (the token check is Airflow's: the
    real one runs in test_ui_browser) and an auth manager that allows or refuses the view."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.testclient import TestClient

    from presswatch.ui import access
    from presswatch.ui.app import app

    manager = _AuthManager(allow=True)
    monkeypatch.setattr(access, "get_auth_manager", lambda: manager)
    app.dependency_overrides[get_user] = lambda: SimpleAuthManagerUser(
        username="someone", role="viewer"
    )
    try:
        with TestClient(app, root_path="/presswatch") as test_client:
            yield test_client, manager
    finally:
        app.dependency_overrides.clear()


def test_a_user_the_auth_manager_refuses_gets_403_and_not_the_login_page(client):
    http, manager = client
    assert http.get("/rating").status_code == 200
    assert manager.asked == [("GET", "presswatch", "someone")]

    manager.allow = False
    page = http.get("/rating", follow_redirects=False)
    assert page.status_code == 403 and "Not allowed" in page.text and "alpha" not in page.text
    data = http.get("/api/rating")
    assert data.status_code == 403 and data.json() == {
        "detail": "user 'someone' may not see the presswatch view"
    }


def test_bad_parameters_and_unknown_institutions_get_a_page_that_says_so(client):
    http, _ = client
    page = http.get("/rating?band=purple")
    assert (
        page.status_code == 400 and "band must be one of green, yellow, red, unrated" in page.text
    )
    assert http.get("/api/rating?per_page=1000").status_code == 422
    assert http.get("/sla?at=yesterday").status_code == 400
    missing = http.get("/institutions/nowhere")
    assert missing.status_code == 404 and "no institution with the code" in missing.text
    assert http.get("/api/institutions/alpha").json()["institution"]["code"] == "alpha"
