"""Loading fetched posts into the domain database in bulk (R2's raw material).

Posts are keyed on (account, platform post id): re-ingesting the same posts inserts nothing
and changes nothing, an edited post is updated, and a post that comes twice in one load is
kept once. The accounts' high-water marks (newest post stored) move forward only.

Most loads bring only new posts (the daily fetch asks the platforms only for what it has not
covered yet), so a load is first copied straight into ``post``, inside a savepoint. If any of
its posts is stored already, or repeats within the load, the primary key stops that attempt;
it is rolled back and the posts are staged with ``COPY`` and merged with one
``INSERT ... ON CONFLICT``. The accounts are checked once per load (migration
``0008.post_account_check`` replaced the per-row foreign key).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import psycopg

from presswatch import db
from presswatch.errors import PresswatchError

EXCERPT_LENGTH = 500
QUERIES = "activity/ingest"

Row = tuple[int, str, dt.datetime, str | None, str | None]


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
    """Merge ``(account_id, post)`` pairs into ``post`` in the caller's transaction.

    Raises PresswatchError, having written nothing, if a post names an account that does not
    exist. Posts load fastest grouped by account, as the fetch delivers them.
    """
    queries = db.named_queries(QUERIES)
    received: list[Row] = []
    rows = _rows(posts)
    try:
        with _savepoint(conn):  # a failed attempt leaves nothing behind
            with conn.cursor().copy(queries["copy_new"]) as copy:
                for row in rows:
                    received.append(row)
                    copy.write_row(row)
            account_ids = _check_accounts(conn, queries, received)
        inserted, updated = len(received), 0
    except psycopg.errors.UniqueViolation:
        received.extend(rows)  # the posts after the failure, had the copy stopped early
        with _savepoint(conn):
            account_ids = _check_accounts(conn, queries, received)
            inserted, updated = _merge(conn, queries, received)
    conn.execute(queries["advance_high_water_marks"], {"account_ids": account_ids})
    return LoadReport(received=len(received), inserted=inserted, updated=updated)


@contextlib.contextmanager
def _savepoint(conn: psycopg.Connection) -> Iterator[None]:
    """Undo the block's work if it fails, keeping the caller's transaction. (Unlike this,
    ``conn.transaction()`` commits on exit when the caller has not begun a transaction yet.)"""
    conn.execute("SAVEPOINT load_posts")
    try:
        yield
    except Exception:
        conn.execute("ROLLBACK TO SAVEPOINT load_posts")
        raise
    conn.execute("RELEASE SAVEPOINT load_posts")


def _rows(posts: Iterable[tuple[int, Post]]) -> Iterator[Row]:
    for account_id, post in posts:
        excerpt = post.text_excerpt[:EXCERPT_LENGTH] if post.text_excerpt else None
        yield (account_id, post.platform_post_id, post.posted_at, post.permalink, excerpt)


def _check_accounts(
    conn: psycopg.Connection, queries: dict[str, str], received: list[Row]
) -> list[int]:
    """Lock the accounts of ``received`` until commit; raise if any of them does not exist."""
    account_ids = sorted({row[0] for row in received})
    unknown = conn.execute(queries["lock_accounts"], {"account_ids": account_ids}).fetchall()
    if unknown:
        ids = [account_id for (account_id,) in unknown]
        shown = ", ".join(map(str, ids[:20])) + (", ..." if len(ids) > 20 else "")
        raise PresswatchError(
            f"posts for {len(ids)} unknown social account id(s), none loaded: {shown}"
        )
    return account_ids


def _merge(
    conn: psycopg.Connection, queries: dict[str, str], received: list[Row]
) -> tuple[int, int]:
    """Stage ``received`` and upsert it into ``post``; return (inserted, updated)."""
    conn.execute(queries["stage"])
    with conn.cursor().copy(queries["copy_stage"]) as copy:
        for row in received:
            copy.write_row(row)
    inserted, updated = conn.execute(queries["merge"]).fetchone()
    conn.execute(queries["drop_stage"])
    return inserted, updated


def record_fetch(
    conn: psycopg.Connection, account_id: int, fetched_at: dt.datetime, error: str | None = None
) -> None:
    """Remember when an account was fetched and why it failed (None: it did not)."""
    conn.execute(
        db.named_queries(QUERIES)["record_fetch"],
        {"account_id": account_id, "fetched_at": fetched_at, "error": error},
    )
