"""The platform simulator speaks each platform's wire format, pages like the platform, and
injects faults in each platform's own shape. Real HTTP against a real server and Postgres."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import threading
import time
from urllib.parse import urljoin

import pytest
import requests

from presswatch import processes
from presswatch import simulator as simulator_package

UTC = dt.UTC
TOKEN = {"access_token": "test-token"}
BEARER = {"Authorization": "Bearer test-bearer"}
BOT = "/telegram/bot123456:TEST-token_ok"
TIMEOUT = 5

PAGE_ID = "123456789012345"
IG_OWN_ID = "17841405309211844"
IG_OTHER_ID = "17841401441775531"
X_USER_ID = "1234567890"
CHANNEL_ID = "1234567890"

# Shapes copied from /work/shared/reference/platform-api-shapes.md (values are illustrative).
GRAPH_PAGE = {
    "id": "123456789012345",
    "name": "Adliya vazirligi",
    "username": "adliyauz",
    "link": "https://www.facebook.com/adliyauz",
    "followers_count": 215000,
    "fan_count": 198000,
    "verification_status": "blue_verified",
}
GRAPH_POSTS_FIRST_PAGE = {
    "data": [
        {
            "id": "123456789012345_987654321098765",
            "message": "Matbuot anjumani ...",
            "created_time": "2025-03-03T09:15:00+0000",
            "permalink_url": "https://www.facebook.com/123456789012345/posts/987654321098765",
        }
    ],
    "paging": {
        "cursors": {"before": "QVFIUmxy", "after": "QVFIUk9n"},
        "next": "https://graph.facebook.com/v21.0/123456789012345/posts?limit=100&after=QVFIUk9n",
    },
}
GRAPH_ERROR = {
    "error": {
        "message": "(#4) Application request limit reached",
        "type": "OAuthException",
        "is_transient": True,
        "code": 4,
        "fbtrace_id": "AbCdEfGhIjK",
    }
}
IG_MEDIA_FIRST_PAGE = {
    "data": [
        {
            "id": "17895695668004550",
            "caption": "...",
            "media_type": "IMAGE",
            "permalink": "https://www.instagram.com/p/C4xYz12AbCd/",
            "timestamp": "2025-03-03T09:15:00+0000",
        }
    ],
    "paging": {
        "cursors": {"before": "QVFIUa", "after": "QVFIUb"},
        "next": "https://graph.facebook.com/v21.0/17841400000000000/media?limit=25&after=QVFIUb",
    },
}
IG_BUSINESS_DISCOVERY_FIRST_PAGE = {
    "business_discovery": {
        "followers_count": 54000,
        "media_count": 1320,
        "media": {
            "data": [
                {
                    "id": "17895695668004551",
                    "timestamp": "2025-03-04T11:00:00+0000",
                    "permalink": "https://www.instagram.com/p/C4zAb34CdEf/",
                    "caption": "...",
                }
            ],
            "paging": {"cursors": {"after": "QVFIUc"}},
        },
        "id": "17841401441775531",
    },
    "id": "17841405309211844",
}
X_USER = {
    "data": {
        "id": "1234567890",
        "name": "MFA Uzbekistan",
        "username": "MFA_Uzbekistan",
        "created_at": "2014-05-01T08:00:00.000Z",
        "verified": True,
        "verified_type": "government",
        "public_metrics": {
            "followers_count": 58000,
            "following_count": 120,
            "tweet_count": 9100,
            "listed_count": 300,
        },
    }
}
X_TWEETS_FIRST_PAGE = {
    "data": [
        {
            "id": "1897250000000000000",
            "text": "...",
            "created_at": "2025-03-03T09:15:00.000Z",
            "edit_history_tweet_ids": ["1897250000000000000"],
        }
    ],
    "meta": {
        "result_count": 1,
        "newest_id": "1897250000000000000",
        "oldest_id": "1897250000000000000",
        "next_token": "7140dibdnow9c7btw421dyz6jism75z99gyxd8egarsc4",
    },
}
TELEGRAM_CHAT = {
    "ok": True,
    "result": {
        "id": -1001234567890,
        "type": "channel",
        "title": "Adliya vazirligi",
        "username": "adliyauz",
        "description": "Rasmiy kanal",
        "accent_color_id": 1,
        "max_reaction_count": 11,
    },
}
TELEGRAM_MEMBER_COUNT = {"ok": True, "result": 45210}
TELEGRAM_ERROR = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
TELEGRAM_TOO_MANY_REQUESTS = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 15",
    "parameters": {"retry_after": 15},
}
WIKI_EXISTING_PAGE = {
    "pageid": 123456,
    "ns": 0,
    "title": "Oʻzbekiston Respublikasi Adliya vazirligi",
    "contentmodel": "wikitext",
    "pagelanguage": "uz",
    "pagelanguagehtmlcode": "uz",
    "pagelanguagedir": "ltr",
    "touched": "2025-02-11T10:00:00Z",
    "lastrevid": 4567890,
    "length": 8123,
    "langlinks": [{"lang": "en", "title": "Ministry of Justice (Uzbekistan)"}],
}
WIKI_MISSING_PAGE = {"ns": 0, "title": "Quvasoy shahar hokimligi", "missing": True}


def assert_same_shape(actual, reference, where: str = "response") -> None:
    """Same keys at every level and the same JSON types (lists: every item like the first)."""
    if isinstance(reference, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        assert set(actual) == set(reference), (
            f"{where}: keys {sorted(actual)} != {sorted(reference)}"
        )
        for key, value in reference.items():
            assert_same_shape(actual[key], value, f"{where}.{key}")
    elif isinstance(reference, list):
        assert isinstance(actual, list) and actual, f"{where}: expected a non-empty list"
        for index, item in enumerate(actual):
            assert_same_shape(item, reference[0], f"{where}[{index}]")
    else:
        assert type(actual) is type(reference), f"{where}: {actual!r} is not like {reference!r}"


# --- the simulated world --------------------------------------------------------------------


def add_account(
    conn,
    platform: str,
    external_id: str,
    handle: str,
    name: str = "Adliya vazirligi",
    *,
    verified: bool = False,
    verified_type: str | None = None,
    followers: int = 1000,
    deleted: bool = False,
) -> None:
    conn.execute(
        "INSERT INTO sim.account (platform, external_id, handle, name, verified, verified_type,"
        " followers, created_at, deleted) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            platform,
            external_id,
            handle,
            name,
            verified,
            verified_type,
            followers,
            dt.datetime(2014, 5, 1, 8, tzinfo=UTC),
            deleted,
        ],
    )


def add_posts(conn, platform: str, account_id: str, posts: list[tuple[str, dt.datetime, str]]):
    conn.cursor().executemany(
        "INSERT INTO sim.post (platform, account_external_id, post_id, created_at, text)"
        " VALUES (%s, %s, %s, %s, %s)",
        [(platform, account_id, post_id, created_at, text) for post_id, created_at, text in posts],
    )


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def epoch(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()))


@pytest.fixture
def facebook_page(conn):
    """A verified Page with 7 posts on 3 March 2025, 09:00 to 15:00, hourly."""
    add_account(conn, "facebook", PAGE_ID, "adliyauz", verified=True, followers=215000)
    add_posts(
        conn,
        "facebook",
        PAGE_ID,
        [(f"98765432109876{hour}", at(3, 9 + hour), f"Post {hour}") for hour in range(7)],
    )
    conn.commit()
    return PAGE_ID


@pytest.fixture
def instagram_accounts(conn):
    """Our own Instagram account and another one with 5 media, one a day from 1 March."""
    add_account(conn, "instagram", IG_OWN_ID, "aimc_uz", "AIMC")
    add_account(conn, "instagram", IG_OTHER_ID, "adliyauz", followers=54000)
    add_posts(
        conn,
        "instagram",
        IG_OTHER_ID,
        [(f"1789569566800455{day}", at(day, 11), f"Caption {day}") for day in range(1, 6)],
    )
    conn.commit()


@pytest.fixture
def x_account(conn):
    """A government account with 12 tweets, one every 12 hours from 3 March 00:00."""
    add_account(
        conn,
        "x",
        X_USER_ID,
        "MFA_Uzbekistan",
        "MFA Uzbekistan",
        verified=True,
        verified_type="government",
        followers=58000,
    )
    tweets = [
        (f"18972500000000000{index:02d}", at(3) + dt.timedelta(hours=12 * index), f"Tweet {index}")
        for index in range(12)
    ]
    add_posts(conn, "x", X_USER_ID, tweets)
    conn.commit()
    return tweets


@pytest.fixture
def telegram_channel(conn):
    """A channel with 45,210 subscribers and messages 4057..4101, ten minutes apart."""
    add_account(conn, "telegram", CHANNEL_ID, "adliyauz", followers=45210)
    add_posts(
        conn,
        "telegram",
        CHANNEL_ID,
        [
            (str(number), at(3) + dt.timedelta(minutes=10 * (number - 4057)), f"Xabar {number}")
            for number in range(4057, 4102)
        ],
    )
    conn.commit()


@pytest.fixture
def uzbek_wiki(conn):
    """uz.wikipedia: the ministry's article (4 langlinks) and a redirect to it."""
    conn.execute(
        "INSERT INTO sim.wiki_page (lang, pageid, title) VALUES"
        " ('uz', 123456, 'Oʻzbekiston Respublikasi Adliya vazirligi'), ('uz', 200, 'Toshkent')"
    )
    conn.execute(
        "INSERT INTO sim.wiki_redirect (lang, from_title, to_title) VALUES"
        " ('uz', 'Adliya vazirligi', 'Oʻzbekiston Respublikasi Adliya vazirligi')"
    )
    conn.execute(
        "INSERT INTO sim.wiki_langlink (lang, pageid, target_lang, target_title) VALUES"
        " ('uz', 123456, 'en', 'Ministry of Justice (Uzbekistan)'),"
        " ('uz', 123456, 'ru', 'Министерство юстиции Республики Узбекистан'),"
        " ('uz', 200, 'en', 'Tashkent'), ('uz', 200, 'ru', 'Ташкент')"
    )
    conn.commit()


def graph_get(simulator, path: str, **params) -> requests.Response:
    return requests.get(
        simulator.url(f"/graph/v21.0{path}"), params={**TOKEN, **params}, timeout=TIMEOUT
    )


def wiki_query(simulator, titles: list[str], **params) -> requests.Response:
    query = {
        "action": "query",
        "format": "json",
        "formatversion": "2",
        "prop": "info|langlinks",
        "lllimit": "max",
        "redirects": "1",
        "titles": "|".join(titles),
        **params,
    }
    return requests.get(simulator.url("/wiki/uz/w/api.php"), params=query, timeout=TIMEOUT)


# --- Facebook Graph -------------------------------------------------------------------------


def test_graph_page_has_reference_fields_and_only_those_requested(simulator, facebook_page):
    fields = ",".join(GRAPH_PAGE)
    page = graph_get(simulator, f"/{PAGE_ID}", fields=fields)
    assert page.status_code == 200
    assert_same_shape(page.json(), GRAPH_PAGE)
    assert page.json()["verification_status"] == "blue_verified"
    assert page.json()["followers_count"] == 215000
    assert "x-app-usage" in page.headers

    by_username = graph_get(simulator, "/adliyauz", fields="name,followers_count")
    assert by_username.json() == {
        "name": "Adliya vazirligi",
        "followers_count": 215000,
        "id": PAGE_ID,
    }


def test_graph_unknown_field_is_an_error_like_graph(simulator, facebook_page):
    response = graph_get(simulator, f"/{PAGE_ID}", fields="id,likes_total")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert "nonexisting field (likes_total)" in response.json()["error"]["message"]


def test_graph_unknown_or_deleted_page_is_an_unsupported_get_request(simulator, conn):
    add_account(conn, "facebook", "555", "gone", deleted=True)
    conn.commit()
    for node in ("999999", "555"):
        response = graph_get(simulator, f"/{node}", fields="id,name")
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == 100 and error["error_subcode"] == 33
        assert error["message"].startswith(f"Unsupported get request. Object with ID '{node}'")
        assert error["fbtrace_id"]


def test_graph_without_access_token_is_rejected_with_code_190(simulator, facebook_page):
    response = requests.get(simulator.url(f"/graph/v21.0/{PAGE_ID}"), timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 190
    assert response.json()["error"]["type"] == "OAuthException"


def test_graph_posts_page_newest_first_to_a_last_page_without_next(simulator, facebook_page):
    url = simulator.url(f"/graph/v21.0/{PAGE_ID}/posts")
    params = {
        **TOKEN,
        "fields": "id,message,created_time,permalink_url",
        "since": epoch(at(3)),
        "until": epoch(at(4)),
        "limit": "3",
    }
    pages = [requests.get(url, params=params, timeout=TIMEOUT).json()]
    while "next" in pages[-1]["paging"]:
        assert pages[-1]["paging"]["next"].startswith(simulator.base_url + "/graph/v21.0/")
        pages.append(requests.get(pages[-1]["paging"]["next"], timeout=TIMEOUT).json())

    assert [len(page["data"]) for page in pages] == [3, 3, 1]
    assert_same_shape(pages[0], GRAPH_POSTS_FIRST_PAGE)
    ids = [post["id"] for page in pages for post in page["data"]]
    assert ids == [f"{PAGE_ID}_98765432109876{hour}" for hour in reversed(range(7))]
    first = pages[0]["data"][0]
    assert first["created_time"] == "2025-03-03T15:00:00+0000"
    assert first["permalink_url"] == f"https://www.facebook.com/{PAGE_ID}/posts/987654321098766"


def test_graph_posts_since_is_inclusive_and_until_exclusive(simulator, facebook_page):
    response = graph_get(
        simulator,
        f"/{PAGE_ID}/posts",
        fields="id,created_time",
        since=epoch(at(3, 10)),
        until=epoch(at(3, 13)),
    )
    times = [post["created_time"] for post in response.json()["data"]]
    assert times == [
        "2025-03-03T12:00:00+0000",
        "2025-03-03T11:00:00+0000",
        "2025-03-03T10:00:00+0000",
    ]
    assert "next" not in response.json()["paging"]


# --- Instagram Graph ------------------------------------------------------------------------


def test_instagram_media_pages_with_cursors_to_the_end(simulator, instagram_accounts):
    params = {"fields": "id,caption,media_type,permalink,timestamp", "limit": "2"}
    first = graph_get(simulator, f"/{IG_OTHER_ID}/media", **params).json()
    assert_same_shape(first, IG_MEDIA_FIRST_PAGE)
    pages = [first]
    while "next" in pages[-1]["paging"]:
        pages.append(requests.get(pages[-1]["paging"]["next"], timeout=TIMEOUT).json())
    ids = [media["id"] for page in pages for media in page["data"]]
    assert ids == [f"1789569566800455{day}" for day in (5, 4, 3, 2, 1)]
    assert {media["media_type"] for page in pages for media in page["data"]} <= {
        "IMAGE",
        "VIDEO",
        "CAROUSEL_ALBUM",
    }


def test_instagram_business_discovery_pages_media_with_after(simulator, instagram_accounts):
    def discover(media_modifiers: str) -> dict:
        fields = (
            "business_discovery.username(adliyauz){followers_count,media_count,"
            f"media{media_modifiers}{{id,timestamp,permalink,caption}}}}"
        )
        response = graph_get(simulator, f"/{IG_OWN_ID}", fields=fields)
        assert response.status_code == 200, response.text
        return response.json()

    first = discover(".limit(2)")
    assert_same_shape(first, IG_BUSINESS_DISCOVERY_FIRST_PAGE)
    assert first["business_discovery"]["followers_count"] == 54000
    assert first["business_discovery"]["media_count"] == 5
    pages = [first["business_discovery"]["media"]]
    while "after" in pages[-1]["paging"]["cursors"]:
        after = pages[-1]["paging"]["cursors"]["after"]
        pages.append(discover(f".after({after}).limit(2)")["business_discovery"]["media"])
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    ids = [media["id"] for page in pages for media in page["data"]]
    assert ids == [f"1789569566800455{day}" for day in (5, 4, 3, 2, 1)]


def test_instagram_business_discovery_of_unknown_user_is_error_110(simulator, instagram_accounts):
    fields = "business_discovery.username(nobody_here){followers_count}"
    response = graph_get(simulator, f"/{IG_OWN_ID}", fields=fields)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["error_subcode"]) == (110, 2207013)


# --- X API v2 -------------------------------------------------------------------------------


def test_x_user_lookup_has_reference_shape(simulator, x_account):
    response = requests.get(
        simulator.url("/x/2/users/by/username/MFA_Uzbekistan"),
        params={"user.fields": "verified,verified_type,public_metrics,created_at"},
        headers=BEARER,
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert_same_shape(response.json(), X_USER)
    user = response.json()["data"]
    assert user["verified_type"] == "government"
    assert user["created_at"] == "2014-05-01T08:00:00.000Z"
    assert user["public_metrics"]["tweet_count"] == 12


def test_x_unknown_user_is_http_200_with_not_found_error(simulator, x_account):
    response = requests.get(
        simulator.url("/x/2/users/by/username/nobody_here"), headers=BEARER, timeout=TIMEOUT
    )
    assert response.status_code == 200
    assert "data" not in response.json()
    (error,) = response.json()["errors"]
    assert error["title"] == "Not Found Error"
    assert error["resource_type"] == "user" and error["value"] == "nobody_here"


def test_x_without_bearer_token_is_401(simulator, x_account):
    response = requests.get(simulator.url("/x/2/users/by/username/MFA_Uzbekistan"), timeout=TIMEOUT)
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"


def test_x_tweets_page_with_next_token_start_inclusive_end_exclusive(simulator, x_account):
    url = simulator.url(f"/x/2/users/{X_USER_ID}/tweets")
    params = {
        # Tweet 0 is at the start instant (kept); tweet 11 at the end instant (left out).
        "start_time": "2025-03-03T00:00:00Z",
        "end_time": "2025-03-08T12:00:00Z",
        "max_results": "5",
        "tweet.fields": "created_at",
    }
    pages = [requests.get(url, params=params, headers=BEARER, timeout=TIMEOUT).json()]
    while "next_token" in pages[-1]["meta"]:
        token = pages[-1]["meta"]["next_token"]
        next_params = {**params, "pagination_token": token}
        pages.append(requests.get(url, params=next_params, headers=BEARER, timeout=TIMEOUT).json())

    assert_same_shape(pages[0], X_TWEETS_FIRST_PAGE)
    assert [page["meta"]["result_count"] for page in pages] == [5, 5, 1]
    ids = [tweet["id"] for page in pages for tweet in page["data"]]
    assert ids == [x_account[index][0] for index in reversed(range(11))]
    assert pages[0]["meta"]["newest_id"] == x_account[10][0]
    assert pages[-1]["meta"]["oldest_id"] == x_account[0][0]
    assert pages[-1]["data"][-1]["created_at"] == "2025-03-03T00:00:00.000Z"


def test_x_empty_window_is_only_a_zero_result_count(simulator, x_account):
    response = requests.get(
        simulator.url(f"/x/2/users/{X_USER_ID}/tweets"),
        params={"start_time": "2024-01-01T00:00:00Z", "end_time": "2024-01-08T00:00:00Z"},
        headers=BEARER,
        timeout=TIMEOUT,
    )
    assert response.json() == {"meta": {"result_count": 0}}


def test_x_max_results_out_of_range_is_an_invalid_request(simulator, x_account):
    response = requests.get(
        simulator.url(f"/x/2/users/{X_USER_ID}/tweets"),
        params={"max_results": "500"},
        headers=BEARER,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json()["title"] == "Invalid Request"
    assert response.json()["errors"][0]["parameters"] == {"max_results": ["500"]}


# --- Telegram -------------------------------------------------------------------------------


def test_telegram_get_chat_and_member_count_have_reference_shape(simulator, telegram_channel):
    chat = requests.get(
        simulator.url(f"{BOT}/getChat"), params={"chat_id": "@adliyauz"}, timeout=TIMEOUT
    )
    assert_same_shape(chat.json(), TELEGRAM_CHAT)
    assert chat.json()["result"]["id"] == -1001234567890
    count = requests.post(
        simulator.url(f"{BOT}/getChatMemberCount"), json={"chat_id": "@AdliyaUz"}, timeout=TIMEOUT
    )
    assert count.json() == {"ok": True, "result": 45210}
    assert_same_shape(count.json(), TELEGRAM_MEMBER_COUNT)


def test_telegram_unknown_chat_is_bad_request_chat_not_found(simulator, telegram_channel):
    response = requests.get(
        simulator.url(f"{BOT}/getChat"), params={"chat_id": "@nobody_here"}, timeout=TIMEOUT
    )
    assert response.status_code == 400
    assert response.json() == TELEGRAM_ERROR


def test_telegram_malformed_bot_token_is_not_found(simulator, telegram_channel):
    response = requests.get(
        simulator.url("/telegram/bot/getChat"), params={"chat_id": "@adliyauz"}, timeout=TIMEOUT
    )
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


def _tme_message_numbers(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'data-post="adliyauz/(\d+)"', page)]


def test_tme_pages_back_with_before_to_the_oldest_message(simulator, telegram_channel):
    url = simulator.url("/tme/s/adliyauz")
    pages = [requests.get(url, timeout=TIMEOUT)]
    assert 'class="tgme_channel_history js-message_history"' in pages[0].text
    assert re.search(
        r'<div class="tgme_channel_info_counter"><span class="counter_value">45.2K</span>'
        r' <span class="counter_type">subscribers</span>',
        pages[0].text,
    )
    while match := re.search(
        r'href="([^"]+)" class="tme_messages_more[^"]*" data-before="(\d+)"', pages[-1].text
    ):
        href, before = match.groups()
        assert urljoin(pages[-1].url, href) == f"{url}?before={before}"
        pages.append(requests.get(url, params={"before": before}, timeout=TIMEOUT))

    numbers = [_tme_message_numbers(page.text) for page in pages]
    assert [len(page) for page in numbers] == [20, 20, 5]
    assert numbers[0] == list(range(4082, 4102))  # newest last
    assert [number for page in reversed(numbers) for number in page] == list(range(4057, 4102))
    assert '<time datetime="2025-03-03T00:00:00+00:00" class="time">00:00</time>' in pages[-1].text


def test_tme_escapes_html_in_message_text(simulator, conn):
    add_account(conn, "telegram", "77", "sudlar", "Sud & Adliya", followers=950)
    add_posts(conn, "telegram", "77", [("1", at(3), '<script>alert("x")</script> & co\nline 2')])
    conn.commit()
    page = requests.get(simulator.url("/tme/s/sudlar"), timeout=TIMEOUT).text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co<br/>line 2" in page
    assert "Sud &amp; Adliya" in page
    assert '<span class="counter_value">950</span>' in page


def test_tme_header_shows_the_verified_badge_only_for_a_verified_channel(
    simulator, telegram_channel, conn
):
    add_account(conn, "telegram", "1000000042", "mfa_uz", "Tashqi ishlar", verified=True)
    conn.commit()
    header = re.compile(
        r'<div class="tgme_channel_info_header_title"><span dir="auto">([^<]*)</span>'
        r'(<i class="verified-icon"><svg[^>]*>.*?</svg></i>)?</div>'
    )

    verified = header.search(requests.get(simulator.url("/tme/s/mfa_uz"), timeout=TIMEOUT).text)
    plain = header.search(requests.get(simulator.url("/tme/s/adliyauz"), timeout=TIMEOUT).text)

    assert verified and verified.group(1) == "Tashqi ishlar" and verified.group(2)
    assert plain and plain.group(1) == "Adliya vazirligi" and plain.group(2) is None


def test_tme_unknown_channel_redirects_to_its_contact_page(simulator, telegram_channel):
    response = requests.get(simulator.url("/tme/s/nobody_here"), timeout=TIMEOUT)
    assert response.history and response.history[0].status_code == 302
    assert response.url == simulator.url("/tme/nobody_here")
    assert "tgme_channel_history" not in response.text


# --- MediaWiki ------------------------------------------------------------------------------


def test_wiki_normalizes_follows_redirects_and_marks_missing(simulator, uzbek_wiki):
    response = wiki_query(simulator, ["Adliya_vazirligi", "Quvasoy_shahar_hokimligi"])
    body = response.json()
    # "limits" is how MediaWiki reports a limit asked as "max".
    assert set(body) == {"batchcomplete", "limits", "query"}
    assert body["batchcomplete"] is True
    assert body["query"]["normalized"] == [
        {"fromencoded": False, "from": "Adliya_vazirligi", "to": "Adliya vazirligi"},
        {
            "fromencoded": False,
            "from": "Quvasoy_shahar_hokimligi",
            "to": "Quvasoy shahar hokimligi",
        },
    ]
    assert body["query"]["redirects"] == [
        {"from": "Adliya vazirligi", "to": "Oʻzbekiston Respublikasi Adliya vazirligi"}
    ]
    existing, missing = body["query"]["pages"]
    assert_same_shape(existing, WIKI_EXISTING_PAGE)
    assert existing["pageid"] == 123456
    assert existing["langlinks"] == [
        {"lang": "en", "title": "Ministry of Justice (Uzbekistan)"},
        {"lang": "ru", "title": "Министерство юстиции Республики Узбекистан"},
    ]
    assert missing == WIKI_MISSING_PAGE


def test_wiki_formatversion_1_keys_pages_by_id(simulator, uzbek_wiki):
    response = wiki_query(
        simulator, ["Adliya vazirligi", "Quvasoy shahar hokimligi"], formatversion="1"
    )
    body = response.json()
    assert body["batchcomplete"] == ""
    pages = body["query"]["pages"]
    assert set(pages) == {"123456", "-1"}
    assert pages["-1"] == {"ns": 0, "title": "Quvasoy shahar hokimligi", "missing": ""}
    assert pages["123456"]["langlinks"][0] == {
        "lang": "en",
        "*": "Ministry of Justice (Uzbekistan)",
    }


def test_wiki_continues_when_langlinks_exceed_lllimit(simulator, uzbek_wiki):
    titles = ["Adliya vazirligi", "Toshkent"]
    collected: list[tuple[int, str]] = []
    continuation: dict = {}
    for _ in range(5):
        body = wiki_query(simulator, titles, lllimit="3", **continuation).json()
        for page in body["query"]["pages"]:
            collected += [(page["pageid"], link["lang"]) for link in page.get("langlinks", [])]
        if "continue" not in body:
            assert body["batchcomplete"] is True
            break
        assert "batchcomplete" not in body
        assert body["continue"] == {"llcontinue": "123456|ru", "continue": "||"}
        continuation = {"llcontinue": body["continue"]["llcontinue"]}
    assert collected == [(200, "en"), (200, "ru"), (123456, "en"), (123456, "ru")]


def test_wiki_rejects_more_than_50_titles(simulator, uzbek_wiki):
    response = wiki_query(simulator, [f"Title {index}" for index in range(51)])
    assert response.status_code == 200
    assert response.headers["MediaWiki-API-Error"] == "toomanyvalues"
    error = response.json()["error"]
    assert error["code"] == "toomanyvalues" and error["limit"] == 50
    assert error["info"] == 'Too many values supplied for parameter "titles". The limit is 50.'


# --- faults ---------------------------------------------------------------------------------


def test_graph_rate_limit_is_code_4_with_app_usage_then_the_next_request_succeeds(
    simulator, facebook_page
):
    simulator.fault("facebook", "rate_limit")
    limited = graph_get(simulator, f"/{PAGE_ID}", fields="id")
    assert limited.status_code == 400
    assert_same_shape(limited.json(), GRAPH_ERROR)
    assert limited.json()["error"]["message"] == "(#4) Application request limit reached"
    assert json.loads(limited.headers["x-app-usage"])["call_count"] == 100
    assert graph_get(simulator, f"/{PAGE_ID}", fields="id").status_code == 200


def test_graph_rate_limit_code_and_status_are_chosen_and_only_hit_instagram(
    simulator, facebook_page, instagram_accounts
):
    simulator.fault("instagram", "rate_limit", code=32, status=403)
    assert graph_get(simulator, f"/{PAGE_ID}", fields="id").status_code == 200
    limited = graph_get(simulator, f"/{IG_OTHER_ID}/media")
    assert limited.status_code == 403
    assert limited.json()["error"]["code"] == 32
    assert limited.json()["error"]["message"] == "(#32) Page request limit reached"
    assert graph_get(simulator, f"/{IG_OTHER_ID}/media").status_code == 200


def test_x_rate_limit_is_429_with_reset_header_then_the_next_request_succeeds(simulator, x_account):
    simulator.fault("x", "rate_limit", retry_after=1)
    url = simulator.url("/x/2/users/by/username/MFA_Uzbekistan")
    limited = requests.get(url, headers=BEARER, timeout=TIMEOUT)
    assert limited.status_code == 429
    assert limited.json() == {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert int(limited.headers["x-rate-limit-limit"]) > 0
    assert 0 < int(limited.headers["x-rate-limit-reset"]) - time.time() <= 3
    assert requests.get(url, headers=BEARER, timeout=TIMEOUT).status_code == 200


def test_telegram_rate_limit_is_429_with_retry_after_then_succeeds(simulator, telegram_channel):
    simulator.fault("telegram", "rate_limit", retry_after=1)
    url = simulator.url(f"{BOT}/getChatMemberCount")
    limited = requests.get(url, params={"chat_id": "@adliyauz"}, timeout=TIMEOUT)
    assert limited.status_code == 429
    assert_same_shape(limited.json(), TELEGRAM_TOO_MANY_REQUESTS)
    assert limited.json()["description"] == "Too Many Requests: retry after 1"
    assert limited.json()["parameters"] == {"retry_after": 1}
    ok = requests.get(url, params={"chat_id": "@adliyauz"}, timeout=TIMEOUT)
    assert ok.json() == {"ok": True, "result": 45210}


def test_tme_rate_limit_is_429_with_retry_after_header_then_succeeds(simulator, telegram_channel):
    simulator.fault("tme", "rate_limit", retry_after=1)
    url = simulator.url("/tme/s/adliyauz")
    limited = requests.get(url, timeout=TIMEOUT)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "1")
    assert requests.get(url, timeout=TIMEOUT).status_code == 200


def test_wiki_rate_limit_is_429_or_maxlag_then_succeeds(simulator, uzbek_wiki):
    simulator.fault("wiki", "rate_limit", retry_after=1)
    simulator.fault("wiki", "rate_limit", variant="maxlag", retry_after=1)
    limited = wiki_query(simulator, ["Toshkent"])
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "1")
    lagged = wiki_query(simulator, ["Toshkent"])
    assert lagged.status_code == 200
    assert lagged.headers["MediaWiki-API-Error"] == "maxlag"
    assert lagged.headers["Retry-After"] == "1"
    assert lagged.json()["error"]["code"] == "maxlag"
    assert wiki_query(simulator, ["Toshkent"]).json()["query"]["pages"][0]["pageid"] == 200


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_faults_answer_the_chosen_status_then_recover(
    simulator, facebook_page, status
):
    simulator.fault("facebook", "server_error", status=status)
    failed = graph_get(simulator, f"/{PAGE_ID}", fields="id")
    assert failed.status_code == status
    assert failed.json()["error"]["is_transient"] is True
    assert graph_get(simulator, f"/{PAGE_ID}", fields="id").status_code == 200


def test_server_error_faults_take_each_platform_shape(
    simulator, x_account, telegram_channel, uzbek_wiki
):
    for platform in ("x", "telegram", "tme", "wiki"):
        simulator.fault(platform, "server_error")
    x_failed = requests.get(
        simulator.url("/x/2/users/by/username/MFA_Uzbekistan"), headers=BEARER, timeout=TIMEOUT
    )
    assert (x_failed.status_code, x_failed.json()["title"]) == (500, "Internal Server Error")
    bot_failed = requests.get(simulator.url(f"{BOT}/getMe"), timeout=TIMEOUT)
    assert bot_failed.json() == {
        "ok": False,
        "error_code": 500,
        "description": "Internal Server Error",
    }
    assert requests.get(simulator.url("/tme/s/adliyauz"), timeout=TIMEOUT).status_code == 500
    assert wiki_query(simulator, ["Toshkent"]).status_code == 500


@pytest.mark.parametrize(
    ("platform", "path", "params", "headers"),
    [
        ("facebook", f"/graph/v21.0/{PAGE_ID}", {**TOKEN, "fields": "id,name"}, {}),
        ("x", "/x/2/users/by/username/MFA_Uzbekistan", {}, BEARER),
        ("telegram", f"{BOT}/getChat", {"chat_id": "@adliyauz"}, {}),
        ("wiki", "/wiki/uz/w/api.php", {"action": "query", "format": "json", "titles": "A"}, {}),
    ],
)
def test_malformed_fault_body_fails_json_parsing(
    simulator,
    facebook_page,
    x_account,
    telegram_channel,
    uzbek_wiki,
    platform,
    path,
    params,
    headers,
):
    simulator.fault(platform, "malformed")
    response = requests.get(simulator.url(path), params=params, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    healthy = requests.get(simulator.url(path), params=params, headers=headers, timeout=TIMEOUT)
    assert healthy.json()


def test_malformed_tme_page_is_cut_short(simulator, telegram_channel):
    simulator.fault("tme", "malformed")
    broken = requests.get(simulator.url("/tme/s/adliyauz"), timeout=TIMEOUT)
    assert broken.status_code == 200
    assert "</html>" not in broken.text
    assert len(_tme_message_numbers(broken.text)) < 20


def test_slow_fault_answers_normally_after_the_delay(simulator, telegram_channel):
    simulator.fault("telegram", "slow", delay_seconds=0.4)
    started = time.monotonic()
    response = requests.get(simulator.url(f"{BOT}/getMe"), timeout=TIMEOUT)
    assert time.monotonic() - started >= 0.4
    assert response.json()["ok"] is True


def test_slow_fault_does_not_hold_up_other_requests(simulator, telegram_channel):
    simulator.fault("wiki", "slow", delay_seconds=1.0)
    slow_elapsed: list[float] = []

    def slow_request() -> None:
        started = time.monotonic()
        requests.get(simulator.url("/wiki/uz/w/api.php"), params={"action": "query"}, timeout=5)
        slow_elapsed.append(time.monotonic() - started)

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert requests.get(simulator.url(f"{BOT}/getMe"), timeout=TIMEOUT).status_code == 200
    assert time.monotonic() - started < 0.5
    thread.join(5)
    assert slow_elapsed and slow_elapsed[0] >= 1.0


def test_timeout_fault_trips_the_client_timeout_then_the_next_request_succeeds(
    simulator, x_account
):
    simulator.fault("x", "timeout", delay_seconds=5)
    url = simulator.url("/x/2/users/by/username/MFA_Uzbekistan")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, headers=BEARER, timeout=0.3)
    assert requests.get(url, headers=BEARER, timeout=TIMEOUT).status_code == 200
    # The server stops waiting once the client has hung up, well before the 5 s delay.
    deadline = time.monotonic() + 2
    while not any(entry["fault"] == "timeout" for entry in simulator.requests()):
        assert time.monotonic() < deadline, "the timed-out request is still held"
        time.sleep(0.05)


def test_request_log_records_platform_requests_with_status_and_fault(simulator, facebook_page):
    simulator.fault("facebook", "rate_limit")
    graph_get(simulator, f"/{PAGE_ID}", fields="id")
    graph_get(simulator, f"/{PAGE_ID}", fields="id")
    logged = simulator.requests()
    assert [(entry["status"], entry["fault"]) for entry in logged] == [
        (400, "rate_limit"),
        (200, None),
    ]
    assert logged[0]["method"] == "GET"
    assert logged[0]["path"] == f"/graph/v21.0/{PAGE_ID}"
    assert "fields=id" in logged[0]["query"]
    assert logged[0]["platform"] == "facebook"


def test_fault_admin_rejects_unknown_platform_kind_or_field(simulator):
    for body in (
        {"platform": "myspace", "kind": "rate_limit"},
        {"platform": "x", "kind": "meltdown"},
        {"platform": "x", "kind": "rate_limit", "retry_afte": 1},
        {"platform": "x", "kind": "server_error", "status": 404},
    ):
        response = requests.post(simulator.url("/_sim/faults"), json=body, timeout=TIMEOUT)
        assert response.status_code == 422, body
    pending = requests.get(simulator.url("/_sim/faults"), timeout=TIMEOUT).json()["pending"]
    assert pending == []


def test_faults_apply_to_the_next_n_requests_only(simulator, telegram_channel):
    simulator.fault("telegram", "server_error", times=2)
    statuses = [
        requests.get(simulator.url(f"{BOT}/getMe"), timeout=TIMEOUT).status_code for _ in range(3)
    ]
    assert statuses == [500, 500, 200]


# --- the story sources: the monitoring portal and news feeds --------------------------------

PORTAL = "/portal/api/v1"
PORTAL_AUTH = {"Authorization": "Bearer test-portal"}
# The documented shapes (presswatch.simulator.portal), with every value present.
PORTAL_STORY = {
    "id": "1000123",
    "url": "https://kun.uz/news/2025/03/03/100234",
    "title": "Adliya vazirligi: murojaatlar javobsiz",
    "text": "Matn.",
    "language": "uz-Latn",
    "source": {"name": "Kun.uz", "domain": "kun.uz"},
    "published_at": "2025-03-03T14:15:00+05:00",
    "collected_at": "2025-03-03T14:19:12+05:00",
    "institutions": [{"code": "justice"}],
    "tone": "negative",
}
PORTAL_RESPONSE = {
    "id": "5000123",
    "story": {"id": "1000123", "url": "https://kun.uz/news/2025/03/03/100234"},
    "institution": {"code": "justice"},
    "responded_at": "2025-03-03T18:02:00+05:00",
    "url": "https://x.com/adliyauz/status/1897000000000000000",
    "channel": "social_post",
    "account": {"platform": "x", "handle": "adliyauz"},
    "recorded_at": "2025-03-03T18:09:41+05:00",
}


@pytest.fixture
def portal_world(conn):
    for n in range(3):
        conn.execute(
            "INSERT INTO sim.portal_story (portal_id, source_name, source_domain, url, title,"
            " text, language, published_at, collected_at, institution_codes, tone)"
            " VALUES (%s, 'Kun.uz', 'kun.uz', %s, 'Adliya vazirligi: murojaatlar javobsiz',"
            " 'Matn.', 'uz-Latn', %s, %s, ARRAY['justice'], 'negative')",
            [1000 + n, f"https://kun.uz/news/{n}", at(3, 9, 15 + n), at(3, 9, 19 + n)],
        )
    conn.execute(
        "INSERT INTO sim.portal_response (portal_id, story_portal_id, story_url,"
        " institution_code, responded_at, url, channel, account_platform, account_handle,"
        " recorded_at) VALUES (5000, 1000, 'https://kun.uz/news/0', 'justice', %s,"
        " 'https://x.com/adliyauz/status/1897000000000000000', 'social_post', 'x', 'adliyauz',"
        " %s)",
        [at(3, 13, 2), at(3, 13, 9)],
    )
    conn.commit()


def portal_get(simulator, listing: str, **params) -> requests.Response:
    return requests.get(
        simulator.url(f"{PORTAL}/{listing}"), params=params, headers=PORTAL_AUTH, timeout=TIMEOUT
    )


def test_portal_pages_have_the_documented_shape_in_tashkent_time(simulator, portal_world):
    first = portal_get(simulator, "stories", limit=2).json()
    assert set(first) == {"data", "next_cursor", "has_more"}
    assert first["has_more"] is True
    assert_same_shape(first["data"], [PORTAL_STORY], "stories")
    assert first["data"][0]["published_at"] == "2025-03-03T14:15:00+05:00"
    assert first["data"][0]["collected_at"] == "2025-03-03T14:19:00+05:00"

    rest = portal_get(simulator, "stories", limit=2, cursor=first["next_cursor"]).json()
    assert ([s["id"] for s in rest["data"]], rest["has_more"]) == (["1002"], False)
    empty = portal_get(simulator, "stories", cursor=rest["next_cursor"]).json()
    assert (empty["data"], empty["next_cursor"]) == ([], rest["next_cursor"])

    responses = portal_get(simulator, "responses").json()
    assert_same_shape(responses["data"], [PORTAL_RESPONSE], "responses")


def test_portal_until_is_exclusive_of_what_was_collected_then(simulator, portal_world):
    page = portal_get(simulator, "stories", until="2025-03-03T14:20:00+05:00").json()
    assert [s["id"] for s in page["data"]] == ["1000"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "501"}, "invalid_parameter"),
        ({"limit": "0"}, "invalid_parameter"),
        ({"until": "2025-03-03T14:20:00"}, "invalid_parameter"),
        ({"cursor": "garbage"}, "invalid_cursor"),
    ],
)
def test_portal_rejects_bad_parameters_with_400(simulator, portal_world, params, code):
    answer = portal_get(simulator, "stories", **params)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


def test_portal_without_bearer_token_is_401(simulator, portal_world):
    answer = requests.get(simulator.url(f"{PORTAL}/stories"), timeout=TIMEOUT)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["error"]["code"] == "unauthorized"


def test_portal_rate_limit_is_429_with_retry_after_and_5xx_a_gateway_page(simulator, portal_world):
    simulator.fault("portal", "rate_limit", retry_after=12)
    simulator.fault("portal", "server_error", status=504)
    limited = portal_get(simulator, "stories")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "12")
    assert limited.json()["error"]["code"] == "rate_limited"
    failed = portal_get(simulator, "stories")
    assert failed.status_code == 504 and "nginx" in failed.text
    assert portal_get(simulator, "stories").status_code == 200


@pytest.fixture
def feed_world(conn):
    conn.execute(
        "INSERT INTO sim.feed (host, path, format, title, language)"
        " VALUES ('kun.uz', '/ru/news/rss', 'rss', 'Kun.uz', 'ru'),"
        "        ('xabar.uz', '/feed/atom', 'atom', 'Xabar.uz', 'uz-Cyrl')"
    )
    for host, path in (("kun.uz", "/ru/news/rss"), ("xabar.uz", "/feed/atom")):
        conn.execute(
            "INSERT INTO sim.feed_item (host, path, guid, link, title, description, body,"
            " pub_date, listed_at) VALUES"
            " (%(host)s, %(path)s, 'g1', 'https://x/1', 'Old', NULL, NULL, 'd1', %(old)s),"
            " (%(host)s, %(path)s, 'https://x/2', 'https://x/2', '<b>Suv & gaz</b>',"
            "  '<p>Anons</p>', 'a ]]> b', 'Mon, 03 Mar 2025 14:15:00 +0500', %(new)s)",
            {"host": host, "path": path, "old": at(3, 8), "new": at(3, 9, 15)},
        )
    conn.commit()


def test_rss_is_well_formed_newest_first_with_html_escaped_and_validators(simulator, feed_world):
    import xml.etree.ElementTree as ET

    answer = requests.get(simulator.url("/feeds/kun.uz/ru/news/rss"), timeout=TIMEOUT)
    assert answer.headers["content-type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(answer.content).find("channel")
    assert channel.findtext("language") == "ru"
    newest, oldest = channel.findall("item")
    assert newest.findtext("title") == "<b>Suv & gaz</b>"
    assert newest.find("guid").get("isPermaLink") == "true"
    assert oldest.find("guid").get("isPermaLink") == "false"
    content = "{http://purl.org/rss/1.0/modules/content/}encoded"
    assert newest.findtext(content) == "a ]]> b"
    assert newest.findtext("pubDate") == "Mon, 03 Mar 2025 14:15:00 +0500"
    assert answer.headers["Last-Modified"] == "Mon, 03 Mar 2025 09:15:00 GMT"
    assert answer.headers["ETag"].startswith('"')


def test_atom_is_well_formed_with_its_language(simulator, feed_world):
    import xml.etree.ElementTree as ET

    answer = requests.get(simulator.url("/feeds/xabar.uz/feed/atom"), timeout=TIMEOUT)
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(answer.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "uz-Cyrl"
    newest = feed.findall(f"{atom}entry")[0]
    assert newest.findtext(f"{atom}title") == "<b>Suv & gaz</b>"
    assert newest.find(f"{atom}link").get("href") == "https://x/2"


def test_feed_answers_304_to_its_etag_or_last_modified_and_the_etag_wins(simulator, feed_world):
    url = simulator.url("/feeds/kun.uz/ru/news/rss")
    first = requests.get(url, timeout=TIMEOUT)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]

    def status(**headers) -> int:
        return requests.get(url, headers=headers, timeout=TIMEOUT).status_code

    assert status(**{"If-None-Match": etag}) == 304
    assert status(**{"If-None-Match": f'"other", W/{etag}'}) == 304
    assert status(**{"If-Modified-Since": last_modified}) == 304
    assert status(**{"If-Modified-Since": "Mon, 03 Mar 2025 09:14:59 GMT"}) == 200
    assert status(**{"If-None-Match": '"other"', "If-Modified-Since": last_modified}) == 200


def test_raw_feed_body_is_served_verbatim_and_unknown_feeds_are_404(simulator, conn):
    conn.execute(
        "INSERT INTO sim.feed (host, path, title, raw_body, raw_status)"
        " VALUES ('daryo.uz', '/feed', 'Daryo', '<html>Texnik ishlar</html>', 503)"
    )
    conn.commit()
    raw = requests.get(simulator.url("/feeds/daryo.uz/feed"), timeout=TIMEOUT)
    assert (raw.status_code, raw.text) == (503, "<html>Texnik ishlar</html>")
    assert requests.get(simulator.url("/feeds/daryo.uz/other"), timeout=TIMEOUT).status_code == 404


def test_feed_faults_rate_limit_with_retry_after_and_cut_the_body(simulator, feed_world):
    url = simulator.url("/feeds/kun.uz/ru/news/rss")
    simulator.fault("feeds", "rate_limit", retry_after=3)
    simulator.fault("feeds", "malformed")
    limited = requests.get(url, timeout=TIMEOUT)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    cut = requests.get(url, timeout=TIMEOUT)
    assert cut.status_code == 200 and not cut.text.rstrip().endswith("</rss>")
    assert requests.get(url, timeout=TIMEOUT).text.rstrip().endswith("</rss>")


def test_airflow_connections_point_the_portal_and_the_feeds_at_the_simulator(conn):
    variables = simulator_package.airflow_connections(conn, "http://127.0.0.1:9")
    portal = json.loads(variables["AIRFLOW_CONN_PRESSWATCH_PORTAL"])
    feeds = json.loads(variables["AIRFLOW_CONN_PRESSWATCH_FEEDS"])
    assert (portal["host"], bool(portal["password"])) == ("http://127.0.0.1:9/portal", True)
    assert feeds["host"] == "http://127.0.0.1:9/feeds/{host}{path}"


def test_run_in_background_answers_health_and_stop_stops_it(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PRESSWATCH_HOME", str(tmp_path))
    port = _free_port()
    simulator_package.run(host="127.0.0.1", port=port, background=True)
    pid = int((tmp_path / "run" / "simulator.pid").read_text())
    # The simulator is this test's child: reap it when it ends, or `stop` would wait on a zombie.
    reaper = threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True)
    reaper.start()
    health_url = f"http://127.0.0.1:{port}/_sim/health"
    try:
        assert requests.get(health_url, timeout=TIMEOUT).json()["status"] == "ok"
    finally:
        assert processes.stop("simulator")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(health_url, timeout=TIMEOUT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
