"""What the story connectors deliver once a payload is parsed: feed items and portal responses.

The connectors (``presswatch.connectors.portal`` and ``presswatch.connectors.feeds``) turn each
payload into these, or into quarantine items naming what was wrong; ``presswatch.sla.stories``
and ``presswatch.sla.responses`` store them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from presswatch.quarantine import QuarantineItem


@dataclass(frozen=True)
class StoryItem:
    """One story as a feed gave it, validated: title and URL present, the time parsed."""

    feed_code: str  # the story_feed it came from ('portal' for the monitoring portal)
    item_key: str  # the feed's id or guid for the item, else its URL
    url: str  # as given (absolute http(s))
    title: str  # plain text: HTML removed, entities decoded, single spaces
    source: str  # the outlet: the URL's host without "www." (kun.uz), or the portal's name for it
    published_at: dt.datetime  # aware
    published_at_zone_assumed: bool = False  # the feed gave no zone: read as Asia/Tashkent
    # When the story was first seen: the portal's own detection time; None for RSS (the
    # ingestion takes the fetch time, within the run's hour).
    first_seen_at: dt.datetime | None = None
    language: str | None = None  # uz-Latn, uz-Cyrl, ru, en, or None when unknown
    summary: str | None = None  # plain text
    body: str | None = None  # plain text, possibly cut (body_truncated)
    body_truncated: bool = False
    institution_codes: tuple[str, ...] = ()  # the portal's tags: registry codes
    raw: dict[str, Any] = field(default_factory=dict, compare=False)  # what was received


@dataclass(frozen=True)
class PortalResponse:
    """A response the monitoring portal recorded: institution ``institution_code`` answered the
    story (``story_external_id`` or ``story_url``) at ``responded_at`` at ``url``."""

    external_id: str  # the portal's id of the response
    story_external_id: str | None  # the portal's id of the story
    story_url: str | None
    institution_code: str
    responded_at: dt.datetime  # aware
    url: str
    channel: str  # social_post, website, press_release, statement, media_comment
    account_platform: str | None = None  # for a social post: the account it was posted from
    account_handle: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class FeedFetch:
    """What one fetch of a feed gave, and what the next fetch may skip."""

    items: list[StoryItem] = field(default_factory=list)
    responses: list[PortalResponse] = field(default_factory=list)
    quarantined: list[QuarantineItem] = field(default_factory=list)
    not_modified: bool = False  # HTTP 304: nothing new since etag / last_modified
    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None  # the portal's: where the next fetch starts
    has_more: bool = False  # the portal had more than the fetch's page bound: fetch again
    status: str = "ok"  # a short description for story_feed.last_status
    error: str | None = None  # the feed could not be read at all (not XML, 404...)
