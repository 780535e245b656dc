"""What every platform connector shares: result types, errors, and the HTTP loop that retries
server errors, timeouts and malformed bodies and honours each platform's rate-limit signal.

Pure Python: Airflow is imported only inside ``connection_settings`` (called by the connectors'
``from_airflow``), so that the connectors can be used and tested without it.

Retries: ``requests`` sessions keep connections alive; the mounted ``HTTPAdapter`` carries a
``urllib3`` ``Retry`` that only retries failures to *connect* (nothing was sent). Everything
decided from an answer (5xx, timeouts, rate limits, malformed bodies) is retried by
``HttpClient.fetch``, because the waits must go through the injectable ``sleep`` and the rate-limit
signal differs per platform.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from presswatch.errors import PresswatchError
from presswatch.quarantine import QuarantineItem

UTC = dt.UTC
T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 4
DEFAULT_BACKOFF_SECONDS = 1.0  # first wait after a 5xx/timeout/malformed body; doubles each time
MAX_BACKOFF_SECONDS = 60.0
MAX_RATE_LIMIT_WAIT_SECONDS = 900.0  # a rate limit asking for longer is waited this long
DEFAULT_MAX_RATE_LIMIT_WAITS = 5  # rate-limit waits per request, apart from max_retries
USER_AGENT = "presswatch/1.0 (press-service monitoring; platform connectors)"
MAX_PAGES = 10_000  # a guard against a platform that pages forever


# --- results and errors ---------------------------------------------------------------------


@dataclass(frozen=True)
class PostRecord:
    platform_post_id: str
    posted_at: dt.datetime  # aware, UTC
    permalink: str | None
    text_excerpt: str | None


@dataclass(frozen=True)
class AccountFacts:
    external_id: str | None
    verified: bool | None  # None: the platform does not say
    verified_type: str | None
    followers: int | None


@dataclass
class FetchResult:
    posts: list[PostRecord] = field(default_factory=list)
    quarantined: list[QuarantineItem] = field(default_factory=list)
    newest_post_at: dt.datetime | None = None  # None: no post returned, keep the old mark
    newest_post_id: str | None = None


class AccountError(PresswatchError):
    """One account cannot be read (deleted page, unknown chat, bad token...): skip it, go on."""


class PlatformUnavailable(PresswatchError):
    """The platform kept failing (5xx, timeouts, rate limits, malformed bodies) after retries."""


class Malformed(Exception):
    """A page body that cannot be used as it is; raised by parse functions, then retried."""


class RetryLater(Exception):
    """Raised by a connector's ``check`` for an answer worth retrying.

    ``wait``: the seconds the platform asked for (a rate limit), or None for exponential backoff.
    """

    def __init__(self, reason: str, wait: float | None = None, *, rate_limited: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        self.rate_limited = rate_limited


# --- helpers ---------------------------------------------------------------------------------

EXCERPT_LENGTH = 280


def excerpt(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def parse_time(value: object) -> dt.datetime:
    """An ISO 8601 time with an offset (``+0000``, ``+00:00``, ``Z``) as aware UTC; ValueError."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip().replace("Z", "+00:00")
    # Graph writes +0000; fromisoformat of Python 3.11 accepts it, but be explicit.
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return moment.astimezone(UTC)


def as_utc(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError) as exc:
        raise Malformed(f"body is not valid JSON ({len(response.content)} bytes)") from exc


class PostCollector:
    """Posts of one fetch: window filter, each id once, the newest (time, id) as the mark."""

    def __init__(
        self, since: dt.datetime, until: dt.datetime, newest_seen_id: str | None = None
    ) -> None:
        self.since = as_utc(since, "since")
        self.until = as_utc(until, "until")
        self.newest_seen_id = newest_seen_id
        self.result = FetchResult()
        self._ids: set[str] = set()

    def add(self, post: PostRecord) -> None:
        if not self.since <= post.posted_at < self.until:
            return
        if post.posted_at == self.since and post.platform_post_id == self.newest_seen_id:
            return  # the high-water mark itself: already stored by the previous run
        if post.platform_post_id in self._ids:
            return
        self._ids.add(post.platform_post_id)
        self.result.posts.append(post)
        mark = (self.result.newest_post_at, self.result.newest_post_id)
        if mark[0] is None or (post.posted_at, post.platform_post_id) > mark:
            self.result.newest_post_at = post.posted_at
            self.result.newest_post_id = post.platform_post_id

    def quarantine(self, source: str, reason: str, raw: Any) -> None:
        self.result.quarantined.append(QuarantineItem(source, reason, raw))

    def from_item(
        self,
        item: Any,
        source: str,
        *,
        noun: str,
        time_key: str,
        text_key: str,
        permalink: Callable[[dict], Any],
        id_types: tuple[type, ...] = (str, int),
    ) -> PostRecord | None:
        """The post in one item of a platform's page; a bad item is quarantined (None)."""
        if not isinstance(item, dict) or not isinstance(item.get("id"), id_types):
            self.quarantine(source, f"{noun} without an 'id'", item)
            return None
        try:
            posted_at = parse_time(item.get(time_key))
        except ValueError:
            self.quarantine(source, f"{noun} {item['id']}: missing or bad '{time_key}'", item)
            return None
        link = permalink(item)
        return PostRecord(
            platform_post_id=str(item["id"]),
            posted_at=posted_at,
            permalink=link if isinstance(link, str) else None,
            text_excerpt=excerpt(item.get(text_key)),
        )

    def finish(self) -> FetchResult:
        self.result.posts.sort(key=lambda post: (post.posted_at, post.platform_post_id))
        return self.result


# --- Airflow connections ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionSettings:
    base_url: str
    credential: str
    extra: dict[str, Any] = field(default_factory=dict)


def connection_settings(conn_id: str) -> ConnectionSettings:
    """Base URL (the connection's host, a full URL) and credential (its password)."""
    from airflow.sdk import BaseHook  # lazily: the connectors run without Airflow

    conn = BaseHook.get_connection(conn_id)
    host = (conn.host or "").strip()
    if not host:
        raise AccountError(f"Airflow connection {conn_id!r} has no host (the platform's base URL)")
    if "://" not in host:
        scheme = conn.schema if conn.schema in ("http", "https") else "https"
        host = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
    extra = conn.extra_dejson if isinstance(conn.extra_dejson, dict) else {}
    return ConnectionSettings(
        base_url=host.rstrip("/"), credential=conn.password or "", extra=extra
    )


# --- HTTP --------------------------------------------------------------------------------------


def new_session(headers: dict[str, str] | None = None) -> requests.Session:
    session = requests.Session()
    retry = Retry(
        total=None,
        connect=2,  # failed to connect: nothing was sent, safe to try again at once
        read=0,
        status=0,
        other=0,
        redirect=5,
        backoff_factor=0.1,
        raise_on_status=False,
        respect_retry_after_header=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, **(headers or {})})
    return session


class HttpClient:
    """GET with retries for one platform. ``check(response)`` returns normally for an answer to
    parse, raises ``RetryLater`` for one to retry and ``AccountError`` for one that fails the
    account; ``parse(response)`` raises ``Malformed`` for a body to retry."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        *,
        timeout: float,
        max_retries: int,
        sleep: Callable[[float], None],
        headers: dict[str, str] | None = None,
        backoff: float = DEFAULT_BACKOFF_SECONDS,
        max_rate_limit_waits: int = DEFAULT_MAX_RATE_LIMIT_WAITS,
        max_rate_limit_wait: float = MAX_RATE_LIMIT_WAIT_SECONDS,
        redact: tuple[str, ...] = (),
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.sleep = sleep
        self.backoff = backoff
        self.max_rate_limit_waits = max_rate_limit_waits
        self.max_rate_limit_wait = max_rate_limit_wait
        self.session = new_session(headers)
        self._redact = tuple(secret for secret in redact if secret)
        self._base_path = urlsplit(self.base_url).path.rstrip("/")

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def path_of(self, url: str) -> str:
        """The URL's path below the base URL, secrets hidden: for messages and sources."""
        path = urlsplit(url).path
        if self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path) :] or "/"
        for secret in self._redact:
            path = path.replace(secret, "<redacted>")
        return path

    def same_origin(self, url: str) -> bool:
        mine, theirs = urlsplit(self.base_url), urlsplit(url)
        return (mine.scheme, mine.netloc) == (theirs.scheme, theirs.netloc)

    def fetch(
        self,
        url: str,
        params: dict[str, Any] | None,
        check: Callable[[requests.Response], None],
        parse: Callable[[requests.Response], T],
        headers: dict[str, str] | None = None,
    ) -> T:
        """``headers``: for this request only (conditional GET: ``If-None-Match``...)."""
        path = self.path_of(url)
        failures = 0
        rate_limit_waits = 0
        last = "no answer"
        while True:
            try:
                response = self.session.get(
                    url, params=params, headers=headers, timeout=self.timeout
                )
            except requests.Timeout:
                last = f"timed out after {self.timeout:g} s"
                wait = None
            except requests.ConnectionError as exc:
                last = f"connection failed ({type(exc).__name__})"
                wait = None
            else:
                try:
                    check(response)
                    return parse(response)
                except RetryLater as retry:
                    last = f"HTTP {response.status_code}: {retry.reason}"
                    if retry.rate_limited:
                        rate_limit_waits += 1
                        if rate_limit_waits > self.max_rate_limit_waits:
                            raise PlatformUnavailable(
                                f"{self.platform}: GET {path} still rate limited after "
                                f"{self.max_rate_limit_waits} waits; last: {last}"
                            ) from None
                        wait = self.backoff * 2 ** (rate_limit_waits - 1)
                        if retry.wait is not None:
                            wait = retry.wait
                        self.sleep(min(max(wait, 0.0), self.max_rate_limit_wait))
                        continue
                    wait = retry.wait
                except Malformed as exc:
                    last = f"HTTP {response.status_code}: malformed body: {exc}"
                    wait = None
            failures += 1
            if failures > self.max_retries:
                raise PlatformUnavailable(
                    f"{self.platform}: GET {path} failed {failures} times; last: {last}"
                )
            if wait is None:
                wait = min(self.backoff * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)
            self.sleep(wait)


def server_error(response: requests.Response) -> None:
    """5xx and the gateway's 502/503/504 pages: retry with backoff."""
    if response.status_code >= 500:
        raise RetryLater(f"server error {response.reason or ''}".strip())


def header_wait(response: requests.Response) -> float | None:
    return retry_after_seconds(response.headers.get("Retry-After"))


def epoch_wait(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds until an epoch-seconds reset time (X's ``x-rate-limit-reset``), at least 1."""
    if value is None:
        return None
    try:
        reset = float(value)
    except ValueError:
        return None
    return max(1.0, reset - now())
