"""Read-only access to the simulated platforms' and story sources' data (schema ``sim``) for
the simulator.

Connections are opened lazily on the server's event loop and kept in a small idle list: the
simulator answers many small requests, and a fresh connection for each would dominate them.
Every session is read-only, so a bug in the simulator cannot alter the world a test set up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import psycopg
from psycopg import pq

from presswatch import db

MAX_IDLE_CONNECTIONS = 4
SESSION_OPTIONS = "-c default_transaction_read_only=on -c TimeZone=UTC"

# A post's position in a newest-first listing: time first, the id breaks ties.
PostKey = tuple[dt.datetime, str]
# A position in the portal's sequence: (collected_at or recorded_at, the portal's id).
PortalKey = tuple[dt.datetime, int]
# Bounds for "no cursor" and "no end" that the sequence comparisons can use as they are.
BEGINNING = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
END_OF_TIME = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Account:
    platform: str
    external_id: str
    handle: str
    name: str
    verified: bool
    verified_type: str | None
    followers: int
    created_at: dt.datetime
    deleted: bool


@dataclass(frozen=True)
class Post:
    post_id: str
    created_at: dt.datetime
    text: str

    @property
    def key(self) -> PostKey:
        return (self.created_at, self.post_id)


@dataclass(frozen=True)
class PortalStory:
    portal_id: int
    source_name: str
    source_domain: str
    url: str | None
    title: str | None
    text: str
    language: str | None
    published_at: dt.datetime | None
    collected_at: dt.datetime
    institution_codes: list[str]
    tone: str | None

    @property
    def key(self) -> PortalKey:
        return (self.collected_at, self.portal_id)


@dataclass(frozen=True)
class PortalResponse:
    portal_id: int
    story_portal_id: int | None
    story_url: str
    institution_code: str
    responded_at: dt.datetime | None
    url: str
    channel: str
    account_platform: str | None
    account_handle: str | None
    recorded_at: dt.datetime

    @property
    def key(self) -> PortalKey:
        return (self.recorded_at, self.portal_id)


@dataclass(frozen=True)
class Feed:
    host: str
    path: str
    format: str  # rss | atom
    title: str
    language: str | None
    item_limit: int
    raw_body: str | None
    raw_status: int
    raw_content_type: str


@dataclass(frozen=True)
class FeedItem:
    guid: str | None
    link: str | None
    title: str | None
    description: str | None
    body: str | None
    pub_date: str | None
    listed_at: dt.datetime


@dataclass(frozen=True)
class WikiPage:
    pageid: int
    title: str


@dataclass(frozen=True)
class WikiLanglink:
    pageid: int
    lang: str
    title: str


ACCOUNT_BY_ID = """
SELECT platform, external_id, handle, name, verified, verified_type, followers, created_at, deleted
FROM sim.account
WHERE platform = %(platform)s AND external_id = ANY(%(ids)s)
ORDER BY external_id
LIMIT 1
"""

ACCOUNT_BY_HANDLE = """
SELECT platform, external_id, handle, name, verified, verified_type, followers, created_at, deleted
FROM sim.account
WHERE platform = %(platform)s AND lower(handle) = lower(%(handle)s)
"""

# Graph takes a Page's id or its username, and an Instagram account's id, at the same path.
GRAPH_NODE = """
SELECT platform, external_id, handle, name, verified, verified_type, followers, created_at, deleted
FROM sim.account
WHERE (platform IN ('facebook', 'instagram') AND external_id = %(node)s)
   OR (platform = 'facebook' AND lower(handle) = lower(%(node)s))
ORDER BY CASE
    WHEN platform = 'facebook' AND external_id = %(node)s THEN 0
    WHEN external_id = %(node)s THEN 1
    ELSE 2
END
LIMIT 1
"""

POSTS_IN_WINDOW = """
SELECT post_id, created_at, text
FROM sim.post
WHERE platform = %(platform)s
  AND account_external_id = %(account)s
  AND (%(since)s::timestamptz IS NULL OR created_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR created_at < %(until)s::timestamptz)
"""

POST_COUNT = """
SELECT count(*) FROM sim.post WHERE platform = %(platform)s AND account_external_id = %(account)s
"""

WIKI_REDIRECTS = """
SELECT from_title, to_title FROM sim.wiki_redirect WHERE lang = %(lang)s AND from_title = ANY(%(titles)s)
"""

WIKI_PAGES = """
SELECT pageid, title FROM sim.wiki_page WHERE lang = %(lang)s AND title = ANY(%(titles)s)
"""

WIKI_LANGLINKS = """
SELECT pageid, target_lang, target_title
FROM sim.wiki_langlink
WHERE lang = %(lang)s AND pageid = ANY(%(pageids)s)
ORDER BY pageid, target_lang
"""

# The portal's listings: in its sequence, after a position, before an optional end; one row
# more than the page holds tells whether more remain.
PORTAL_STORIES = """
SELECT portal_id, source_name, source_domain, url, title, text, language, published_at,
       collected_at, institution_codes, tone
FROM sim.portal_story
WHERE (collected_at, portal_id) > (%(after_at)s, %(after_id)s)
  AND collected_at < %(until)s
ORDER BY collected_at, portal_id
LIMIT %(limit)s
"""

PORTAL_RESPONSES = """
SELECT portal_id, story_portal_id, story_url, institution_code, responded_at, url, channel,
       account_platform, account_handle, recorded_at
FROM sim.portal_response
WHERE (recorded_at, portal_id) > (%(after_at)s, %(after_id)s)
  AND recorded_at < %(until)s
ORDER BY recorded_at, portal_id
LIMIT %(limit)s
"""

FEED = """
SELECT host, path, format, title, language, item_limit, raw_body, raw_status, raw_content_type
FROM sim.feed
WHERE lower(host) = lower(%(host)s) AND path = %(path)s
"""

# Newest first, as feeds list; the ties broken by what the rows hold, so the order is stable.
FEED_ITEMS = """
SELECT guid, link, title, description, body, pub_date, listed_at
FROM sim.feed_item
WHERE host = %(host)s AND path = %(path)s
ORDER BY listed_at DESC, guid, link, title
LIMIT %(limit)s
"""

HEALTH = "SELECT count(*) FROM sim.account"


class Store:
    """The ``sim`` schema of one database, read on the caller's event loop."""

    def __init__(self, database_url: str | None = None) -> None:
        self._database_url = database_url
        self._idle: list[psycopg.AsyncConnection] = []

    async def _url(self) -> str:
        if self._database_url is None:
            # Resolving may start the embedded server: keep it off the event loop.
            self._database_url = await asyncio.to_thread(db.domain_url)
        return self._database_url

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        connection = None
        while self._idle and connection is None:
            candidate = self._idle.pop()
            if not candidate.closed:
                connection = candidate
        if connection is None:
            connection = await psycopg.AsyncConnection.connect(
                await self._url(), autocommit=True, connect_timeout=10, options=SESSION_OPTIONS
            )
        try:
            yield connection
        except BaseException:
            await connection.close()
            raise
        reusable = connection.info.transaction_status == pq.TransactionStatus.IDLE
        if reusable and len(self._idle) < MAX_IDLE_CONNECTIONS:
            self._idle.append(connection)
        else:
            await connection.close()

    async def _rows(self, query: str, params: dict) -> list[tuple]:
        async with self._connection() as connection:
            cursor = await connection.execute(query, params)
            return await cursor.fetchall()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def check(self) -> int:
        """The number of simulated accounts; fails if the database or schema is unreachable."""
        rows = await self._rows(HEALTH, {})
        return rows[0][0]

    async def account_by_id(self, platform: str, ids: Sequence[str]) -> Account | None:
        """The account whose id is any of ``ids`` (callers pass the spellings an id may have)."""
        rows = await self._rows(ACCOUNT_BY_ID, {"platform": platform, "ids": list(ids)})
        return Account(*rows[0]) if rows else None

    async def account_by_handle(self, platform: str, handle: str) -> Account | None:
        rows = await self._rows(ACCOUNT_BY_HANDLE, {"platform": platform, "handle": handle})
        return Account(*rows[0]) if rows else None

    async def graph_node(self, node: str) -> Account | None:
        rows = await self._rows(GRAPH_NODE, {"node": node})
        return Account(*rows[0]) if rows else None

    async def posts(
        self,
        account: Account,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[Post]:
        """The account's posts with ``since <= created_at < until``, newest first."""
        params = {
            "platform": account.platform,
            "account": account.external_id,
            "since": since,
            "until": until,
        }
        posts = [Post(*row) for row in await self._rows(POSTS_IN_WINDOW, params)]
        # Sorted here, not in SQL, so that the order matches Python's comparison of the cursor
        # keys exactly whatever the database collation.
        posts.sort(key=lambda post: post.key, reverse=True)
        return posts

    async def post_count(self, account: Account) -> int:
        params = {"platform": account.platform, "account": account.external_id}
        rows = await self._rows(POST_COUNT, params)
        return rows[0][0]

    async def portal_stories(
        self, after: PortalKey | None, until: dt.datetime | None, limit: int
    ) -> list[PortalStory]:
        """Up to ``limit`` stories after ``after`` in the portal's sequence, collected before
        ``until``."""
        rows = await self._rows(PORTAL_STORIES, _sequence_params(after, until, limit))
        return [PortalStory(*row) for row in rows]

    async def portal_responses(
        self, after: PortalKey | None, until: dt.datetime | None, limit: int
    ) -> list[PortalResponse]:
        """Up to ``limit`` responses after ``after`` in the portal's sequence, recorded before
        ``until``."""
        rows = await self._rows(PORTAL_RESPONSES, _sequence_params(after, until, limit))
        return [PortalResponse(*row) for row in rows]

    async def feed(self, host: str, path: str) -> Feed | None:
        rows = await self._rows(FEED, {"host": host, "path": path})
        return Feed(*rows[0]) if rows else None

    async def feed_items(self, feed: Feed) -> list[FeedItem]:
        """The feed's latest ``item_limit`` items, newest first."""
        params = {"host": feed.host, "path": feed.path, "limit": feed.item_limit}
        return [FeedItem(*row) for row in await self._rows(FEED_ITEMS, params)]

    async def wiki_redirects(self, lang: str, titles: Sequence[str]) -> dict[str, str]:
        rows = await self._rows(WIKI_REDIRECTS, {"lang": lang, "titles": list(titles)})
        return dict(rows)

    async def wiki_pages(self, lang: str, titles: Sequence[str]) -> dict[str, WikiPage]:
        rows = await self._rows(WIKI_PAGES, {"lang": lang, "titles": list(titles)})
        return {title: WikiPage(pageid, title) for pageid, title in rows}

    async def wiki_langlinks(self, lang: str, pageids: Sequence[int]) -> list[WikiLanglink]:
        rows = await self._rows(WIKI_LANGLINKS, {"lang": lang, "pageids": list(pageids)})
        return [WikiLanglink(*row) for row in rows]


def _sequence_params(after: PortalKey | None, until: dt.datetime | None, limit: int) -> dict:
    after_at, after_id = after if after is not None else (BEGINNING, 0)
    return {
        "after_at": after_at,
        "after_id": after_id,
        "until": until or END_OF_TIME,
        "limit": limit,
    }
