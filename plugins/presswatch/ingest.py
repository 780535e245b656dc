"""Loading fetched posts into the domain database in bulk (R2's raw material).

Posts are streamed with ``COPY`` into a staging table and merged with one
``INSERT ... ON CONFLICT`` keyed on (account, platform post id): re-ingesting the same posts
inserts nothing and changes nothing, and an edited post is updated. The accounts'
high-water marks (newest post seen) move forward only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import psycopg

from presswatch import db

EXCERPT_LENGTH = 500


class Post(Protocol):
    platform_post_id: str
    posted_at: dt.datetime
    permalink: str | None
    text_excerpt: str | None


@dataclass(frozen=True)
class LoadReport:
    received: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.received - self.inserted - self.updated


def load_posts(conn: psycopg.Connection, posts: Iterable[tuple[int, Post]]) -> LoadReport:
    """Merge ``(account_id, post)`` pairs into ``post`` in the caller's transaction."""
    queries = db.named_queries("ingest/posts")
    conn.execute(queries["stage"])
    received = 0
    with conn.cursor().copy(
        "COPY stage_post (account_id, platform_post_id, posted_at, permalink, text_excerpt)"
        " FROM STDIN"
    ) as copy:
        for account_id, post in posts:
            excerpt = post.text_excerpt[:EXCERPT_LENGTH] if post.text_excerpt else None
            copy.write_row(
                (account_id, post.platform_post_id, post.posted_at, post.permalink, excerpt)
            )
            received += 1
    outcomes = [inserted for (inserted,) in conn.execute(queries["upsert"]).fetchall()]
    conn.execute(queries["advance_high_water_marks"])
    conn.execute("DROP TABLE stage_post")  # a second load in the same transaction restages
    inserted = sum(outcomes)
    return LoadReport(received=received, inserted=inserted, updated=len(outcomes) - inserted)


def record_fetch(
    conn: psycopg.Connection, account_id: int, fetched_at: dt.datetime, error: str | None = None
) -> None:
    """Remember when an account was fetched and why it failed (None: it did not)."""
    conn.execute(
        db.named_queries("ingest/posts")["record_fetch"],
        {"account_id": account_id, "fetched_at": fetched_at, "error": error},
    )
