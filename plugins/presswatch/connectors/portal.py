"""The monitoring portal's JSON API (``/api/v1/stories`` and ``/api/v1/responses``), with a
bearer token; the wire format is described in ``presswatch.simulator.portal``.

Both listings are read incrementally: the caller keeps the cursor a fetch reached
(``FeedFetch.cursor``) and passes it to the next one, which then gets only what the portal
collected since. A fetch follows ``next_cursor`` while ``has_more``, at most ``max_pages``
pages (``FeedFetch.has_more`` says the bound was reached). ``until`` asks only for what the
portal had by then, so that a run for a past hour reads what a live run would have read.

Stories become ``StoryItem`` (``feed_code='portal'``; ``first_seen_at`` is the portal's
``collected_at``; ``source`` the outlet's domain; ``institution_codes`` the portal's tags),
responses ``PortalResponse``. An item without a title or URL, or with a missing or unreadable
time, is quarantined (``portal:stories`` / ``portal:responses``) and the others go on. Titles
and texts are made plain text as feed items are (``presswatch.connectors.feeds``); a time
without a zone is read as Asia/Tashkent and flagged. A 429 waits ``Retry-After``; 5xx,
timeouts and malformed bodies are retried, then ``PlatformUnavailable``; a refused token or
cursor is ``AccountError``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import requests

from presswatch.connectors.base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AccountError,
    HttpClient,
    Malformed,
    RetryLater,
    as_utc,
    connection_settings,
    header_wait,
    json_body,
    server_error,
)
from presswatch.connectors.feeds import (
    DEFAULT_MAX_BODY_CHARS,
    DEFAULT_MAX_TITLE_CHARS,
    http_url,
    outlet,
    plain_text_cut,
    story_language,
    story_time,
)
from presswatch.quarantine import QuarantineItem
from presswatch.sla.items import FeedFetch, PortalResponse, StoryItem

CONN_ID = "presswatch_portal"
FEED_CODE = "portal"
PAGE_SIZE = 500  # the portal's maximum
DEFAULT_MAX_PAGES = 100
CHANNELS = ("social_post", "website", "press_release", "statement", "media_comment")
SOCIAL_PLATFORMS = ("facebook", "instagram", "x", "telegram")

STORIES = "/api/v1/stories"
RESPONSES = "/api/v1/responses"


def _problem(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or "error"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)
    return str(body)


class PortalConnector:
    platform = "portal"

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
        max_title_chars: int = DEFAULT_MAX_TITLE_CHARS,
        max_body_chars: int = DEFAULT_MAX_BODY_CHARS,
    ) -> None:
        self.base_url = base_url.rstrip("/")  # names the portal's feed row
        self.page_size = page_size
        self.max_pages = max_pages
        self.max_title_chars = max_title_chars
        self.max_body_chars = max_body_chars
        self.http = HttpClient(
            self.platform,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
            headers={"Authorization": f"Bearer {credential}", "Accept": "application/json"},
        )

    @classmethod
    def from_airflow(cls, conn_id: str = CONN_ID, **kwargs: Any) -> PortalConnector:
        settings = connection_settings(conn_id)
        return cls(settings.base_url, settings.credential, **kwargs)

    def close(self) -> None:
        self.http.close()

    def _check(self, response: requests.Response) -> None:
        status = response.status_code
        if status == 429:
            raise RetryLater("rate limited", header_wait(response), rate_limited=True)
        server_error(response)
        if status in (401, 403):
            raise AccountError(
                f"portal: the token was refused (HTTP {status}): {_problem(response)}"
            )
        if status >= 400:
            raise AccountError(f"portal: request refused (HTTP {status}): {_problem(response)}")

    def _pages(
        self, path: str, cursor: str | None, until: dt.datetime | None, result: FeedFetch
    ) -> list[dict]:
        """The items of every page from ``cursor`` on; the cursor reached goes into ``result``."""
        params: dict[str, Any] = {"limit": self.page_size}
        if until is not None:
            params["until"] = as_utc(until, "until").isoformat()
        items: list[dict] = []
        result.cursor = cursor
        for _ in range(self.max_pages):
            page_params = {**params, "cursor": result.cursor} if result.cursor else params
            page = self.http.fetch(self.http.url(path), page_params, self._check, _page)
            items.extend(page["data"])
            next_cursor = page.get("next_cursor")
            if isinstance(next_cursor, str) and next_cursor:
                result.cursor = next_cursor
            if page.get("has_more") is not True or next_cursor in (None, "", cursor):
                result.has_more = False
                break
            cursor = next_cursor
        else:
            result.has_more = True
        return items

    def stories(self, cursor: str | None = None, *, until: dt.datetime | None = None) -> FeedFetch:
        """Stories collected after ``cursor`` (from the first when None), before ``until``."""
        result = FeedFetch()
        source = f"{self.platform}:stories"
        for raw in self._pages(STORIES, cursor, until, result):
            problems: list[str] = []
            item = self._story(raw, problems)
            if item is None or problems:
                label = raw.get("id") if isinstance(raw, dict) else None
                reason = f"story {label!r}: {'; '.join(problems)}"
                result.quarantined.append(QuarantineItem(source, reason, raw))
            if item is not None:
                result.items.append(item)
        result.status = "ok, more to fetch" if result.has_more else "ok"
        return result

    def responses(
        self, cursor: str | None = None, *, until: dt.datetime | None = None
    ) -> FeedFetch:
        """Responses recorded after ``cursor`` (from the first when None), before ``until``."""
        result = FeedFetch()
        source = f"{self.platform}:responses"
        for raw in self._pages(RESPONSES, cursor, until, result):
            problems: list[str] = []
            response = _response(raw, problems)
            if response is None:
                label = raw.get("id") if isinstance(raw, dict) else None
                reason = f"response {label!r}: {'; '.join(problems)}"
                result.quarantined.append(QuarantineItem(source, reason, raw))
            else:
                result.responses.append(response)
        result.status = "ok, more to fetch" if result.has_more else "ok"
        return result

    def _story(self, raw: Any, problems: list[str]) -> StoryItem | None:
        """The story, or None with what makes it unusable; ``problems`` also gets what was cut
        of a story that is delivered."""
        if not isinstance(raw, dict):
            problems.append("not a JSON object")
            return None
        story_id = _identifier(raw.get("id"))
        if story_id is None:
            problems.append("no 'id'")
        title = plain_text_cut(raw.get("title"), self.max_title_chars)
        if not title.text:
            problems.append("no 'title'")
        url = None
        try:
            url = http_url(raw.get("url"))
        except ValueError as exc:
            problems.append("no 'url'" if str(exc) == "missing" else f"'url' {exc}")
        published_at, zone_assumed = _time(raw, "published_at", problems)
        collected_at, _ = _time(raw, "collected_at", problems)
        if problems:
            return None
        assert story_id and url and published_at and collected_at
        body = plain_text_cut(raw.get("text"), self.max_body_chars)
        if title.truncated:
            problems.append(f"title of {title.received_chars:,} characters cut to "
                            f"{self.max_title_chars:,}")  # fmt: skip
        if body.truncated:
            problems.append(f"text of {body.received_chars:,} characters cut to "
                            f"{self.max_body_chars:,}")  # fmt: skip
        source = raw.get("source") if isinstance(raw.get("source"), dict) else {}
        domain = source.get("domain")
        tags = raw.get("institutions") if isinstance(raw.get("institutions"), list) else []
        codes = [tag.get("code") for tag in tags if isinstance(tag, dict)]
        return StoryItem(
            feed_code=FEED_CODE,
            item_key=story_id,
            url=url,
            title=title.text,
            source=(outlet(f"https://{domain}/") if isinstance(domain, str) and domain.strip()
                    else outlet(url)),
            published_at=published_at,
            published_at_zone_assumed=zone_assumed,
            first_seen_at=collected_at,
            language=story_language(raw.get("language"), None),
            body=body.text or None,
            body_truncated=body.truncated,
            institution_codes=tuple(dict.fromkeys(
                code.strip() for code in codes if isinstance(code, str) and code.strip()
            )),
            raw=raw,
        )  # fmt: skip


def _page(response: requests.Response) -> dict:
    body = json_body(response)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise Malformed("no 'data' list")
    return body


def _identifier(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _time(raw: dict, key: str, problems: list[str]) -> tuple[dt.datetime | None, bool]:
    try:
        return story_time(raw.get(key))
    except ValueError as exc:
        problems.append(f"no '{key}'" if str(exc) == "missing" else f"'{key}' {exc}")
        return None, False


def _response(raw: Any, problems: list[str]) -> PortalResponse | None:
    if not isinstance(raw, dict):
        problems.append("not a JSON object")
        return None
    response_id = _identifier(raw.get("id"))
    if response_id is None:
        problems.append("no 'id'")
    story = raw.get("story") if isinstance(raw.get("story"), dict) else {}
    story_id = _identifier(story.get("id"))
    story_url = None
    if story.get("url") is not None:
        try:
            story_url = http_url(story.get("url"))
        except ValueError as exc:
            problems.append(f"'story.url' {exc}")
    if story_id is None and story_url is None:
        problems.append("no 'story' id or url")
    institution = raw.get("institution") if isinstance(raw.get("institution"), dict) else {}
    institution_code = _identifier(institution.get("code"))
    if institution_code is None:
        problems.append("no 'institution.code'")
    responded_at, _ = _time(raw, "responded_at", problems)
    url = None
    try:
        url = http_url(raw.get("url"))
    except ValueError as exc:
        problems.append("no 'url'" if str(exc) == "missing" else f"'url' {exc}")
    channel = raw.get("channel")
    if channel not in CHANNELS:
        problems.append(f"'channel' {channel!r} is not one of {', '.join(CHANNELS)}")
    account = raw.get("account") if isinstance(raw.get("account"), dict) else {}
    platform = account.get("platform")
    handle = _identifier(account.get("handle"))
    if platform is not None and platform not in SOCIAL_PLATFORMS:
        problems.append(f"'account.platform' {platform!r} is not a platform")
    if problems:
        return None
    assert response_id and institution_code and responded_at and url
    return PortalResponse(
        external_id=response_id,
        story_external_id=story_id,
        story_url=story_url,
        institution_code=institution_code,
        responded_at=responded_at,
        url=url,
        channel=channel,
        account_platform=platform,
        account_handle=handle.removeprefix("@") if handle else None,
        raw=raw,
    )
