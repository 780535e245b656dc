"""The story connectors against the simulator over HTTP: the monitoring portal (paging, the
incremental cursor, its responses, errors and retries) and news sites' RSS and Atom feeds
(conditional GET, and every kind of bad input: the good items are delivered, the bad ones
quarantined with the reason, and the fetch does not fail)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from psycopg import sql

from presswatch.connectors.base import AccountError, PlatformUnavailable
from presswatch.connectors.feeds import FeedConnector, plain_text, story_language, story_time
from presswatch.connectors.portal import PortalConnector
from presswatch.simulator import airflow_connections

UTC = dt.UTC
TASHKENT = dt.timezone(dt.timedelta(hours=5))
BASE = dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
FEED_URL = "https://kun.uz/ru/news/rss"


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleep():
    return FakeSleep()


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def insert(conn, table: str, row: dict) -> None:
    """One row into ``sim.<table>``."""
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier("sim", table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(map(sql.Placeholder, row)),
    )
    conn.execute(query, row)


# --- the portal's world ---------------------------------------------------------------------


def add_story(conn, portal_id: int, collected_at: dt.datetime, **values) -> None:
    row = {
        "portal_id": portal_id,
        "source_name": "Kun.uz",
        "source_domain": "kun.uz",
        "url": f"https://kun.uz/news/2025/03/03/{portal_id}",
        "title": f"Adliya vazirligi: xabar {portal_id}",
        "text": "Matn.",
        "language": "uz-Latn",
        "published_at": collected_at - minutes(10),
        "collected_at": collected_at,
        "institution_codes": [],
        "tone": "neutral",
        **values,
    }
    insert(conn, "portal_story", row)


def add_response(conn, portal_id: int, recorded_at: dt.datetime, **values) -> None:
    row = {
        "portal_id": portal_id,
        "story_portal_id": 1001,
        "story_url": "https://kun.uz/news/2025/03/03/1001",
        "institution_code": "justice",
        "responded_at": recorded_at - minutes(5),
        "url": f"https://justice.gov.example/news/1001-{portal_id}",
        "channel": "website",
        "account_platform": None,
        "account_handle": None,
        "recorded_at": recorded_at,
        **values,
    }
    insert(conn, "portal_response", row)


def portal(simulator, sleep, token="tok", **kwargs) -> PortalConnector:
    return PortalConnector(simulator.url("/portal"), token, sleep=sleep, **kwargs)


@pytest.fixture
def seven_stories(conn):
    """Stories 1001..1007, collected a minute apart from BASE (1004 and 1005 at the same
    second: the id orders them)."""
    for offset, portal_id in enumerate(range(1001, 1008)):
        collected = BASE + minutes(min(offset, 3) if portal_id <= 1005 else offset)
        add_story(conn, portal_id, collected)
    conn.commit()


def keys(fetch) -> list[str]:
    return [item.item_key for item in fetch.items]


# --- portal: paging, cursor, fields ---------------------------------------------------------


def test_portal_pages_to_the_end_in_its_sequence_and_says_where_it_stopped(
    simulator, sleep, seven_stories
):
    fetch = portal(simulator, sleep, page_size=3).stories()

    assert keys(fetch) == [str(n) for n in range(1001, 1008)]
    assert fetch.has_more is False and fetch.quarantined == []
    pages = [r for r in simulator.requests() if r["path"] == "/portal/api/v1/stories"]
    assert len(pages) == 3
    assert fetch.cursor is not None


def test_portal_cursor_from_the_last_fetch_gives_only_newer_stories(
    simulator, sleep, conn, seven_stories
):
    connector = portal(simulator, sleep, page_size=3)
    first = connector.stories()
    add_story(conn, 1008, BASE + minutes(30))
    add_story(conn, 1009, BASE + minutes(31))
    conn.commit()

    second = connector.stories(first.cursor)
    third = connector.stories(second.cursor)

    assert keys(second) == ["1008", "1009"]
    assert keys(third) == [] and third.cursor == second.cursor


def test_portal_stops_at_max_pages_and_the_next_fetch_continues(simulator, sleep, seven_stories):
    connector = portal(simulator, sleep, page_size=2, max_pages=2)

    first = connector.stories()
    rest = connector.stories(first.cursor)

    assert (keys(first), first.has_more) == (["1001", "1002", "1003", "1004"], True)
    assert (keys(rest), rest.has_more) == (["1005", "1006", "1007"], False)


def test_portal_until_gives_only_what_it_had_collected_by_then(simulator, sleep, seven_stories):
    connector = portal(simulator, sleep)

    before = connector.stories(until=BASE + minutes(3))
    after = connector.stories(before.cursor)

    assert keys(before) == ["1001", "1002", "1003"]
    assert keys(after) == ["1004", "1005", "1006", "1007"]


def test_portal_story_carries_source_times_tags_language_and_plain_text(simulator, sleep, conn):
    add_story(
        conn,
        2001,
        BASE + minutes(4),
        source_domain="www.Gazeta.uz",
        source_name="Gazeta.uz",
        url="https://www.gazeta.uz/ru/2025/03/03/adliya/",
        title="Министерства юстиции <b>обвиняют</b> &amp; проверяют",
        text="<p>Первый абзац.</p><p>Второй<script>track()</script> абзац.</p>",
        language="ru",
        published_at=BASE - minutes(50),
        institution_codes=["justice", "justice_tashkent"],
        tone="negative",
    )
    conn.commit()

    (item,) = portal(simulator, sleep).stories().items

    assert item.feed_code == "portal" and item.item_key == "2001"
    assert item.source == "gazeta.uz"
    assert item.url == "https://www.gazeta.uz/ru/2025/03/03/adliya/"
    assert item.title == "Министерства юстиции обвиняют & проверяют"
    assert item.body == "Первый абзац. Второй абзац."
    assert item.published_at == BASE - minutes(50) and item.published_at.tzinfo is not None
    assert item.first_seen_at == BASE + minutes(4)
    assert item.published_at_zone_assumed is False
    assert item.language == "ru"
    assert item.institution_codes == ("justice", "justice_tashkent")


def test_portal_items_without_title_url_or_time_are_quarantined_and_the_rest_delivered(
    simulator, sleep, conn
):
    add_story(conn, 3001, BASE)
    add_story(conn, 3002, BASE + minutes(1), title=None)
    add_story(conn, 3003, BASE + minutes(2), url=None)
    add_story(conn, 3004, BASE + minutes(3), published_at=None)
    add_story(conn, 3005, BASE + minutes(4), title="<script>alert(1)</script>")
    add_story(conn, 3006, BASE + minutes(5), url="ftp://kun.uz/x")
    add_story(conn, 3007, BASE + minutes(6))
    conn.commit()

    fetch = portal(simulator, sleep).stories()

    assert keys(fetch) == ["3001", "3007"]
    reasons = [q.reason for q in fetch.quarantined]
    assert reasons == [
        "story '3002': no 'title'",
        "story '3003': no 'url'",
        "story '3004': no 'published_at'",
        "story '3005': no 'title'",
        "story '3006': 'url' 'ftp://kun.uz/x' is not an http(s) URL",
    ]
    assert {q.source for q in fetch.quarantined} == {"portal:stories"}
    assert fetch.quarantined[0].raw_payload["id"] == "3002"  # the item as received


def test_portal_text_over_the_limit_is_cut_delivered_and_quarantined(simulator, sleep, conn):
    add_story(conn, 4001, BASE, text="Matn " * 1000)
    conn.commit()

    fetch = portal(simulator, sleep, max_body_chars=1000).stories()

    (item,) = fetch.items
    assert item.body_truncated is True and len(item.body) <= 1000
    assert [q.reason for q in fetch.quarantined] == [
        "story '4001': text of 5,000 characters cut to 1,000"
    ]


def test_portal_without_a_token_is_401_and_the_connector_says_the_token_was_refused(
    simulator, sleep, seven_stories
):
    answer = requests.get(simulator.url("/portal/api/v1/stories"), timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"

    with pytest.raises(AccountError, match=r"portal: the token was refused \(HTTP 401\)"):
        portal(simulator, sleep, token="").stories()


def test_portal_rate_limit_and_server_errors_are_retried_to_the_same_result(
    simulator, sleep, seven_stories
):
    expected = keys(portal(simulator, FakeSleep(), page_size=3).stories())
    simulator.fault("portal", "rate_limit", retry_after=7)
    simulator.fault("portal", "server_error", times=2, status=502)

    fetch = portal(simulator, sleep, page_size=3).stories()

    assert keys(fetch) == expected
    assert sleep.calls == [7, 1.0, 2.0]


def test_portal_server_errors_beyond_retries_are_platform_unavailable(
    simulator, sleep, seven_stories
):
    simulator.fault("portal", "server_error", times=3, status=503)
    with pytest.raises(PlatformUnavailable, match=r"portal: GET /api/v1/stories.*503"):
        portal(simulator, sleep, max_retries=2).stories()


def test_portal_malformed_page_is_retried(simulator, sleep, seven_stories):
    simulator.fault("portal", "malformed")
    assert len(portal(simulator, sleep).stories().items) == 7
    assert sleep.calls == [1.0]


def test_portal_refuses_a_cursor_it_did_not_issue(simulator, sleep, seven_stories):
    with pytest.raises(AccountError, match="cursor"):
        portal(simulator, sleep).stories("bm90LWEtY3Vyc29y")


# --- portal: responses ----------------------------------------------------------------------


def test_portal_responses_in_order_with_accounts_and_stories_known_by_url(simulator, sleep, conn):
    add_response(conn, 5001, BASE + minutes(1))
    add_response(
        conn,
        5002,
        BASE + minutes(2),
        channel="social_post",
        url="https://x.com/adliyauz/status/1897000000000000000",
        account_platform="x",
        account_handle="adliyauz",
    )
    add_response(conn, 5003, BASE + minutes(3), story_portal_id=None, channel="statement",
                 story_url="https://daryo.uz/2025/03/03/elsewhere")  # fmt: skip
    add_response(conn, 5004, BASE + minutes(4), responded_at=None)
    conn.commit()

    fetch = portal(simulator, sleep).responses()

    website, social, statement = fetch.responses
    assert (website.external_id, website.story_external_id, website.institution_code) == (
        "5001", "1001", "justice",
    )  # fmt: skip
    assert website.story_url == "https://kun.uz/news/2025/03/03/1001"
    assert website.responded_at == BASE - minutes(4)
    assert (website.channel, website.account_platform) == ("website", None)
    assert (social.channel, social.account_platform, social.account_handle) == (
        "social_post", "x", "adliyauz",
    )  # fmt: skip
    assert (statement.story_external_id, statement.story_url) == (
        None, "https://daryo.uz/2025/03/03/elsewhere",
    )  # fmt: skip
    assert [(q.source, q.reason) for q in fetch.quarantined] == [
        ("portal:responses", "response '5004': no 'responded_at'")
    ]


def test_portal_responses_cursor_gives_only_newer_responses(simulator, sleep, conn):
    add_response(conn, 5001, BASE + minutes(1))
    conn.commit()
    connector = portal(simulator, sleep)
    first = connector.responses()
    add_response(conn, 5002, BASE + minutes(2))
    conn.commit()

    second = connector.responses(first.cursor)

    assert [r.external_id for r in first.responses] == ["5001"]
    assert [r.external_id for r in second.responses] == ["5002"]


def test_a_stories_cursor_is_not_a_responses_cursor(simulator, sleep, conn, seven_stories):
    cursor = portal(simulator, sleep).stories().cursor
    with pytest.raises(AccountError, match="cursor"):
        portal(simulator, sleep).responses(cursor)


# --- the feeds' world -----------------------------------------------------------------------


def add_feed(conn, host="kun.uz", path="/ru/news/rss", **values) -> None:
    row = {"host": host, "path": path, "format": "rss", "title": "Kun.uz", "language": "ru",
           **values}  # fmt: skip
    insert(conn, "feed", row)


def add_item(conn, n: int, host="kun.uz", path="/ru/news/rss", **values) -> None:
    listed_at = values.pop("listed_at", BASE + minutes(n))
    row = {
        "host": host,
        "path": path,
        "guid": f"https://{host}/ru/news/2025/03/03/{n}",
        "link": f"https://{host}/ru/news/2025/03/03/{n}",
        "title": f"Новость {n}",
        "description": f"<p>Анонс {n}</p>",
        "body": None,
        "pub_date": listed_at.astimezone(TASHKENT).strftime("%a, %d %b %Y %H:%M:%S +0500"),
        "listed_at": listed_at,
        **values,
    }
    insert(conn, "feed_item", row)


def feeds(simulator, sleep, **kwargs) -> FeedConnector:
    return FeedConnector(simulator.url("/feeds/{host}{path}"), sleep=sleep, **kwargs)


def fetch_feed(simulator, sleep, url=FEED_URL, **kwargs):
    options = {
        key: kwargs.pop(key) for key in ("max_title_chars", "max_body_chars") if key in kwargs
    }
    return feeds(simulator, sleep, **options).fetch("kun_ru", url, **kwargs)


def reasons(fetch) -> list[str]:
    return [q.reason for q in fetch.quarantined]


@pytest.fixture
def rss_feed(conn):
    add_feed(conn)
    for n in (1, 2, 3):
        add_item(conn, n)
    conn.commit()


# --- feeds: parsing -------------------------------------------------------------------------


def test_rss_items_newest_first_with_link_key_source_times_and_texts(simulator, sleep, conn):
    add_feed(conn, host="www.kun.uz")
    add_item(conn, 1, host="www.kun.uz", guid="kun-1", body="<p>Полный <i>текст</i></p>")
    add_item(conn, 2, host="www.kun.uz")
    conn.commit()

    fetch = fetch_feed(simulator, sleep, url="https://www.kun.uz/ru/news/rss",
                       language="uz-Latn")  # fmt: skip

    newest, oldest = fetch.items
    assert (newest.item_key, oldest.item_key) == (
        "https://www.kun.uz/ru/news/2025/03/03/2", "kun-1",
    )  # fmt: skip
    assert oldest.url == "https://www.kun.uz/ru/news/2025/03/03/1"
    assert oldest.feed_code == "kun_ru" and oldest.source == "kun.uz"
    assert oldest.title == "Новость 1"
    assert oldest.summary == "Анонс 1" and oldest.body == "Полный текст"
    assert oldest.published_at == BASE + minutes(1)
    assert oldest.published_at_zone_assumed is False
    assert oldest.first_seen_at is None
    assert oldest.language == "ru"  # the feed says, over the registry's uz-Latn
    assert (fetch.error, fetch.quarantined, fetch.status) == (None, [], "ok")
    assert fetch.etag and fetch.last_modified


def test_atom_feed_entries_with_their_language_dates_and_links(simulator, sleep, conn):
    add_feed(conn, host="xabar.uz", path="/feed/atom", format="atom", language="uz-Cyrl")
    add_item(conn, 1, host="xabar.uz", path="/feed/atom", guid="tag:xabar.uz,2025:1",
             link="https://xabar.uz/uz/news/1", title="Ҳокимлик <b>жавоб</b> берди",
             pub_date="2025-03-03T14:16:00+05:00", body="<p>Тўлиқ матн</p>")  # fmt: skip
    conn.commit()

    fetch = feeds(simulator, sleep).fetch("xabar_uz", "https://xabar.uz/feed/atom")

    (item,) = fetch.items
    assert item.item_key == "tag:xabar.uz,2025:1"
    assert item.url == "https://xabar.uz/uz/news/1"
    assert item.title == "Ҳокимлик жавоб берди"
    assert item.body == "Тўлиқ матн"
    assert item.published_at == BASE + minutes(16)
    assert item.language == "uz-Cyrl"


def test_feed_language_falls_back_to_the_registrys(simulator, sleep, conn):
    add_feed(conn, language=None)
    add_item(conn, 1)
    conn.commit()

    (item,) = fetch_feed(simulator, sleep, language="uz-Cyrl").items

    assert item.language == "uz-Cyrl"


def test_feed_serves_only_its_latest_items(simulator, sleep, conn):
    add_feed(conn, item_limit=2)
    for n in (1, 2, 3):
        add_item(conn, n)
    conn.commit()

    assert [i.title for i in fetch_feed(simulator, sleep).items] == ["Новость 3", "Новость 2"]


def test_relative_links_are_made_absolute_against_the_feed_url(simulator, sleep, conn):
    add_feed(conn)
    add_item(conn, 1, guid="k1", link="/ru/news/2025/03/03/1")
    conn.commit()

    (item,) = fetch_feed(simulator, sleep).items

    assert item.url == "https://kun.uz/ru/news/2025/03/03/1"


# --- feeds: conditional GET -----------------------------------------------------------------


def test_etag_of_the_last_fetch_gives_not_modified(simulator, sleep, rss_feed):
    first = fetch_feed(simulator, sleep)

    again = fetch_feed(simulator, sleep, etag=first.etag)

    assert again.not_modified is True and again.items == [] and again.error is None
    assert again.etag == first.etag
    assert simulator.requests()[-1]["status"] == 304


def test_last_modified_of_the_last_fetch_gives_not_modified(simulator, sleep, rss_feed):
    first = fetch_feed(simulator, sleep)

    again = fetch_feed(simulator, sleep, last_modified=first.last_modified)

    assert again.not_modified is True
    assert again.last_modified == first.last_modified


def test_a_new_item_changes_the_etag_and_the_feed_is_read_again(simulator, sleep, conn, rss_feed):
    first = fetch_feed(simulator, sleep)
    add_item(conn, 4)
    conn.commit()

    again = fetch_feed(simulator, sleep, etag=first.etag, last_modified=first.last_modified)

    assert again.not_modified is False
    assert [i.title for i in again.items][0] == "Новость 4"
    assert again.etag != first.etag and again.last_modified != first.last_modified


# --- feeds: bad items -----------------------------------------------------------------------


def test_items_without_title_or_link_are_quarantined_naming_the_field(simulator, sleep, conn):
    add_feed(conn)
    add_item(conn, 1, title=None)
    add_item(conn, 2, guid="kun-2", link=None)
    add_item(conn, 3, title="<img src='x.png'>")
    add_item(conn, 4, link="javascript:alert(1)", guid="kun-4")
    add_item(conn, 5)
    conn.commit()

    fetch = fetch_feed(simulator, sleep)

    assert [i.title for i in fetch.items] == ["Новость 5"]
    assert sorted(reasons(fetch)) == sorted([
        "item 'https://kun.uz/ru/news/2025/03/03/1': no title",
        "item 'kun-2': no link",
        "item 'https://kun.uz/ru/news/2025/03/03/3': title empty without HTML",
        "item 'kun-4': link 'javascript:alert(1)' is not an http(s) URL",
    ])  # fmt: skip
    assert {q.source for q in fetch.quarantined} == {"feed:kun_ru"}
    assert fetch.error is None


def test_an_unparsable_or_missing_date_quarantines_the_item(simulator, sleep, conn):
    add_feed(conn)
    add_item(conn, 1, pub_date="yesterday")
    add_item(conn, 2, pub_date=None)
    add_item(conn, 3, pub_date="Mon, 32 Mar 2025 14:15:00 +0500")
    add_item(conn, 4)
    conn.commit()

    fetch = fetch_feed(simulator, sleep)

    assert [i.title for i in fetch.items] == ["Новость 4"]
    assert sorted(reasons(fetch)) == [
        "item 'https://kun.uz/ru/news/2025/03/03/1': published date 'yesterday' is not a date",
        "item 'https://kun.uz/ru/news/2025/03/03/2': no published date",
        "item 'https://kun.uz/ru/news/2025/03/03/3': published date "
        "'Mon, 32 Mar 2025 14:15:00 +0500' is not a date",
    ]
    assert fetch.quarantined[0].raw_payload["title"].startswith("Новость")


def test_a_date_without_a_zone_is_read_as_tashkent_and_flagged(simulator, sleep, conn):
    add_feed(conn)
    add_item(conn, 1, pub_date="Mon, 03 Mar 2025 14:15:00")
    add_item(conn, 2, pub_date="2025-03-03T14:15:00")
    add_item(conn, 3, pub_date="Mon, 03 Mar 2025 14:15:00 GMT")
    conn.commit()

    utc, iso, rfc = fetch_feed(simulator, sleep).items

    assert (rfc.published_at, rfc.published_at_zone_assumed) == (BASE + minutes(15), True)
    assert (iso.published_at, iso.published_at_zone_assumed) == (BASE + minutes(15), True)
    assert (utc.published_at, utc.published_at_zone_assumed) == (
        dt.datetime(2025, 3, 3, 14, 15, tzinfo=UTC), False,
    )  # fmt: skip


def test_html_and_scripts_are_stripped_from_titles(simulator, sleep, conn):
    add_feed(conn)
    add_item(conn, 1, title="<b>Prokuratura</b> <script>alert('x')</script>tekshiruv"
                            " &amp; <style>p{}</style>natija&nbsp;&quot;X&quot;")  # fmt: skip
    conn.commit()

    (item,) = fetch_feed(simulator, sleep).items

    assert item.title == 'Prokuratura tekshiruv & natija "X"'


def test_a_5_mb_body_is_cut_delivered_and_kept_whole_in_quarantine(simulator, sleep, conn):
    body = "<p>" + "Matn " * (5 * 2**20 // 5) + "</p>"
    add_feed(conn)
    add_item(conn, 1, body=body)
    conn.commit()

    fetch = fetch_feed(simulator, sleep)

    (item,) = fetch.items
    assert item.body_truncated is True
    assert 199_000 < len(item.body) <= 200_000 and item.body.startswith("Matn Matn")
    (kept,) = fetch.quarantined
    assert kept.reason == (
        "item 'https://kun.uz/ru/news/2025/03/03/1': body of 5,242,887 characters cut to 200,000"
    )
    assert kept.raw_payload["content"] == [body]


def test_a_title_over_the_limit_is_cut_and_quarantined(simulator, sleep, conn):
    add_feed(conn)
    add_item(conn, 1, title=("Uzun sarlavha " * 10).strip())
    conn.commit()

    fetch = fetch_feed(simulator, sleep, max_title_chars=50)

    (item,) = fetch.items
    assert len(item.title) <= 50 and item.title.startswith("Uzun sarlavha")
    assert reasons(fetch) == [
        "item 'https://kun.uz/ru/news/2025/03/03/1': title of 139 characters cut to 50"
    ]


def test_duplicate_items_in_one_fetch_are_delivered_once(simulator, sleep, conn):
    add_feed(conn)
    add_item(conn, 1, guid="same")
    add_item(conn, 2, guid="same", listed_at=BASE + minutes(1))  # the same guid again
    add_item(conn, 3, guid="other", link="https://kun.uz/ru/news/2025/03/03/4")
    add_item(conn, 4)  # the same link as the one before, its own guid
    conn.commit()

    fetch = fetch_feed(simulator, sleep)

    assert [i.item_key for i in fetch.items] == ["https://kun.uz/ru/news/2025/03/03/4", "same"]
    assert fetch.quarantined == []


# --- feeds: broken feeds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_body", "content_type", "why"),
    [
        ("<!DOCTYPE html><html><body><h1>Texnik ishlar</h1></body></html>",
         "text/html; charset=utf-8", "an HTML page (text/html; charset=utf-8)"),
        ('{"items": []}', "application/json", "not well-formed XML"),
        ("", "application/rss+xml", "the body is empty"),
    ],
)  # fmt: skip
def test_a_feed_that_is_not_xml_is_an_error_with_its_body_quarantined(
    simulator, sleep, conn, raw_body, content_type, why
):
    add_feed(conn, raw_body=raw_body, raw_content_type=content_type)
    conn.commit()

    fetch = fetch_feed(simulator, sleep, etag='"old"')

    assert fetch.items == [] and fetch.error.startswith("not an RSS or Atom feed: ")
    assert why in fetch.error
    (kept,) = fetch.quarantined
    assert (kept.source, kept.reason, kept.raw_payload) == ("feed:kun_ru", fetch.error, raw_body)
    assert fetch.etag == '"old"'  # kept for the next fetch


def test_only_the_first_64_kb_of_a_non_feed_body_is_quarantined(simulator, sleep, conn):
    add_feed(conn, raw_body="<html><body>" + "x" * 200_000 + "</body></html>")
    conn.commit()

    (kept,) = fetch_feed(simulator, sleep).quarantined

    assert len(kept.raw_payload) == 64 * 1024


def test_an_unescaped_ampersand_is_read_leniently(simulator, sleep, conn):
    add_feed(
        conn,
        raw_body='<?xml version="1.0"?><rss version="2.0"><channel><title>T & co</title>'
        "<item><title>Suv & gaz</title><link>https://kun.uz/1</link>"
        "<pubDate>Mon, 03 Mar 2025 14:15:00 +0500</pubDate></item></channel></rss>",
        raw_content_type="application/rss+xml",
    )
    conn.commit()

    fetch = fetch_feed(simulator, sleep)

    assert [i.title for i in fetch.items] == ["Suv & gaz"]
    assert fetch.error is None and fetch.status.startswith("ok, read leniently")


def test_an_unknown_feed_is_an_http_error_not_an_exception(simulator, sleep, conn):
    fetch = fetch_feed(simulator, sleep, url="https://kun.uz/no/such/feed")
    assert (fetch.error, fetch.status, fetch.items) == ("HTTP 404 Not Found", "HTTP 404", [])


def test_a_cut_off_feed_is_fetched_again(simulator, sleep, rss_feed):
    simulator.fault("feeds", "malformed")

    fetch = fetch_feed(simulator, sleep)

    assert len(fetch.items) == 3 and fetch.quarantined == []
    assert sleep.calls == [1.0]


def test_feed_rate_limit_and_server_errors_are_retried(simulator, sleep, rss_feed):
    simulator.fault("feeds", "rate_limit", retry_after=5)
    simulator.fault("feeds", "server_error", status=503)

    assert len(fetch_feed(simulator, sleep).items) == 3
    assert sleep.calls == [5, 1.0]


def test_a_feed_failing_after_retries_is_platform_unavailable_naming_it(simulator, sleep, rss_feed):
    simulator.fault("feeds", "server_error", times=3, status=502)
    with pytest.raises(PlatformUnavailable, match=r"feed kun_ru \(https://kun.uz/ru/news/rss\)"):
        feeds(simulator, sleep, max_retries=2).fetch("kun_ru", FEED_URL)


# --- where feeds are fetched from -----------------------------------------------------------


def test_the_url_template_puts_the_feeds_host_and_path_in():
    via_simulator = FeedConnector("http://127.0.0.1:9/feeds/{host}{path}")
    direct = FeedConnector()

    assert via_simulator.fetch_url("https://kun.uz/ru/news/rss?lang=ru") == (
        "http://127.0.0.1:9/feeds/kun.uz/ru/news/rss?lang=ru"
    )
    assert direct.fetch_url("https://kun.uz/ru/news/rss") == "https://kun.uz/ru/news/rss"
    with pytest.raises(ValueError, match="template"):
        FeedConnector("http://127.0.0.1:9/feeds/")


def test_from_airflow_reads_the_template_or_fetches_directly_without_a_connection(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_PRESSWATCH_FEEDS", raising=False)
    assert FeedConnector.from_airflow().url_template == "{url}"

    monkeypatch.setenv(
        "AIRFLOW_CONN_PRESSWATCH_FEEDS",
        json.dumps({"conn_type": "http", "host": "http://127.0.0.1:9/feeds/{host}{path}"}),
    )
    assert FeedConnector.from_airflow().url_template == "http://127.0.0.1:9/feeds/{host}{path}"
    monkeypatch.setenv("AIRFLOW_CONN_PRESSWATCH_FEEDS", json.dumps({"conn_type": "http"}))
    assert FeedConnector.from_airflow().url_template == "{url}"


def test_simulator_connections_reach_the_portal_and_the_feeds(
    simulator, sleep, conn, monkeypatch, seven_stories, rss_feed
):
    for name, value in airflow_connections(conn, simulator.base_url).items():
        monkeypatch.setenv(name, value)

    portal_connector = PortalConnector.from_airflow(sleep=sleep)
    stories = portal_connector.stories()
    fetch = FeedConnector.from_airflow(sleep=sleep).fetch("kun_ru", FEED_URL)

    assert portal_connector.base_url == simulator.url("/portal")
    assert len(stories.items) == 7 and len(fetch.items) == 3


# --- the helpers at their edges -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 03 Mar 2025 14:15:00 +0500", (BASE + minutes(15), False)),
        ("3 Mar 2025 14:15 +05:00", (BASE + minutes(15), False)),
        ("Mon, 03 Mar 2025 12:15:00 MSK", (BASE + minutes(15), False)),
        ("Mon, 03 Mar 25 09:15:00 Z", (BASE + minutes(15), False)),
        ("2025-03-03T09:15:00Z", (BASE + minutes(15), False)),
        ("2025-03-03 14:15", (BASE + minutes(15), True)),
        ("Mon, 03 Mar 2025 14:15:00", (BASE + minutes(15), True)),
    ],
)
def test_story_time_reads_rfc_822_and_iso_8601_with_tashkent_for_no_zone(text, expected):
    assert story_time(text) == expected


@pytest.mark.parametrize(
    "text", ["yesterday", "", "Mon, 03 Mar 2025 14:15:00 XYZ", "2025-02-30T10:00:00+05:00"]
)
def test_story_time_refuses_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        story_time(text)


@pytest.mark.parametrize(
    ("declared", "default", "expected"),
    [
        ("ru-RU", "uz-Latn", "ru"),
        ("uz", "uz-Cyrl", "uz-Cyrl"),
        ("uz", "ru", "uz-Latn"),
        ("uz_Cyrl_UZ", None, "uz-Cyrl"),
        ("EN-us", None, "en"),
        (None, "ru", "ru"),
        ("kaa", "uz-Latn", None),
    ],
)
def test_story_language_maps_tags_to_the_four_languages(declared, default, expected):
    assert story_language(declared, default) == expected


def test_plain_text_keeps_words_of_adjacent_blocks_apart_and_inline_words_together():
    assert plain_text("<p>Bir</p><p>ikki</p><br>uch <b>to</b>rt") == "Bir ikki uch tort"


# --- the demo world through the connectors --------------------------------------------------


def test_the_demo_sources_read_cleanly_but_for_their_two_deliberately_bad_items(
    simulator, sleep, conn
):
    from presswatch.demo import generator, people

    generator.seed(conn, institutions=12, seed=3, days=10, end_date=dt.date(2025, 6, 30))
    conn.commit()

    stories = portal(simulator, sleep).stories()
    answers = portal(simulator, sleep).responses()
    connector = feeds(simulator, sleep)
    fetched = {
        feed.code: connector.fetch(feed.code, feed.url, language=feed.language)
        for feed in people.STORY_FEEDS
    }

    portal_count = conn.execute("SELECT count(*) FROM sim.portal_story").fetchone()[0]
    assert len(stories.items) == portal_count > 0 and stories.quarantined == []
    assert len(answers.responses) > 0 and answers.quarantined == []
    assert all(fetch.error is None and fetch.items for fetch in fetched.values())
    quarantined = [(code, q.reason) for code, f in fetched.items() for q in f.quarantined]
    assert len(quarantined) == 1
    assert quarantined[0][0] == people.NO_DATE_FEED
    assert quarantined[0][1].endswith(": no published date")
    newest = fetched[people.HTML_TITLE_FEED].items[0]
    assert "<" not in newest.title and "track(" not in newest.title
    titles = dict(conn.execute("SELECT url, title FROM sim.portal_story").fetchall())
    assert newest.url not in titles or titles[newest.url] == newest.title
    for feed in people.STORY_FEEDS:
        items = fetched[feed.code].items
        assert {item.published_at_zone_assumed for item in items} == {not feed.writes_zone}
        assert {item.language for item in items} == {feed.language}
        assert {item.source for item in items} == {feed.outlet}
    # Stories in both a feed and the portal carry the same URL and title.
    both = [i for f in fetched.values() for i in f.items[1:] if i.url in titles]
    assert both and all(titles[i.url] == i.title for i in both)
