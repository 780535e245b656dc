"""X (Twitter) through API v2 (``https://api.x.com``), with a bearer token.

``facts(username)``: ``/2/users/by/username/{username}``; ``posts(user_id, since, until)``:
``/2/users/{id}/tweets`` with ``start_time`` (inclusive) and ``end_time`` (exclusive), following
``meta.next_token`` as ``pagination_token``. A 429 waits until ``x-rate-limit-reset``.
"""

from __future__ import annotations

import datetime as dt
import re
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
    connection_settings,
    epoch_wait,
    header_wait,
    json_body,
    server_error,
)

CONN_ID = "presswatch_x"
USERNAME = re.compile(r"[A-Za-z0-9_]{1,50}")
USER_ID = re.compile(r"[0-9]{1,19}")
TWEETS_PER_PAGE = 100


def _rfc3339(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _problem(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or "error"
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("detail") or first.get("message") or first)
        return str(body.get("detail") or body.get("title") or body)
    return str(body)


class XConnector:
    platform = "x"

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.http = HttpClient(
            self.platform,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
            headers={"Authorization": f"Bearer {credential}"},
        )

    @classmethod
    def from_airflow(cls, conn_id: str = CONN_ID, **kwargs: Any) -> XConnector:
        settings = connection_settings(conn_id)
        return cls(settings.base_url, settings.credential, **kwargs)

    def close(self) -> None:
        self.http.close()

    def _check(self, response: requests.Response) -> None:
        status = response.status_code
        if status == 429:
            wait = epoch_wait(response.headers.get("x-rate-limit-reset"), self.clock)
            if wait is None:
                wait = header_wait(response)
            raise RetryLater("rate limit exceeded", wait, rate_limited=True)
        server_error(response)
        if status in (401, 403):
            raise AccountError(f"x: not authorized (HTTP {status}): {_problem(response)}")
        if status >= 400:
            raise AccountError(f"x: request refused (HTTP {status}): {_problem(response)}")

    def _get(self, path: str, params: dict[str, Any], parse: Callable[[dict], Any]) -> Any:
        def parse_response(response: requests.Response) -> Any:
            body = json_body(response)
            if not isinstance(body, dict):
                raise Malformed("body is not a JSON object")
            if "data" not in body and body.get("errors"):
                # X answers an unknown or suspended user with HTTP 200 and only "errors".
                raise AccountError(f"x: {_problem(response)}")
            return parse(body)

        return self.http.fetch(self.http.url(path), params, self._check, parse_response)

    def facts(self, username: str) -> AccountFacts:
        username = username.removeprefix("@")
        if not USERNAME.fullmatch(username):
            raise AccountError(f"x: {username!r} is not an X username")

        def parse(body: dict) -> AccountFacts:
            user = body.get("data")
            if not isinstance(user, dict) or "id" not in user:
                raise Malformed("no user object with an 'id' in 'data'")
            metrics = user.get("public_metrics")
            followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
            verified = user.get("verified")
            verified_type = user.get("verified_type")
            return AccountFacts(
                external_id=str(user["id"]),
                verified=verified if isinstance(verified, bool) else None,
                verified_type=verified_type if isinstance(verified_type, str) else None,
                followers=followers if isinstance(followers, int) else None,
            )

        return self._get(
            f"/2/users/by/username/{username}",
            {"user.fields": "verified,verified_type,public_metrics,created_at"},
            parse,
        )

    def posts(
        self,
        user_id: str,
        since: dt.datetime,
        until: dt.datetime,
        *,
        username: str | None = None,
        newest_seen_id: str | None = None,
    ) -> FetchResult:
        """Tweets with ``since <= created_at < until``. ``username`` makes the permalinks
        ``https://x.com/{username}/status/{id}`` (else X's ``/i/web/status/{id}``)."""
        if not USER_ID.fullmatch(user_id):
            raise AccountError(f"x: {user_id!r} is not an X user id")
        collector = PostCollector(since, until, newest_seen_id)
        if collector.until <= collector.since:
            return collector.finish()
        path = f"/2/users/{user_id}/tweets"
        source = f"{self.platform}:{path}"
        params: dict[str, Any] = {
            "start_time": _rfc3339(collector.since),
            "end_time": _rfc3339(collector.until),
            "max_results": TWEETS_PER_PAGE,
            "tweet.fields": "created_at",
        }
        seen_tokens: set[str] = set()
        for _ in range(MAX_PAGES):
            body = self._get(path, params, _timeline_page)
            for item in body.get("data", []):
                post = self._post(item, username, source, collector)
                if post is not None:
                    collector.add(post)
            token = body["meta"].get("next_token")
            if not isinstance(token, str) or not token or token in seen_tokens:
                break
            seen_tokens.add(token)
            params = {**params, "pagination_token": token}
        return collector.finish()

    def _post(
        self, item: Any, username: str | None, source: str, collector: PostCollector
    ) -> PostRecord | None:
        owner = username.removeprefix("@") if username else "i/web"
        return collector.from_item(
            item, source, noun="tweet", time_key="created_at", text_key="text",
            permalink=lambda tweet: f"https://x.com/{owner}/status/{tweet['id']}",
            id_types=(str,),
        )  # fmt: skip


def _timeline_page(body: dict) -> dict:
    meta = body.get("meta")
    if not isinstance(meta, dict):
        raise Malformed("no 'meta' object")
    if not isinstance(body.get("data", []), list):
        raise Malformed("'data' is not a list")
    return body
