"""Story ingestion (R3's raw material): normalised URLs, merging duplicates, first-seen times,
the portal's tags, and bad items kept in quarantine (presswatch.sla.stories, .urls)."""

from __future__ import annotations

import datetime as dt

import pytest

from presswatch.quarantine import QuarantineItem
from presswatch.sla import stories
from presswatch.sla.items import FeedFetch, StoryItem
from presswatch.sla.urls import NotAWebAddress, canonical_url, source_of

UTC = dt.UTC
NOON = dt.datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 12:00 in Tashkent


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://kun.uz/news/2026/03/10/1", "https://kun.uz/news/2026/03/10/1"),
        ("http://kun.uz/news/2026/03/10/1", "https://kun.uz/news/2026/03/10/1"),
        ("https://WWW.Kun.UZ/news/2026/03/10/1/", "https://kun.uz/news/2026/03/10/1"),
        ("https://m.kun.uz/news/2026/03/10/1", "https://kun.uz/news/2026/03/10/1"),
        ("https://kun.uz:443/news//2026/03/10/1#comments", "https://kun.uz/news/2026/03/10/1"),
        (
            "https://kun.uz/news/1?utm_source=telegram&utm_medium=social&fbclid=x&id=5",
            "https://kun.uz/news/1?id=5",
        ),
        ("https://kun.uz/news?b=2&a=1", "https://kun.uz/news?a=1&b=2"),
        ("https://kun.uz/", "https://kun.uz/"),
        ("https://kun.uz/News/1", "https://kun.uz/News/1"),  # paths keep their case
        ("https://kun.uz:8080/news/1", "https://kun.uz:8080/news/1"),
        ("https://m.uz/news/1", "https://m.uz/news/1"),  # a host that is only the prefix stays
    ],
)
def test_urls_that_name_the_same_story_have_one_canonical_form(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("url", ["", "kun.uz/news/1", "ftp://kun.uz/1", "javascript:alert(1)"])
def test_a_url_that_is_not_a_web_address_is_refused(url):
    with pytest.raises(NotAWebAddress):
        canonical_url(url)


def test_the_source_is_the_host_without_www():
    assert source_of("https://www.gazeta.uz/ru/2026/03/10/x/") == "gazeta.uz"


def item(key: str, url: str, title: str = "Adliya vazirligi: murojaatlar javobsiz", **extra):
    values = {
        "feed_code": "kun-uz",
        "item_key": key,
        "url": url,
        "title": title,
        "source": source_of(url) if url.startswith("http") else "?",
        "published_at": NOON - dt.timedelta(hours=2),
        "language": "uz-Latn",
    }
    values.update(extra)
    return StoryItem(**values)


@pytest.fixture
def feeds(conn):
    conn.execute(
        "INSERT INTO story_feed (code, kind, name, url, language) VALUES"
        " ('kun-uz', 'rss', 'Kun.uz', 'https://kun.uz/news/rss', 'uz-Latn'),"
        " ('daryo-uz', 'rss', 'Daryo', 'https://daryo.uz/feed', 'uz-Latn')"
    )
    conn.execute(
        "INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru,"
        " name_en) VALUES ('justice', 'ministry', 'national', 'Adliya vazirligi',"
        " 'Адлия вазирлиги', 'Министерство юстиции', 'Ministry of Justice')"
    )
    return {
        "kun": stories.feed(conn, "kun-uz"),
        "daryo": stories.feed(conn, "daryo-uz"),
        "portal": stories.portal_feed(conn, "https://monitoring.example.uz/api"),
    }


def table(conn, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def test_new_items_become_stories_and_a_second_fetch_adds_nothing(conn, feeds):
    fetched = FeedFetch(
        items=[
            item("1", "https://kun.uz/news/1"),
            item("2", "https://kun.uz/news/2", "Suv taʼminotida uzilish"),
        ],
        etag='"v1"',
    )

    first = stories.ingest(conn, feeds["kun"], fetched, seen_at=NOON)
    again = stories.ingest(conn, feeds["kun"], fetched, seen_at=NOON + dt.timedelta(hours=1))

    assert (first.new_stories, first.merged, first.known) == (2, 0, 0)
    assert (again.new_stories, again.merged, again.known) == (0, 0, 2)
    assert table(conn, "SELECT canonical_url, source, first_seen_at FROM story ORDER BY id") == [
        ("https://kun.uz/news/1", "kun.uz", NOON),
        ("https://kun.uz/news/2", "kun.uz", NOON),
    ]
    assert table(
        conn, "SELECT etag, last_status, last_error FROM story_feed WHERE code = 'kun-uz'"
    ) == [('"v1"', "ok", None)]


def test_the_same_story_from_another_feed_is_merged_and_keeps_the_earliest_sighting(conn, feeds):
    stories.ingest(conn, feeds["kun"], FeedFetch(items=[item("1", "https://kun.uz/news/1")]),
                   seen_at=NOON)  # fmt: skip
    portal_copy = item(
        "p-77",
        "http://www.kun.uz/news/1/?utm_source=portal",
        feed_code="portal",
        first_seen_at=NOON - dt.timedelta(minutes=90),
        institution_codes=("justice",),
    )

    report = stories.ingest(conn, feeds["portal"], FeedFetch(items=[portal_copy]), seen_at=NOON)

    assert (report.new_stories, report.merged) == (0, 1)
    assert table(conn, "SELECT count(*), min(first_seen_at) FROM story") == [
        (1, NOON - dt.timedelta(minutes=90))
    ]
    assert table(conn, "SELECT feed_id, item_key FROM story_item ORDER BY feed_id") == [
        (feeds["kun"].id, "1"),
        (feeds["portal"].id, "p-77"),
    ]
    assert table(conn, "SELECT match_method FROM story_institution") == [("feed_tag",)]


def test_the_same_title_from_the_same_source_is_one_story_but_not_from_another(conn, feeds):
    title = "Toshkentda suv taʼminoti uzildi"
    stories.ingest(
        conn,
        feeds["kun"],
        FeedFetch(
            items=[
                item("1", "https://kun.uz/news/1", title),
                item("1-amp", "https://kun.uz/amp/news/1", "  Toshkentda  suv taʼminoti UZILDI "),
            ]
        ),
        seen_at=NOON,
    )
    stories.ingest(conn, feeds["daryo"], FeedFetch(items=[item("9", "https://daryo.uz/9", title)]),
                   seen_at=NOON)  # fmt: skip

    assert table(conn, "SELECT source, count(*) FROM story GROUP BY source ORDER BY source") == [
        ("daryo.uz", 1),
        ("kun.uz", 1),
    ]
    assert table(conn, "SELECT count(*) FROM story_item") == [(3,)]


def test_an_item_listed_twice_in_one_fetch_counts_once(conn, feeds):
    twice = [item("1", "https://kun.uz/news/1"), item("1", "https://kun.uz/news/1")]

    report = stories.ingest(conn, feeds["kun"], FeedFetch(items=twice), seen_at=NOON)

    assert (report.received, report.new_stories, report.merged) == (2, 1, 0)
    assert table(conn, "SELECT count(*) FROM story_item") == [(1,)]


def test_a_feed_item_is_seen_when_fetched_but_never_before_it_was_published(conn, feeds):
    later = item("2", "https://kun.uz/news/2", "Boshqa xabar",
                 published_at=NOON + dt.timedelta(minutes=20))  # fmt: skip
    stories.ingest(
        conn, feeds["kun"], FeedFetch(items=[item("1", "https://kun.uz/news/1"), later]),
        seen_at=NOON,
    )  # fmt: skip

    assert table(conn, "SELECT external_id, first_seen_at FROM story ORDER BY id") == [
        ("kun-uz:1", NOON),
        ("kun-uz:2", NOON + dt.timedelta(minutes=20)),
    ]


def test_bad_items_and_unknown_tags_are_quarantined_and_the_rest_ingested(conn, feeds):
    bad = QuarantineItem("kun-uz:items", "item 3: no title", {"guid": "3"})
    fetched = FeedFetch(
        items=[
            item("1", "https://kun.uz/news/1", institution_codes=("justice", "no-such-body")),
            item("2", "mailto:editor@kun.uz"),
        ],
        quarantined=[bad],
    )

    report = stories.ingest(conn, feeds["kun"], fetched, seen_at=NOON)

    assert report.new_stories == 1 and report.quarantined == 3
    reasons = [reason for (reason,) in table(conn, "SELECT reason FROM quarantine ORDER BY id")]
    assert reasons[0] == "item 3: no title"
    assert any("institution code 'no-such-body' is not in the registry" in r for r in reasons)
    assert any(r.startswith("url:") and "mailto" in r for r in reasons)
    assert table(conn, "SELECT count(*) FROM story_institution") == [(1,)]


def test_a_failed_fetch_keeps_the_validators_and_records_the_error(conn, feeds):
    stories.ingest(conn, feeds["kun"], FeedFetch(etag='"v1"', last_modified="Mon, 09 Mar 2026"),
                   seen_at=NOON)  # fmt: skip

    stories.ingest(
        conn, feeds["kun"], FeedFetch(error="not an RSS or Atom feed: <html>", status="error"),
        seen_at=NOON,
    )  # fmt: skip

    assert table(
        conn, "SELECT etag, last_modified, last_status, last_error FROM story_feed"
        " WHERE code = 'kun-uz'"
    ) == [('"v1"', "Mon, 09 Mar 2026", "error", "not an RSS or Atom feed: <html>")]  # fmt: skip
