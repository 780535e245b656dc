"""Facebook Pages through the Graph API (``https://graph.facebook.com``).

``facts(page_id)``: the Page's fields; ``posts(page_id, since, until)``: its posts in
``since <= created_time < until``, following ``paging.next`` to the end.
Throttling is Graph error codes 4/17/32/613 (HTTP 400/403), waited out with a growing backoff.
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
    MAX_PAGES,
    AccountError,
    AccountFacts,
    FetchResult,
    HttpClient,
    Malformed,
    PostCollector,
    PostRecord,
    RetryLater,
    as_utc,
    connection_settings,
    json_body,
)

GRAPH_VERSION = "v21.0"
CONN_ID = "presswatch_facebook"
THROTTLING_CODES = frozenset({4, 17, 32, 613})
THROTTLE_WAIT_SECONDS = 60.0  # Graph names no wait; the first backoff, doubled each time
PAGE_FIELDS = "id,name,username,link,followers_count,fan_count,verification_status"
POST_FIELDS = "id,message,created_time,permalink_url"
POSTS_PER_PAGE = 100


def graph_check(platform: str, throttle_wait: float) -> Callable[[requests.Response], None]:
    """How Graph answers: ``{"error": {...}}`` with a code; 5xx and transient errors retry."""
    waits = {"count": 0}

    def check(response: requests.Response) -> None:
        if response.status_code < 400:
            return
        try:
            error = response.json().get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        if not isinstance(error, dict):
            error = {}
        code = error.get("code")
        message = error.get("message") or response.reason or "error"
        if code in THROTTLING_CODES:
            waits["count"] += 1
            wait = throttle_wait * 2 ** (waits["count"] - 1)
            raise RetryLater(f"throttled, code {code}: {message}", wait, rate_limited=True)
        if response.status_code >= 500 or error.get("is_transient") is True or code in (1, 2):
            raise RetryLater(f"code {code}: {message}")
        if code == 190:
            raise AccountError(f"{platform}: the access token is invalid or expired: {message}")
        raise AccountError(
            f"{platform}: Graph refused (HTTP {response.status_code}, code {code}): {message}"
        )

    return check


class GraphClient:
    """A Graph API session: the token in the Authorization header, never in URLs or logs."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        credential: str,
        *,
        timeout: float,
        max_retries: int,
        sleep: Callable[[float], None],
        throttle_wait: float = THROTTLE_WAIT_SECONDS,
        version: str = GRAPH_VERSION,
    ) -> None:
        self.platform = platform
        self.version = version
        self.throttle_wait = throttle_wait
        self.http = HttpClient(
            platform,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
            headers={"Authorization": f"Bearer {credential}"},
        )

    def get(
        self, url: str, params: dict[str, Any] | None, parse: Callable[[Any], Any] | None = None
    ) -> Any:
        def parse_response(response: requests.Response) -> Any:
            body = json_body(response)
            if not isinstance(body, dict):
                raise Malformed("body is not a JSON object")
            return parse(body) if parse else body

        check = graph_check(self.platform, self.throttle_wait)
        return self.http.fetch(url, params, check, parse_response)

    def node_url(self, *parts: str) -> str:
        return self.http.url("/" + "/".join((self.version, *parts)))


def _listing(body: dict) -> dict:
    """A page of an edge: ``data`` a list, ``paging`` an object if present."""
    data = body.get("data")
    if not isinstance(data, list):
        raise Malformed("no 'data' list in the page")
    paging = body.get("paging", {})
    if not isinstance(paging, dict):
        raise Malformed("'paging' is not an object")
    return body


class FacebookConnector:
    platform = "facebook"

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        throttle_wait: float = THROTTLE_WAIT_SECONDS,
    ) -> None:
        self.graph = GraphClient(
            self.platform,
            base_url,
            credential,
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
            throttle_wait=throttle_wait,
        )

    @classmethod
    def from_airflow(cls, conn_id: str = CONN_ID, **kwargs: Any) -> FacebookConnector:
        settings = connection_settings(conn_id)
        return cls(settings.base_url, settings.credential, **kwargs)

    def close(self) -> None:
        self.graph.http.close()

    def facts(self, page_id: str) -> AccountFacts:
        def parse(body: dict) -> AccountFacts:
            if "id" not in body:
                raise Malformed("the Page has no 'id'")
            followers = body.get("followers_count", body.get("fan_count"))
            status = body.get("verification_status")
            return AccountFacts(
                external_id=str(body["id"]),
                verified=None if status is None else status == "blue_verified",
                verified_type=status if isinstance(status, str) else None,
                followers=followers if isinstance(followers, int) else None,
            )

        return self.graph.get(self.graph.node_url(page_id), {"fields": PAGE_FIELDS}, parse)

    def posts(
        self,
        page_id: str,
        since: dt.datetime,
        until: dt.datetime,
        *,
        newest_seen_id: str | None = None,
    ) -> FetchResult:
        """Posts with ``since <= created_time < until``; ``newest_seen_id``: the high-water
        mark's post, left out if it is at ``since`` exactly."""
        collector = PostCollector(since, until, newest_seen_id)
        url: str | None = self.graph.node_url(page_id, "posts")
        params: dict[str, Any] | None = {
            "fields": POST_FIELDS,
            "since": int(as_utc(since, "since").timestamp()),
            "until": int(as_utc(until, "until").timestamp()) + 1,  # filtered exactly below
            "limit": POSTS_PER_PAGE,
        }
        seen_urls: set[str] = set()
        for _ in range(MAX_PAGES):
            if url is None:
                break
            body = self.graph.get(url, params, _listing)
            source = f"{self.platform}:{self.graph.http.path_of(url)}"
            for item in body["data"]:
                post = self._post(item, source, collector)
                if post is not None:
                    collector.add(post)
            next_url = body.get("paging", {}).get("next")
            if not isinstance(next_url, str) or next_url in seen_urls:
                break
            if not self.graph.http.same_origin(next_url):
                raise AccountError(
                    f"{self.platform}: paging.next leaves the Graph host: {next_url}"
                )
            seen_urls.add(next_url)
            url, params = next_url, None  # the next URL carries every parameter
        return collector.finish()

    def _post(self, item: Any, source: str, collector: PostCollector) -> PostRecord | None:
        return collector.from_item(
            item, source, noun="post", time_key="created_time", text_key="message",
            permalink=lambda post: post.get("permalink_url"),
        )  # fmt: skip
