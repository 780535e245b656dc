"""News sites' RSS and Atom feeds: a conditional GET, feedparser on the bytes, and every item
validated into a ``StoryItem`` or quarantined with what was wrong with it.

``FeedConnector.fetch(feed_code, url, etag=..., last_modified=...)`` sends ``If-None-Match`` /
``If-Modified-Since`` from the previous fetch; a 304 is ``FeedFetch(not_modified=True)``.
feedparser reads every RSS and Atom dialect, their encodings and their malformations (an
unescaped ``&`` is read leniently); then, per item:

- the title and the texts become plain text: tags removed, ``<script>``/``<style>`` with their
  content, entities decoded, single spaces (BeautifulSoup); a title empty after that, or no
  link, quarantines the item, naming the field;
- the link is made absolute against the feed's URL and must be http(s); ``item_key`` is the
  item's guid/id, else the link; ``source`` is the link's host without ``www.``;
- the date is read from the feed's own text (RFC 822 in RSS, ISO 8601 in Atom): feedparser
  would read a time without a zone as UTC, but a site here that writes none means Tashkent, so
  such a time is read as Asia/Tashkent and flagged (``published_at_zone_assumed``); a date
  only feedparser understands is taken as it reads it; a missing or unreadable date
  quarantines the item;
- a title or text longer than the limits (settings ``stories.max_title_chars`` and
  ``max_body_chars``) is cut and the item delivered (``body_truncated``), and the whole item
  is also quarantined, with the length it had;
- the same guid, or the same link, twice in one feed is delivered once.

A body that is not a feed (an HTML page, JSON, nothing) is ``FeedFetch(error=...)`` with its
first 64 KB quarantined; other 4xx answers are errors too. Neither raises: the run goes on with
the other feeds. 5xx, timeouts, rate limits (429, ``Retry-After``) and a feed cut off before its
closing tag are retried; when they persist, ``PlatformUnavailable`` (the caller's per-feed
failure).

Where feeds are fetched from: the Airflow connection ``presswatch_feeds`` (optional) holds, as
its host, a template of the URL to fetch for a feed URL: ``{url}`` (the feed's own URL, the
default when the connection is missing) or e.g. ``http://127.0.0.1:8765/feeds/{host}{path}``
(the simulator; ``{path}`` includes the query string).

The text and time helpers (``plain_text``, ``story_time``, ``story_language``, ``http_url``,
``outlet``) are also the portal connector's.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import requests
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from presswatch.connectors.base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    HttpClient,
    Malformed,
    PlatformUnavailable,
    RetryLater,
    header_wait,
    server_error,
)
from presswatch.quarantine import QuarantineItem
from presswatch.sla.items import FeedFetch, StoryItem
from presswatch.text import normalize_text

CONN_ID = "presswatch_feeds"
DIRECT = "{url}"  # fetch every feed from its own URL
DEFAULT_MAX_TITLE_CHARS = 500  # settings: stories.max_title_chars
DEFAULT_MAX_BODY_CHARS = 200_000  # settings: stories.max_body_chars
NOT_A_FEED_SAMPLE_BYTES = 64 * 1024  # of a body that is not a feed, kept in quarantine
# A text far beyond the limit is cut before its HTML is parsed: parsing megabytes of markup
# would cost seconds for text that is thrown away.
PRE_CUT_FACTOR = 2
LABEL_CHARS = 120
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)

UTC = dt.UTC
TASHKENT = ZoneInfo("Asia/Tashkent")
LANGUAGES = ("uz-Latn", "uz-Cyrl", "ru", "en")


# --- text -----------------------------------------------------------------------------------

# Elements whose content is not text, and elements that end a line of text.
_NOT_TEXT = ("script", "style", "noscript", "template")
_BLOCKS = (
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul",
)  # fmt: skip


def plain_text(value: object) -> str:
    """``value`` as plain text: tags removed (script and style with their content), entities
    decoded, NFC, single spaces; "" for anything but a string."""
    if not isinstance(value, str):
        return ""
    if "<" in value or "&" in value:
        with warnings.catch_warnings():
            # A short title like "kun.uz" is text, not a file name, whatever bs4 suspects.
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(value, "html.parser")
        for node in soup(_NOT_TEXT):
            node.decompose()
        for node in soup(_BLOCKS):
            node.insert_before(" ")
            node.insert_after(" ")
        value = soup.get_text()
    return normalize_text(value)


@dataclass(frozen=True)
class Cut:
    text: str
    received_chars: int  # the length received (before any HTML was removed)
    truncated: bool


def plain_text_cut(value: object, limit: int) -> Cut:
    """``plain_text`` of ``value``, at most ``limit`` characters."""
    received = len(value) if isinstance(value, str) else 0
    if isinstance(value, str) and received > limit * PRE_CUT_FACTOR:
        value = value[: limit * PRE_CUT_FACTOR]
    text = plain_text(value)
    truncated = received > limit * PRE_CUT_FACTOR or len(text) > limit
    return Cut(text[:limit].rstrip() if truncated else text, received, truncated)


# --- times ----------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# RFC 822's zone names, and the two a Central Asian site may write.
_ZONE_HOURS = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
    "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "msk": 3, "uzt": 5,
}  # fmt: skip
_RFC822 = re.compile(
    r"(?:[a-z]{3,9},?\s+)?(?P<day>\d{1,2})\s+(?P<month>[a-z]{3,9})\.?\s+(?P<year>\d{2,4})"
    r"\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<zone>[+-]\d{4}|[+-]\d{2}:\d{2}|[a-z]{1,5}))?",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _rfc822(text: str) -> dt.datetime | None:
    """An RFC 822 date (``Mon, 03 Mar 2025 14:15:00 +0500``); naive when it gives no zone."""
    match = _RFC822.fullmatch(text)
    if match is None:
        return None
    month = _MONTHS.get(match["month"][:3].lower())
    if month is None:
        return None
    year = int(match["year"])
    if year < 100:  # RFC 822's two-digit years
        year += 2000 if year < 50 else 1900
    zone = match["zone"]
    tzinfo: dt.tzinfo | None = None
    if zone is not None:
        if zone[0] in "+-":
            digits = zone[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            tzinfo = dt.timezone(-offset if zone[0] == "-" else offset)
        elif zone.lower() in _ZONE_HOURS:
            tzinfo = dt.timezone(dt.timedelta(hours=_ZONE_HOURS[zone.lower()]))
        else:
            return None  # a zone we cannot place: not guessed
    try:
        return dt.datetime(
            year, month, int(match["day"]), int(match["hour"]), int(match["minute"]),
            int(match["second"] or 0), tzinfo=tzinfo,
        )  # fmt: skip
    except ValueError:
        return None  # 32 March, 25 o'clock


def _iso8601(text: str) -> dt.datetime | None:
    """An ISO 8601 / RFC 3339 time (``2025-03-03T14:15:00+05:00``); naive when it gives no zone."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def story_time(value: object) -> tuple[dt.datetime, bool]:
    """A feed's or the portal's time as aware UTC, and whether its zone was assumed: a time
    without one is read as Asia/Tashkent. ValueError when it is missing or not a date."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("missing")
    text = value.strip()
    moment = _iso8601(text) or _rfc822(text)
    if moment is None:
        raise ValueError(f"{value!r} is not a date")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TASHKENT).astimezone(UTC), True
    return moment.astimezone(UTC), False


# --- languages, links -----------------------------------------------------------------------


def story_language(declared: object, default: str | None) -> str | None:
    """One of the four languages from a language tag (``ru``, ``en-US``, ``uz-Cyrl``,
    ``uz_UZ``); ``default`` (the registry's) when there is no tag, or for a bare ``uz`` when it
    names a script; None for a language not among the four."""
    tag = declared.strip().replace("_", "-").lower() if isinstance(declared, str) else ""
    if not tag:
        return default
    primary, _, rest = tag.partition("-")
    if primary in ("ru", "en"):
        return primary
    if primary == "uz":
        if "cyrl" in rest.split("-"):
            return "uz-Cyrl"
        if "latn" in rest.split("-"):
            return "uz-Latn"
        return default if default in ("uz-Latn", "uz-Cyrl") else "uz-Latn"
    return None


def http_url(link: object, base: str | None = None) -> str:
    """``link`` made absolute against ``base``; ValueError unless it is an http(s) URL."""
    if not isinstance(link, str) or not link.strip():
        raise ValueError("missing")
    absolute = urljoin(base, link.strip()) if base else link.strip()
    parts = urlsplit(absolute)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{link!r} is not an http(s) URL")
    return absolute


def outlet(url: str) -> str:
    """The outlet a story URL belongs to: its host, lowercased, without ``www.``."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


# --- the connector --------------------------------------------------------------------------

_CLOSED_ROOT = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|RDF)\s*>(?:\s|<!--.*?-->)*\Z", re.DOTALL)
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)


@dataclass(frozen=True)
class _Download:
    status: int
    reason: str
    content_type: str
    etag: str | None
    last_modified: str | None
    body: bytes
    parsed: Any  # feedparser.FeedParserDict, or None for an answer that is not a 200


class FeedConnector:
    platform = "feeds"

    def __init__(
        self,
        url_template: str = DIRECT,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        max_title_chars: int = DEFAULT_MAX_TITLE_CHARS,
        max_body_chars: int = DEFAULT_MAX_BODY_CHARS,
    ) -> None:
        """``url_template``: what to fetch for a feed URL (see the module doc)."""
        if not any(field in url_template for field in ("{url}", "{host}")):
            raise ValueError(
                f"the feeds URL template needs {{url}} or {{host}}{{path}}: {url_template!r}"
            )
        self.url_template = url_template
        self.max_title_chars = max_title_chars
        self.max_body_chars = max_body_chars
        self.http = HttpClient(
            self.platform,
            "",
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
            headers={"Accept": ACCEPT},
        )

    @classmethod
    def from_airflow(cls, conn_id: str = CONN_ID, **kwargs: Any) -> FeedConnector:
        """The template from the connection's host; every feed's own URL without it."""
        return cls(_url_template(conn_id), **kwargs)

    def close(self) -> None:
        self.http.close()

    def fetch_url(self, url: str) -> str:
        """Where the feed at ``url`` is fetched from, by the URL template."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return (
            self.url_template.replace("{url}", url)
            .replace("{host}", parts.netloc)
            .replace("{path}", path)
        )

    def fetch(
        self,
        feed_code: str,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        language: str | None = None,
    ) -> FeedFetch:
        """The feed's items since the fetch that gave ``etag``/``last_modified``; ``language``:
        the registry's, for a feed that does not say."""
        source = f"feed:{feed_code}"
        try:
            http_url(url)
        except ValueError:
            error = f"the feed URL {url!r} is not an http(s) URL"
            return FeedFetch(etag=etag, last_modified=last_modified, status="error", error=error)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            download = self.http.fetch(
                self.fetch_url(url), None, _check, lambda r: _download(r, url), headers
            )
        except PlatformUnavailable as exc:
            raise PlatformUnavailable(f"feed {feed_code} ({url}): {exc}") from exc
        if download.status == 304:
            return FeedFetch(
                not_modified=True,
                etag=download.etag or etag,
                last_modified=download.last_modified or last_modified,
                status="not modified",
            )
        if download.status != 200:
            return FeedFetch(
                etag=etag,
                last_modified=last_modified,
                status=f"HTTP {download.status}",
                error=f"HTTP {download.status} {download.reason}".strip(),
            )
        why_not = _not_a_feed(download)
        if why_not is not None:
            error = f"not an RSS or Atom feed: {why_not}"
            sample = download.body[:NOT_A_FEED_SAMPLE_BYTES].decode("utf-8", errors="replace")
            # The old validators are kept: this answer's would make the next fetch a 304.
            return FeedFetch(
                quarantined=[QuarantineItem(source, error, sample)],
                etag=etag,
                last_modified=last_modified,
                status="not a feed",
                error=error,
            )
        result = FeedFetch(etag=download.etag, last_modified=download.last_modified)
        self._items(feed_code, url, download.parsed, language, result)
        exception = download.parsed.get("bozo_exception")
        result.status = "ok" if exception is None else f"ok, read leniently ({exception})"
        return result

    def _items(
        self, feed_code: str, url: str, parsed: Any, language: str | None, result: FeedFetch
    ) -> None:
        source = f"feed:{feed_code}"
        feed_language = parsed.get("feed", {}).get("language")
        keys: set[str] = set()
        links: set[str] = set()
        for entry in parsed.get("entries", []):
            item, problems = self._item(feed_code, url, entry, feed_language, language)
            if item is not None and (item.item_key in keys or item.url in links):
                continue  # the same item twice in one feed: delivered once
            if problems:  # unusable; or delivered cut, and kept whole here too
                reason = f"item {_label(entry)}: {'; '.join(problems)}"
                result.quarantined.append(QuarantineItem(source, reason, _raw(entry)))
            if item is not None:
                keys.add(item.item_key)
                links.add(item.url)
                result.items.append(item)

    def _item(
        self,
        feed_code: str,
        feed_url: str,
        entry: Any,
        feed_language: str | None,
        language: str | None,
    ) -> tuple[StoryItem | None, list[str]]:
        """The item, or None with what makes it unusable; or the item with what was cut."""
        problems: list[str] = []
        title = plain_text_cut(entry.get("title"), self.max_title_chars)
        if not title.text:
            problems.append("no title" if not entry.get("title") else "title empty without HTML")
        link = None
        try:
            link = http_url(entry.get("link"), feed_url)
        except ValueError as exc:
            problems.append("no link" if str(exc) == "missing" else f"link {exc}")
        raw_time = entry.get("published") or entry.get("updated")
        published_at, zone_assumed = None, False
        try:
            published_at, zone_assumed = story_time(raw_time)
        except ValueError:
            published_at = _feedparser_time(entry)
            if published_at is None:
                problems.append(
                    "no published date"
                    if not raw_time
                    else f"published date {raw_time!r} is not a date"
                )
        if problems:
            return None, problems
        assert link is not None and published_at is not None
        summary = plain_text_cut(entry.get("summary"), self.max_body_chars)
        content = entry.get("content") or []
        body_value = content[0].get("value") if content and isinstance(content[0], dict) else None
        body = plain_text_cut(body_value, self.max_body_chars)
        for name, cut, limit in (("title", title, self.max_title_chars),
                                 ("summary", summary, self.max_body_chars),
                                 ("body", body, self.max_body_chars)):  # fmt: skip
            if cut.truncated:
                problems.append(f"{name} of {cut.received_chars:,} characters cut to {limit:,}")
        title_detail = entry.get("title_detail") or {}
        item = StoryItem(
            feed_code=feed_code,
            item_key=_text_or_none(entry.get("id")) or link,
            url=link,
            title=title.text,
            source=outlet(link),
            published_at=published_at,
            published_at_zone_assumed=zone_assumed,
            language=story_language(title_detail.get("language") or feed_language, language),
            summary=summary.text or None,
            body=body.text or None,
            body_truncated=summary.truncated or body.truncated,
            raw=_raw(entry),
        )
        return item, problems


def _check(response: requests.Response) -> None:
    """304 and 4xx are answers (not modified; the feed's error); 429 and 5xx are retried."""
    if response.status_code == 429:
        raise RetryLater("too many requests", header_wait(response), rate_limited=True)
    server_error(response)


def _download(response: requests.Response, url: str) -> _Download:
    body = response.content
    parsed = None
    if response.status_code == 200:
        parsed = feedparser.parse(
            body,
            # Relative links resolve against the feed's own URL, not where it was fetched from.
            response_headers={
                "content-type": response.headers.get("content-type", ""),
                "content-location": url,
            },
            # The texts are made plain text here; feedparser's sanitizer would only cost time.
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        if parsed.get("version") and parsed.get("bozo") and not _CLOSED_ROOT.search(body[-512:]):
            # A feed cut off mid-way (a dropped connection): worth fetching again.
            raise Malformed(f"the feed ends before its closing tag ({len(body):,} bytes)")
    return _Download(
        status=response.status_code,
        reason=response.reason or "",
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        body=body,
        parsed=parsed,
    )


def _not_a_feed(download: _Download) -> str | None:
    """Why a 200 answer is not a feed, or None when it is one."""
    parsed = download.parsed
    if parsed.get("version") and not (parsed.get("bozo") and not parsed.get("entries")):
        return None
    content_type = download.content_type or "no content type"
    if not download.body.strip():
        return "the body is empty"
    if _HTML_START.match(download.body[:4096]):
        return f"an HTML page ({content_type})"
    exception = parsed.get("bozo_exception")
    if exception is not None:
        return f"not well-formed XML ({exception}; {content_type})"
    return f"no rss, RDF or feed element ({content_type})"


def _feedparser_time(entry: Any) -> dt.datetime | None:
    """feedparser's reading of a date in a format other than RFC 822 and ISO 8601 (UTC)."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed is None:
        return None
    return dt.datetime(*parsed[:6], tzinfo=UTC)


def _text_or_none(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _label(entry: Any) -> str:
    """How an item is named in a quarantine reason: stable across fetches (its guid, link or
    title, not its position), so that the same bad item is kept once."""
    for key in ("id", "link", "title"):
        value = _text_or_none(entry.get(key))
        if value is not None:
            return repr(value if len(value) <= LABEL_CHARS else value[: LABEL_CHARS - 1] + "…")
    return "without guid, link or title"


def _raw(entry: Any) -> dict[str, Any]:
    """The item as received (what feedparser read of its elements)."""
    raw: dict[str, Any] = {}
    for key in ("id", "link", "title", "published", "updated", "summary"):
        value = entry.get(key)
        if value is not None:
            raw[key] = value
    content = entry.get("content")
    if content:
        raw["content"] = [part.get("value") for part in content if isinstance(part, dict)]
    return raw


def _url_template(conn_id: str) -> str:
    from airflow.sdk import BaseHook  # lazily: the connectors run without Airflow
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return DIRECT
    return (conn.host or "").strip() or DIRECT
