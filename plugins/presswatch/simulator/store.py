"""Read-only access to the simulated platforms' data (schema ``sim``) for the simulator.

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

    async def wiki_redirects(self, lang: str, titles: Sequence[str]) -> dict[str, str]:
        rows = await self._rows(WIKI_REDIRECTS, {"lang": lang, "titles": list(titles)})
        return dict(rows)

    async def wiki_pages(self, lang: str, titles: Sequence[str]) -> dict[str, WikiPage]:
        rows = await self._rows(WIKI_PAGES, {"lang": lang, "titles": list(titles)})
        return {title: WikiPage(pageid, title) for pageid, title in rows}

    async def wiki_langlinks(self, lang: str, pageids: Sequence[int]) -> list[WikiLanglink]:
        rows = await self._rows(WIKI_LANGLINKS, {"lang": lang, "pageids": list(pageids)})
        return [WikiLanglink(*row) for row in rows]
