"""Instagram accounts of others through Graph's business discovery, seen from our own IG user.

``GET /{own-ig-user-id}?fields=business_discovery.username(HANDLE){...media.limit(N).after(C){...}}``
Business discovery takes no since/until: media come newest first and are filtered here; paging
stops at the end (no ``cursors.after``) or once a page reaches back before ``since``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

from presswatch.connectors.base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_PAGES,
    AccountError,
    AccountFacts,
    FetchResult,
    Malformed,
    PostCollector,
    PostRecord,
    connection_settings,
)
from presswatch.connectors.facebook import THROTTLE_WAIT_SECONDS, GraphClient

CONN_ID = "presswatch_facebook"  # the same Graph app and token as Facebook
MEDIA_PER_PAGE = 50
MEDIA_FIELDS = "id,timestamp,permalink,caption"
HANDLE = re.compile(r"[A-Za-z0-9._]{1,30}")


class InstagramConnector:
    platform = "instagram"

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        own_ig_user_id: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        throttle_wait: float = THROTTLE_WAIT_SECONDS,
    ) -> None:
        if not own_ig_user_id:
            raise ValueError("own_ig_user_id is required for business discovery")
        self.own_ig_user_id = own_ig_user_id
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
    def from_airflow(
        cls, conn_id: str = CONN_ID, *, own_ig_user_id: str | None = None, **kwargs: Any
    ) -> InstagramConnector:
        """``own_ig_user_id``: given, or the connection's extra ``own_ig_user_id``."""
        settings = connection_settings(conn_id)
        own = own_ig_user_id or str(settings.extra.get("own_ig_user_id") or "")
        return cls(settings.base_url, settings.credential, own_ig_user_id=own, **kwargs)

    def close(self) -> None:
        self.graph.http.close()

    def _discover(self, handle: str, subfields: str, parse: Callable[[dict], Any]) -> Any:
        if not HANDLE.fullmatch(handle):
            raise AccountError(f"{self.platform}: {handle!r} is not an Instagram username")

        def parse_body(body: dict) -> Any:
            discovery = body.get("business_discovery")
            if not isinstance(discovery, dict):
                raise Malformed("no 'business_discovery' object")
            return parse(discovery)

        fields = f"business_discovery.username({handle}){{{subfields}}}"
        return self.graph.get(
            self.graph.node_url(self.own_ig_user_id), {"fields": fields}, parse_body
        )

    def facts(self, handle: str) -> AccountFacts:
        def parse(discovery: dict) -> AccountFacts:
            if "id" not in discovery:
                raise Malformed("business_discovery has no 'id'")
            followers = discovery.get("followers_count")
            return AccountFacts(
                external_id=str(discovery["id"]),
                verified=None,  # business discovery does not say
                verified_type=None,
                followers=followers if isinstance(followers, int) else None,
            )

        return self._discover(handle, "id,username,followers_count,media_count", parse)

    def posts(
        self,
        handle: str,
        since: dt.datetime,
        until: dt.datetime,
        *,
        newest_seen_id: str | None = None,
    ) -> FetchResult:
        collector = PostCollector(since, until, newest_seen_id)
        source = f"{self.platform}:/{self.graph.version}/{self.own_ig_user_id}/business_discovery/{handle}"
        cursor: str | None = None
        seen_cursors: set[str] = set()
        for _ in range(MAX_PAGES):
            modifiers = f"media.limit({MEDIA_PER_PAGE})"
            if cursor:
                modifiers += f".after({cursor})"
            media = self._discover(handle, f"{modifiers}{{{MEDIA_FIELDS}}}", _media_page)
            oldest: dt.datetime | None = None
            for item in media["data"]:
                post = self._post(item, source, collector)
                if post is None:
                    continue
                collector.add(post)
                oldest = post.posted_at if oldest is None else min(oldest, post.posted_at)
            cursor = media.get("paging", {}).get("cursors", {}).get("after")
            if not isinstance(cursor, str) or not cursor or cursor in seen_cursors:
                break
            if oldest is not None and oldest < collector.since:
                break  # newest first: everything further is older still
            seen_cursors.add(cursor)
        return collector.finish()

    def _post(self, item: Any, source: str, collector: PostCollector) -> PostRecord | None:
        return collector.from_item(
            item, source, noun="media", time_key="timestamp", text_key="caption",
            permalink=lambda media: media.get("permalink"),
        )  # fmt: skip


def _media_page(discovery: dict) -> dict:
    media = discovery.get("media", {"data": []})  # an account without media has no 'media'
    if not isinstance(media, dict) or not isinstance(media.get("data"), list):
        raise Malformed("business_discovery.media has no 'data' list")
    paging = media.get("paging", {})
    if not isinstance(paging, dict) or not isinstance(paging.get("cursors", {}), dict):
        raise Malformed("business_discovery.media.paging is not an object")
    return media
