"""The platform connectors against the simulator: paging to the end, windows, incremental
fetches, facts, per-account errors, rate limits, retries, malformed bodies and items."""

from __future__ import annotations

import datetime as dt

import pytest

from presswatch.connectors.base import AccountError, PlatformUnavailable
from presswatch.connectors.facebook import FacebookConnector
from presswatch.connectors.instagram import InstagramConnector
from presswatch.connectors.telegram import TelegramConnector, parse_preview
from presswatch.connectors.wikipedia import WikipediaConnector
from presswatch.connectors.x import XConnector

UTC = dt.UTC
PAGE_ID = "123456789012345"
IG_OWN_ID = "17841405309211844"
IG_OTHER_ID = "17841401441775531"
X_USER_ID = "1234567890"
CHANNEL_ID = "1234567890"
BOT_TOKEN = "123456:TEST-token_ok"
EARLY = dt.datetime(2025, 1, 1, tzinfo=UTC)
LATE = dt.datetime(2025, 12, 31, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleep():
    return FakeSleep()


def add_account(conn, platform, external_id, handle, *, verified=False, verified_type=None,
                followers=1000, deleted=False):  # fmt: skip
    conn.execute(
        "INSERT INTO sim.account (platform, external_id, handle, name, verified, verified_type,"
        " followers, deleted) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            platform,
            external_id,
            handle,
            handle.title(),
            verified,
            verified_type,
            followers,
            deleted,
        ],
    )


def add_posts(conn, platform, account_id, posts):
    conn.cursor().executemany(
        "INSERT INTO sim.post (platform, account_external_id, post_id, created_at, text)"
        " VALUES (%s, %s, %s, %s, %s)",
        [(platform, account_id, pid, created, text) for pid, created, text in posts],
    )


# --- worlds --------------------------------------------------------------------------------


@pytest.fixture
def facebook_world(conn):
    """A verified Page with 250 posts, one an hour from 1 March; a deleted Page."""
    add_account(conn, "facebook", PAGE_ID, "adliyauz", verified=True, followers=215000)
    add_account(conn, "facebook", "999", "gone", deleted=True)
    posts = [(f"9{i:05d}", at(1) + dt.timedelta(hours=i), f"Post {i}") for i in range(250)]
    add_posts(conn, "facebook", PAGE_ID, posts)
    conn.commit()
    return posts


@pytest.fixture
def instagram_world(conn):
    add_account(conn, "instagram", IG_OWN_ID, "aimc_uz")
    add_account(conn, "instagram", IG_OTHER_ID, "adliyauz", followers=54000)
    posts = [(f"178{i:05d}", at(1) + dt.timedelta(hours=i), f"Caption {i}") for i in range(120)]
    add_posts(conn, "instagram", IG_OTHER_ID, posts)
    conn.commit()
    return posts


@pytest.fixture
def x_world(conn):
    add_account(conn, "x", X_USER_ID, "MFA_Uzbekistan", verified=True,
                verified_type="government", followers=58000)  # fmt: skip
    add_account(conn, "x", "42", "plain_user", followers=12)
    posts = [(f"18972{i:05d}", at(1) + dt.timedelta(hours=i), f"Tweet {i}") for i in range(230)]
    add_posts(conn, "x", X_USER_ID, posts)
    conn.commit()
    return posts


@pytest.fixture
def telegram_world(conn):
    add_account(conn, "telegram", CHANNEL_ID, "adliyauz", followers=45210)
    posts = [(str(n), at(3) + dt.timedelta(minutes=10 * (n - 4001)), f"Xabar {n}")
             for n in range(4001, 4066)]  # fmt: skip
    add_posts(conn, "telegram", CHANNEL_ID, posts)
    conn.commit()
    return posts


def facebook(simulator, sleep, **kwargs):
    return FacebookConnector(simulator.url("/graph"), "tok", sleep=sleep, **kwargs)


def instagram(simulator, sleep, **kwargs):
    return InstagramConnector(
        simulator.url("/graph"), "tok", own_ig_user_id=IG_OWN_ID, sleep=sleep, **kwargs
    )


def xapi(simulator, sleep, **kwargs):
    return XConnector(simulator.url("/x"), "bearer", sleep=sleep, **kwargs)


def telegram(simulator, sleep, **kwargs):
    return TelegramConnector(
        simulator.url("/telegram"),
        BOT_TOKEN,
        tme_base_url=simulator.url("/tme"),
        sleep=sleep,
        **kwargs,
    )


def ids(result):
    return [post.platform_post_id for post in result.posts]


# --- Facebook -------------------------------------------------------------------------------


def test_facebook_pages_to_the_end_returning_each_of_250_posts_once(
    simulator, sleep, facebook_world
):
    result = facebook(simulator, sleep).posts(PAGE_ID, EARLY, LATE)
    assert len(result.posts) == 250
    assert sorted(ids(result)) == sorted(f"{PAGE_ID}_{pid}" for pid, _, _ in facebook_world)
    assert result.newest_post_at == at(1) + dt.timedelta(hours=249)
    assert result.newest_post_id == f"{PAGE_ID}_900249"
    assert result.posts[0].permalink.startswith("https://www.facebook.com/")
    assert result.posts[0].text_excerpt == "Post 0"
    assert len([r for r in simulator.requests() if r["path"].endswith("/posts")]) == 3


def test_facebook_window_is_since_inclusive_until_exclusive(simulator, sleep, facebook_world):
    result = facebook(simulator, sleep).posts(PAGE_ID, at(2, 0), at(2, 3))
    assert [p.posted_at for p in result.posts] == [at(2, 0), at(2, 1), at(2, 2)]


def test_facebook_incremental_fetch_returns_only_posts_after_the_mark(
    simulator, sleep, facebook_world
):
    connector = facebook(simulator, sleep)
    first = connector.posts(PAGE_ID, EARLY, at(5))
    second = connector.posts(
        PAGE_ID, first.newest_post_at, LATE, newest_seen_id=first.newest_post_id
    )
    assert set(ids(first)).isdisjoint(ids(second))
    assert len(first.posts) + len(second.posts) == 250


def test_facebook_facts_verified_and_followers(simulator, sleep, facebook_world):
    facts = facebook(simulator, sleep).facts(PAGE_ID)
    assert (facts.external_id, facts.verified, facts.followers) == (PAGE_ID, True, 215000)


def test_facebook_deleted_page_is_an_account_error(simulator, sleep, facebook_world):
    with pytest.raises(AccountError, match="facebook"):
        facebook(simulator, sleep).facts("999")
    with pytest.raises(AccountError):
        facebook(simulator, sleep).posts("999", EARLY, LATE)


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_facebook_throttling_codes_are_waited_out(simulator, sleep, facebook_world, code):
    simulator.fault("facebook", "rate_limit", code=code, status=403 if code == 32 else 400)
    result = facebook(simulator, sleep, throttle_wait=7).posts(PAGE_ID, EARLY, LATE)
    assert len(result.posts) == 250
    assert sleep.calls == [7]


def test_facebook_server_error_then_success_gives_the_same_data(simulator, sleep, facebook_world):
    simulator.fault("facebook", "server_error", times=2, path_contains="/posts")
    result = facebook(simulator, sleep).posts(PAGE_ID, EARLY, LATE)
    assert len(result.posts) == 250
    assert sleep.calls == [1.0, 2.0]


def test_facebook_server_error_beyond_retries_is_platform_unavailable(
    simulator, sleep, facebook_world
):
    simulator.fault("facebook", "server_error", times=5, status=503)
    with pytest.raises(PlatformUnavailable, match=r"facebook: GET /v21.0/.*503"):
        facebook(simulator, sleep, max_retries=2).posts(PAGE_ID, EARLY, LATE)


def test_facebook_malformed_body_is_retried(simulator, sleep, facebook_world):
    simulator.fault("facebook", "malformed")
    assert facebook(simulator, sleep).facts(PAGE_ID).followers == 215000
    simulator.fault("facebook", "malformed", times=3)
    with pytest.raises(PlatformUnavailable, match="malformed"):
        facebook(simulator, sleep, max_retries=2).facts(PAGE_ID)


def test_facebook_timeout_is_retried(simulator, sleep, facebook_world):
    simulator.fault("facebook", "timeout", delay_seconds=3)
    connector = facebook(simulator, sleep, timeout=0.3)
    assert connector.facts(PAGE_ID).verified is True
    assert sleep.calls == [1.0]


def test_facebook_malformed_item_is_quarantined_and_the_rest_returned(
    simulator, sleep, monkeypatch
):
    connector = facebook(simulator, sleep)
    body = {
        "data": [
            {"id": "1_1", "message": "ok", "created_time": "2025-03-03T09:15:00+0000"},
            {"id": "1_2", "message": "no time"},
            {"id": "1_3", "created_time": "yesterday"},
        ]
    }
    monkeypatch.setattr(connector.graph, "get", lambda url, params, parse=None: parse(body))
    result = connector.posts("1", EARLY, LATE)
    assert ids(result) == ["1_1"]
    assert [q.raw_payload["id"] for q in result.quarantined] == ["1_2", "1_3"]
    assert result.quarantined[0].source == "facebook:/v21.0/1/posts"
    assert "created_time" in result.quarantined[0].reason


# --- Instagram ------------------------------------------------------------------------------


def test_instagram_pages_business_discovery_to_the_end(simulator, sleep, instagram_world):
    result = instagram(simulator, sleep).posts("adliyauz", EARLY, LATE)
    assert sorted(ids(result)) == sorted(pid for pid, _, _ in instagram_world)
    assert result.newest_post_id == "17800119"


def test_instagram_window_is_filtered_client_side_and_stops_paging(
    simulator, sleep, instagram_world
):
    connector = instagram(simulator, sleep)
    result = connector.posts("adliyauz", at(5, 0), at(5, 2))
    assert [p.posted_at for p in result.posts] == [at(5, 0), at(5, 1)]
    assert len(simulator.requests()) == 1  # the newest 50 already reach back before since


def test_instagram_facts_and_unknown_user(simulator, sleep, instagram_world):
    facts = instagram(simulator, sleep).facts("adliyauz")
    assert (facts.external_id, facts.verified, facts.followers) == (IG_OTHER_ID, None, 54000)
    with pytest.raises(AccountError, match="instagram"):
        instagram(simulator, sleep).facts("nobody_here")


def test_instagram_rate_limit_is_waited_out(simulator, sleep, instagram_world):
    simulator.fault("instagram", "rate_limit", code=613)
    result = instagram(simulator, sleep, throttle_wait=5).posts("adliyauz", EARLY, LATE)
    assert len(result.posts) == 120
    assert sleep.calls == [5]


# --- X --------------------------------------------------------------------------------------


def test_x_pages_with_next_token_to_the_end(simulator, sleep, x_world):
    result = xapi(simulator, sleep).posts(X_USER_ID, EARLY, LATE, username="MFA_Uzbekistan")
    assert sorted(ids(result)) == sorted(pid for pid, _, _ in x_world)
    assert result.posts[0].permalink == f"https://x.com/MFA_Uzbekistan/status/{x_world[0][0]}"
    assert len(simulator.requests()) == 3


def test_x_window_edges_and_incremental_mark(simulator, sleep, x_world):
    connector = xapi(simulator, sleep)
    window = connector.posts(X_USER_ID, at(2, 0), at(2, 2))
    assert [p.posted_at for p in window.posts] == [at(2, 0), at(2, 1)]
    newer = connector.posts(
        X_USER_ID, window.newest_post_at, at(2, 4), newest_seen_id=window.newest_post_id
    )
    assert [p.posted_at for p in newer.posts] == [at(2, 2), at(2, 3)]


def test_x_facts_verified_and_unverified(simulator, sleep, x_world):
    connector = xapi(simulator, sleep)
    gov = connector.facts("MFA_Uzbekistan")
    assert (gov.external_id, gov.verified, gov.verified_type, gov.followers) == (
        X_USER_ID, True, "government", 58000)  # fmt: skip
    plain = connector.facts("plain_user")
    assert (plain.verified, plain.verified_type, plain.followers) == (False, "none", 12)
    with pytest.raises(AccountError, match="Could not find user"):
        connector.facts("nobody_here")


def test_x_rate_limit_sleeps_until_the_reset(simulator, sleep, x_world):
    simulator.fault("x", "rate_limit", retry_after=30)
    result = xapi(simulator, sleep).posts(X_USER_ID, EARLY, LATE)
    assert len(result.posts) == 230
    assert len(sleep.calls) == 1 and 28 <= sleep.calls[0] <= 31


def test_x_server_errors_beyond_retries_name_the_platform(simulator, sleep, x_world):
    simulator.fault("x", "server_error", times=4)
    with pytest.raises(PlatformUnavailable, match=r"^x: GET /2/users/1234567890/tweets .*500"):
        xapi(simulator, sleep, max_retries=3).posts(X_USER_ID, EARLY, LATE)


def test_x_bad_token_is_an_account_error(simulator, sleep, x_world):
    with pytest.raises(AccountError, match="not authorized"):
        XConnector(simulator.url("/x"), "", sleep=sleep).facts("MFA_Uzbekistan")


# --- Telegram -------------------------------------------------------------------------------


def test_telegram_pages_older_with_before_to_the_first_message(simulator, sleep, telegram_world):
    result = telegram(simulator, sleep).posts("adliyauz", EARLY, LATE)
    assert ids(result) == [str(n) for n in range(4001, 4066)]
    assert result.posts[0].permalink == "https://t.me/adliyauz/4001"
    assert result.posts[0].text_excerpt == "Xabar 4001"
    assert result.newest_post_id == "4065"
    assert len(simulator.requests()) == 4  # 20 a page


def test_telegram_window_stops_paging_once_before_since(simulator, sleep, telegram_world):
    result = telegram(simulator, sleep).posts("adliyauz", at(3, 10), at(3, 10, 30))
    assert ids(result) == ["4061", "4062", "4063"]
    assert len(simulator.requests()) == 1


def test_telegram_facts_id_and_members_from_the_bot_api_verified_from_the_preview(
    simulator, sleep, telegram_world
):
    facts = telegram(simulator, sleep).facts("@adliyauz")
    assert (facts.external_id, facts.verified, facts.verified_type, facts.followers) == (
        "-1001234567890", False, None, 45210)  # fmt: skip
    served = [
        (r["platform"], r["path"].rsplit("/", 2)[-2:], r["query"]) for r in simulator.requests()
    ]
    assert served == [
        ("telegram", [f"bot{BOT_TOKEN}", "getChat"], "chat_id=%40adliyauz"),
        ("telegram", [f"bot{BOT_TOKEN}", "getChatMemberCount"], "chat_id=%40adliyauz"),
        ("tme", ["s", "adliyauz"], ""),  # the preview's first page only
    ]


def test_telegram_verified_channel_is_read_from_the_preview_badge(simulator, sleep, conn):
    add_account(conn, "telegram", "1000000042", "mfa_uz", verified=True, followers=9100)
    conn.commit()
    facts = telegram(simulator, sleep).facts("mfa_uz")
    assert (facts.external_id, facts.verified, facts.followers) == (
        "-1001000000042", True, 9100)  # fmt: skip


def test_telegram_cut_off_preview_while_reading_facts_is_retried(simulator, sleep, telegram_world):
    simulator.fault("tme", "malformed")
    assert telegram(simulator, sleep).facts("adliyauz").verified is False
    assert sleep.calls == [1.0]


def test_telegram_preview_down_beyond_retries_is_platform_unavailable(
    simulator, sleep, telegram_world
):
    simulator.fault("tme", "server_error", times=3)
    with pytest.raises(PlatformUnavailable, match="tme: GET /s/adliyauz failed 3 times"):
        telegram(simulator, sleep, max_retries=2).facts("adliyauz")


def test_telegram_unknown_chat_is_an_account_error(simulator, sleep, telegram_world):
    connector = telegram(simulator, sleep)
    with pytest.raises(AccountError, match="chat not found"):
        connector.facts("nobody_here")
    with pytest.raises(AccountError, match="no public channel preview"):
        connector.posts("nobody_here", EARLY, LATE)


def test_telegram_retry_after_and_tme_retry_after_are_honoured(simulator, sleep, telegram_world):
    simulator.fault("telegram", "rate_limit", retry_after=15)
    simulator.fault("tme", "rate_limit", retry_after=9)
    connector = telegram(simulator, sleep)
    assert connector.facts("adliyauz").followers == 45210
    assert len(connector.posts("adliyauz", EARLY, LATE).posts) == 65
    assert sleep.calls == [15, 9]


def test_telegram_token_never_appears_in_errors(simulator, sleep, telegram_world):
    simulator.fault("telegram", "server_error", times=3)
    with pytest.raises(PlatformUnavailable) as caught:
        telegram(simulator, sleep, max_retries=2).facts("adliyauz")
    assert BOT_TOKEN not in str(caught.value)
    assert "telegram: GET /bot<redacted>/getChat" in str(caught.value)


def test_tme_cut_off_page_is_retried(simulator, sleep, telegram_world):
    simulator.fault("tme", "malformed")
    assert len(telegram(simulator, sleep).posts("adliyauz", EARLY, LATE).posts) == 65
    assert sleep.calls == [1.0]


CHANNEL_HEADER = (
    '<div class="tgme_channel_info"><div class="tgme_channel_info_header">'
    '<div class="tgme_channel_info_header_title"><span dir="auto">Adliya vazirligi</span>{badge}'
    '</div><div class="tgme_channel_info_header_username"><a href="https://t.me/adliyauz">'
    "@adliyauz</a></div></div>"
    '<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">'
    '<span class="counter_value">45.2K</span> <span class="counter_type">subscribers</span>'
    "</div></div></div>"
)
BADGE = (
    '<i class="verified-icon"><svg width="24" height="24" viewBox="0 0 24 24">'
    '<path d="M12 2l3 3"/></svg></i>'
)


def preview_page(header: str, messages: str = "") -> str:
    return (
        '<!DOCTYPE html><html><body><section class="tgme_right_column">'
        f'{header}</section><section class="tgme_channel_history js-message_history">'
        f"{messages}</section></body></html>"
    )


def test_tme_header_badge_says_the_channel_is_verified():
    page = parse_preview(preview_page(CHANNEL_HEADER.format(badge=BADGE)))
    assert (page.complete, page.has_header, page.verified) == (True, True, True)

    plain = parse_preview(preview_page(CHANNEL_HEADER.format(badge="")))
    assert (plain.has_header, plain.verified) == (True, False)


def test_tme_badge_outside_the_channel_header_does_not_count():
    message = (
        '<div class="tgme_widget_message js-widget_message" data-post="adliyauz/7">'
        '<div class="tgme_widget_message_author"><a class="tgme_widget_message_owner_name">'
        f'<span dir="auto">Other channel</span></a>{BADGE}</div>'
        '<div class="tgme_widget_message_text js-message_text">Matn</div></div>'
    )
    page = parse_preview(preview_page(CHANNEL_HEADER.format(badge=""), message))
    assert (page.has_header, page.verified, len(page.messages)) == (True, False, 1)
    headless = parse_preview(preview_page("", message))
    assert (headless.has_header, headless.verified) == (False, False)


def test_tme_message_without_time_is_quarantined():
    page = parse_preview(
        '<html><body><section class="tgme_channel_history">'
        '<div class="tgme_widget_message" data-post="ch/5"><div class="js-message_text">a<br/>b'
        '</div><time datetime="2025-03-03T09:15:00+00:00"></time></div>'
        '<div class="tgme_widget_message" data-post="ch/6"><div class="js-message_text">x</div>'
        "</div></section></body></html>"
    )
    assert page.complete and page.has_history and page.before is None
    connector = TelegramConnector("http://unused", "t", tme_base_url="http://unused")
    from presswatch.connectors.base import PostCollector

    collector = PostCollector(EARLY, LATE)
    for message in page.messages:
        post, _ = connector._post("ch", message, "telegram:/s/ch", collector)
        if post:
            collector.add(post)
    result = collector.finish()
    assert ids(result) == ["5"] and result.posts[0].text_excerpt == "a b"
    assert result.quarantined[0].raw_payload["data-post"] == "ch/6"


def test_tme_message_text_keeps_entities_links_and_line_breaks_and_the_date_link():
    page = parse_preview(
        preview_page(
            "",
            '<div class="tgme_widget_message js-widget_message" data-post="adliyauz/41">'
            '<div class="tgme_widget_message_text js-message_text" dir="auto">'
            '<b>Matbuot</b> anjumani<br>O&#699;zbekiston &amp; <a href="https://x.uz">havola</a>'
            '</div><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date"'
            ' href="https://t.me/adliyauz/41"><time datetime="2025-03-03T09:15:00+00:00">'
            "09:15</time></a></span></div>",
        )
    )
    assert page.messages[0].as_payload() == {
        "data-post": "adliyauz/41",
        "datetime": "2025-03-03T09:15:00+00:00",
        "text": "Matbuot anjumani\nO\u02bbzbekiston & havola",
        "permalink": "https://t.me/adliyauz/41",
    }


# --- Wikipedia ------------------------------------------------------------------------------


@pytest.fixture
def wiki_world(conn):
    conn.execute(
        "INSERT INTO sim.wiki_page (lang, pageid, title) VALUES"
        " ('uz', 123456, 'Oʻzbekiston Respublikasi Adliya vazirligi'), ('uz', 200, 'Toshkent')"
    )
    conn.execute(
        "INSERT INTO sim.wiki_redirect (lang, from_title, to_title) VALUES"
        " ('uz', 'Adliya vazirligi', 'Oʻzbekiston Respublikasi Adliya vazirligi')"
    )
    conn.cursor().executemany(
        "INSERT INTO sim.wiki_page (lang, pageid, title) VALUES ('uz', %s, %s)",
        [(1000 + i, f"Tuman {i}") for i in range(120)],
    )
    links = [(123456, "en", "Ministry of Justice (Uzbekistan)"), (123456, "ru", "Минюст"),
             (200, "en", "Tashkent"), (200, "ru", "Ташкент")]  # fmt: skip
    links += [(1000 + i, lang, f"District {i} {lang}") for i in range(120) for lang in "ab"]
    conn.cursor().executemany(
        "INSERT INTO sim.wiki_langlink (lang, pageid, target_lang, target_title)"
        " VALUES ('uz', %s, %s, %s)",
        links,
    )
    conn.commit()


def wiki(simulator, sleep, **kwargs):
    return WikipediaConnector(simulator.base_url + "/wiki/{lang}", sleep=sleep, **kwargs)


def test_wiki_follows_normalization_and_redirects_and_marks_missing(simulator, sleep, wiki_world):
    pages = wiki(simulator, sleep).check("uz", ["Adliya_vazirligi", "toshkent", "Yoʻq sahifa"])
    justice = pages["Adliya_vazirligi"]
    assert justice.exists and justice.pageid == 123456
    assert justice.resolved_title == "Oʻzbekiston Respublikasi Adliya vazirligi"
    assert justice.langlinks == {"en": "Ministry of Justice (Uzbekistan)", "ru": "Минюст"}
    assert pages["toshkent"].langlinks["en"] == "Tashkent"
    assert pages["Yoʻq sahifa"].exists is False and pages["Yoʻq sahifa"].pageid is None


def test_wiki_batches_over_50_titles_and_continues_langlinks(simulator, sleep, wiki_world):
    titles = [f"Tuman {i}" for i in range(120)]
    pages = wiki(simulator, sleep).check("uz", titles)
    assert all(pages[t].exists and len(pages[t].langlinks) == 2 for t in titles)
    assert len(simulator.requests()) == 3
    simulator.reset()
    connector = wiki(simulator, sleep, langlinks_limit="7")  # forces llcontinue in a batch
    pages = connector.check("uz", titles[:10] + ["Adliya vazirligi"])
    assert pages["Tuman 9"].langlinks == {"a": "District 9 a", "b": "District 9 b"}
    assert len(pages["Adliya vazirligi"].langlinks) == 2
    assert any("llcontinue" in r["query"] for r in simulator.requests())


@pytest.mark.parametrize("variant", ["http429", "maxlag"])
def test_wiki_rate_limit_and_maxlag_are_waited_out(simulator, sleep, wiki_world, variant):
    simulator.fault("wiki", "rate_limit", retry_after=4, variant=variant)
    pages = wiki(simulator, sleep).check("uz", ["Toshkent"])
    assert pages["Toshkent"].exists
    assert sleep.calls == [4]


def test_wiki_malformed_then_server_errors_exhaust_retries(simulator, sleep, wiki_world):
    simulator.fault("wiki", "malformed")
    assert wiki(simulator, sleep).check("uz", ["Toshkent"])["Toshkent"].exists
    simulator.fault("wiki", "server_error", times=3, status=502)
    with pytest.raises(PlatformUnavailable, match=r"wikipedia: GET /w/api.php.*502"):
        wiki(simulator, sleep, max_retries=2).check("uz", ["Toshkent"])


# --- Airflow connections ----------------------------------------------------------------------


def test_from_airflow_reads_host_and_password_from_the_connection(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_PRESSWATCH_X",
        '{"conn_type": "http", "host": "http://127.0.0.1:9/x", "password": "secret"}',
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_PRESSWATCH_WIKIPEDIA",
        '{"conn_type": "http", "host": "http://127.0.0.1:9/wiki/{lang}"}',
    )
    connector = XConnector.from_airflow()
    assert connector.http.base_url == "http://127.0.0.1:9/x"
    assert connector.http.session.headers["Authorization"] == "Bearer secret"
    assert WikipediaConnector.from_airflow()._client("uz").base_url == "http://127.0.0.1:9/wiki/uz"
    monkeypatch.setenv(
        "AIRFLOW_CONN_PRESSWATCH_FACEBOOK",
        '{"conn_type": "http", "host": "http://127.0.0.1:9/graph", "password": "tok",'
        ' "extra": {"own_ig_user_id": "178"}}',
    )
    assert InstagramConnector.from_airflow().own_ig_user_id == "178"
