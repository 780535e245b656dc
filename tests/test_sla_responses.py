"""Responses to critical stories (R3): from the portal, from operators, from the institutions'
own posts; the ones that cannot be an answer are quarantined (presswatch.sla.responses)."""

from __future__ import annotations

import datetime as dt

import pytest

from presswatch import settings as settings_module
from presswatch.sla import responses, stories
from presswatch.sla.items import FeedFetch, PortalResponse, StoryItem

UTC = dt.UTC
PUBLISHED = dt.datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 10:00 in Tashkent
STORY_URL = "https://kun.uz/news/2026/03/10/4711"
TITLE = "Adliya vazirligi: fuqarolar murojaatlari javobsiz qolmoqda"


@pytest.fixture
def settings():
    return settings_module.get()


@pytest.fixture
def world(conn):
    """Two institutions with accounts, and a critical story about the first, from the portal."""
    conn.execute(
        "INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru,"
        " name_en) VALUES"
        " ('justice', 'ministry', 'national', 'Adliya vazirligi', 'Адлия вазирлиги',"
        "  'Министерство юстиции', 'Ministry of Justice'),"
        " ('health', 'ministry', 'national', 'Sogʻliqni saqlash vazirligi',"
        "  'Соғлиқни сақлаш вазирлиги', 'Министерство здравоохранения', 'Ministry of Health')"
    )
    conn.execute(
        "INSERT INTO social_account (institution_id, platform, handle)"
        " SELECT id, 'telegram', code || '_uz' FROM institution"
    )
    portal = stories.portal_feed(conn, "https://monitoring.example.uz/api")
    story_item = StoryItem(
        feed_code="portal", item_key="p-4711", url=STORY_URL, title=TITLE, source="kun.uz",
        published_at=PUBLISHED, first_seen_at=PUBLISHED + dt.timedelta(minutes=10),
        language="uz-Latn", institution_codes=("justice",),
    )  # fmt: skip
    stories.ingest(conn, portal, FeedFetch(items=[story_item]), seen_at=PUBLISHED)
    conn.execute("UPDATE story SET critical_score = 5, is_critical = true, matched_at = now()")
    ids = dict(conn.execute("SELECT code, id FROM institution").fetchall())
    story_id = conn.execute("SELECT id FROM story").fetchone()[0]
    accounts = dict(conn.execute("SELECT handle, id FROM social_account").fetchall())
    return {"conn": conn, "portal": portal, "ids": ids, "story_id": story_id, "accounts": accounts}


def portal_response(external_id: str, at: dt.datetime, **extra) -> PortalResponse:
    values = {
        "external_id": external_id,
        "story_external_id": "p-4711",
        "story_url": STORY_URL,
        "institution_code": "justice",
        "responded_at": at,
        "url": f"https://adliya.uz/press/{external_id}",
        "channel": "press_release",
    }
    values.update(extra)
    return PortalResponse(**values)


def recorded(conn) -> list[tuple]:
    return conn.execute(
        "SELECT i.code, r.origin, r.channel, r.responded_at FROM story_response AS r"
        " JOIN institution AS i ON i.id = r.institution_id ORDER BY r.responded_at"
    ).fetchall()


def reasons(conn) -> list[str]:
    return [r for (r,) in conn.execute("SELECT reason FROM quarantine ORDER BY id").fetchall()]


def process(world, settings, as_of):
    return responses.process(world["conn"], as_of, settings, portal_feed_id=world["portal"].id)


def test_a_portal_response_is_recorded_once(world, settings):
    conn = world["conn"]
    answer = PUBLISHED + dt.timedelta(hours=5)
    responses.receive_portal(conn, [portal_response("r1", answer)])

    first = process(world, settings, PUBLISHED + dt.timedelta(hours=6))
    responses.receive_portal(conn, [portal_response("r1", answer)])
    again = process(world, settings, PUBLISHED + dt.timedelta(hours=7))

    assert (first.recorded, again.recorded, again.received) == (1, 0, 0)
    assert recorded(conn) == [("justice", "portal", "press_release", answer)]


def test_a_response_is_not_counted_before_its_time(world, settings):
    conn = world["conn"]
    responses.receive_portal(conn, [portal_response("r1", PUBLISHED + dt.timedelta(hours=5))])

    early = process(world, settings, PUBLISHED + dt.timedelta(hours=4))

    assert early.recorded == 0 and recorded(conn) == []
    assert process(world, settings, PUBLISHED + dt.timedelta(hours=5)).recorded == 1


def test_a_response_dated_before_the_story_is_quarantined_with_the_reason(world, settings):
    conn = world["conn"]
    responses.receive_portal(conn, [portal_response("r1", PUBLISHED - dt.timedelta(minutes=1))])

    report = process(world, settings, PUBLISHED + dt.timedelta(hours=1))

    assert (report.recorded, report.rejected) == (0, 1)
    assert recorded(conn) == []
    assert reasons(conn) == [
        "response r1: the response at 2026-03-10T04:59:00Z is dated before the story"
        " (published 2026-03-10T05:00:00Z)"
    ]


def test_a_response_from_another_institutions_account_is_quarantined_and_the_clock_runs_on(
    world, settings
):
    conn = world["conn"]
    responses.receive_portal(
        conn,
        [
            portal_response(
                "r1", PUBLISHED + dt.timedelta(hours=2), channel="social_post",
                account_platform="telegram", account_handle="health_uz",
            )
        ],
    )  # fmt: skip

    report = process(world, settings, PUBLISHED + dt.timedelta(hours=3))

    assert report.rejected == 1 and recorded(conn) == []
    assert reasons(conn) == [
        "response r1: account telegram @health_uz belongs to health, not to justice"
    ]
    # The clock runs on: the deadline passes without an answer.
    from presswatch.sla import engine

    engine.advance(conn, PUBLISHED + dt.timedelta(hours=25), settings)
    assert conn.execute(
        "SELECT stage, first_response_at FROM story_sla WHERE institution_id = %s",
        [world["ids"]["justice"]],
    ).fetchone() == ("breached", None)


def test_a_response_waits_for_its_story_and_gives_up_after_a_week(world, settings):
    conn = world["conn"]
    late_story = portal_response(
        "r2",
        PUBLISHED + dt.timedelta(hours=1),
        story_external_id="p-9999",
        story_url="https://kun.uz/news/9999",
    )
    responses.receive_portal(conn, [late_story])

    waiting = process(world, settings, PUBLISHED + dt.timedelta(hours=2))
    given_up = process(world, settings, PUBLISHED + dt.timedelta(days=7, hours=2))

    assert (waiting.waiting, waiting.rejected) == (1, 0)
    assert (given_up.waiting, given_up.rejected) == (0, 1)
    assert reasons(conn) == ["response r2: story p-9999 never arrived (waited 7 days)"]


def test_an_unknown_institution_or_channel_is_quarantined(world, settings):
    conn = world["conn"]
    at = PUBLISHED + dt.timedelta(hours=1)
    responses.receive_portal(
        conn,
        [
            portal_response("r1", at, institution_code="nobody"),
            portal_response("r2", at, channel="carrier_pigeon"),
        ],
    )

    assert process(world, settings, at).rejected == 2
    assert reasons(conn) == [
        "response r1: institution 'nobody' is not in the registry",
        "response r2: channel 'carrier_pigeon' is not one of social_post, website, press_release,"
        " statement, media_comment",
    ]


def test_a_portal_response_for_an_institution_not_matched_links_it_to_the_story(world, settings):
    conn = world["conn"]
    responses.receive_portal(
        conn, [portal_response("r1", PUBLISHED + dt.timedelta(hours=1), institution_code="health")]
    )

    process(world, settings, PUBLISHED + dt.timedelta(hours=2))

    assert conn.execute(
        "SELECT i.code, si.match_method FROM story_institution AS si"
        " JOIN institution AS i ON i.id = si.institution_id ORDER BY i.code"
    ).fetchall() == [("health", "feed_tag"), ("justice", "feed_tag")]
    assert [row[0] for row in recorded(conn)] == ["health"]


def test_an_operator_response_goes_through_the_same_checks(world, settings):
    conn = world["conn"]
    good = responses.enter(
        conn, world["story_id"], "justice", url="https://adliya.uz/statement/5",
        responded_at=PUBLISHED + dt.timedelta(hours=3), entered_by="operator@aimc",
    )  # fmt: skip
    bad = responses.enter(
        conn, world["story_id"], "justice", url="https://adliya.uz/statement/6",
        responded_at=PUBLISHED - dt.timedelta(hours=3), entered_by="operator@aimc",
    )  # fmt: skip

    process(world, settings, PUBLISHED + dt.timedelta(hours=4))

    assert responses.inbox_outcome(conn, "operator", good) == ("recorded", None)
    outcome, reason = responses.inbox_outcome(conn, "operator", bad)
    assert outcome == "rejected" and "dated before the story" in reason
    assert recorded(conn) == [
        ("justice", "operator", "statement", PUBLISHED + dt.timedelta(hours=3))
    ]


def post(conn, handle: str, post_id: str, at: dt.datetime, text: str) -> None:
    conn.execute(
        "INSERT INTO post (account_id, platform_post_id, posted_at, permalink, text_excerpt)"
        " SELECT id, %s, %s, 'https://t.me/' || handle || '/' || %s, %s"
        "   FROM social_account WHERE handle = %s",
        [post_id, at, post_id, text, handle],
    )


def test_a_post_of_the_institution_that_links_to_the_story_is_its_response(world, settings):
    conn = world["conn"]
    post(conn, "justice_uz", "1", PUBLISHED + dt.timedelta(hours=1), "Tadbir haqida.")
    post(conn, "justice_uz", "2", PUBLISHED + dt.timedelta(hours=2),
         "Munosabat: https://www.kun.uz/news/2026/03/10/4711?utm_source=tg")  # fmt: skip
    post(conn, "health_uz", "3", PUBLISHED + dt.timedelta(minutes=30),
         "Boshqa vazirlik: https://kun.uz/news/2026/03/10/4711")  # fmt: skip

    report = process(world, settings, PUBLISHED + dt.timedelta(hours=3))

    assert report.from_posts == 1
    assert recorded(conn) == [("justice", "post", "social_post", PUBLISHED + dt.timedelta(hours=2))]


def test_a_post_that_names_the_story_by_its_title_is_its_response(world, settings):
    conn = world["conn"]
    post(conn, "justice_uz", "7", PUBLISHED + dt.timedelta(hours=4),
         "Vazirlik xabar beradi: fuqarolar murojaatlari javobsiz qolmoqda degan maqolaga"
         " munosabat. Adliya vazirligi barcha murojaatlarni koʻrib chiqdi.")  # fmt: skip
    post(conn, "justice_uz", "8", PUBLISHED + dt.timedelta(hours=5), "Adliya vazirligi tadbiri")

    process(world, settings, PUBLISHED + dt.timedelta(hours=6))

    assert recorded(conn) == [("justice", "post", "social_post", PUBLISHED + dt.timedelta(hours=4))]


def test_posts_before_the_story_or_after_the_hour_are_not_its_response(world, settings):
    conn = world["conn"]
    post(conn, "justice_uz", "1", PUBLISHED - dt.timedelta(minutes=5), f"Eski: {STORY_URL}")
    post(conn, "justice_uz", "2", PUBLISHED + dt.timedelta(hours=5), f"Javob: {STORY_URL}")

    before = process(world, settings, PUBLISHED + dt.timedelta(hours=4))
    after = process(world, settings, PUBLISHED + dt.timedelta(hours=5))

    assert (before.from_posts, after.from_posts) == (0, 1)


def test_an_operator_enters_a_response_on_the_command_line(world, capsys):
    from presswatch import cli

    conn = world["conn"]
    conn.commit()
    story = str(world["story_id"])

    recorded_exit = cli.main(
        ["stories", "respond", story, "--institution", "justice", "--url",
         "https://adliya.uz/statement/9", "--at", "2026-03-10T13:00", "--by", "tester"]
    )  # fmt: skip
    printed = capsys.readouterr().out
    rejected_exit = cli.main(
        ["stories", "respond", story, "--institution", "justice", "--url",
         "https://t.me/health_uz/5", "--at", "2026-03-10T13:30", "--channel", "social_post",
         "--account", "telegram:health_uz"]
    )  # fmt: skip
    error = capsys.readouterr().err

    assert recorded_exit == 0 and "recorded for story" in printed
    assert rejected_exit == 1
    assert "belongs to health, not to justice" in error
    assert recorded(conn) == [
        ("justice", "operator", "statement", dt.datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    ]
