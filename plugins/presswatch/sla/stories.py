"""Ingesting stories: what a feed fetch delivered (``items.FeedFetch``) into ``story``.

One load is one feed's fetch: its items are copied into a staging table and merged with a few
set-based statements (``sql/queries/sla/stories.sql``):

- an item this feed brought before is skipped (``story_item`` remembers every item);
- an item whose normalised URL (``urls.canonical_url``), or whose title from the same source,
  is already a story is merged into that story: one more ``story_item`` row, no new story, and
  the story's ``first_seen_at`` moves back if this feed saw it earlier;
- the others become stories (two items of the load that are one story give one);
- the portal's tags become ``story_institution`` rows (``feed_tag``); a tag naming no
  institution of the registry is quarantined with its item.

**First seen.** The portal says when its crawler found a story (``collected_at``); that is when
the story was first seen, whenever we read it. A news site's feed does not say: an item is seen
when it is fetched, which for a run is the end of the hour it covers at the latest
(``seen_at``), and never before it was published. So a backfill, which reads the portal
long after the fact, sees its stories when a live run would have.

Bad items were already quarantined by the connector (``FeedFetch.quarantined``); they are
recorded here, in the same transaction as the good ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from presswatch import db, quarantine
from presswatch.errors import PresswatchError
from presswatch.quarantine import QuarantineItem
from presswatch.sla import keys
from presswatch.sla.items import FeedFetch, StoryItem
from presswatch.sla.urls import NotAWebAddress, canonical_url

log = logging.getLogger(__name__)

QUERIES = "sla/stories"
PORTAL_FEED = "portal"


@dataclass
class IngestReport:
    feed: str
    received: int = 0  # items delivered by the connector (good ones)
    new_stories: int = 0
    merged: int = 0  # new items that were an existing story (or another item of the load)
    known: int = 0  # items this feed had brought before
    quarantined: int = 0  # bad items newly recorded in quarantine
    not_modified: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Feed:
    id: int
    code: str
    kind: str
    url: str
    language: str | None
    etag: str | None
    last_modified: str | None
    cursor: str | None


def feed(conn: psycopg.Connection, code: str) -> Feed:
    row = conn.execute(db.named_queries(QUERIES)["feed_by_code"], {"code": code}).fetchone()
    if row is None:
        raise PresswatchError(f"no story feed {code!r} (feeds come from the registry's feeds.csv)")
    return Feed(row[0], code, *row[1:])


def portal_feed(conn: psycopg.Connection, url: str, name: str = "Monitoring portal") -> Feed:
    """The portal's feed row (created on first use: the portal is a connection, not a registry
    file), which keeps its cursor."""
    conn.execute(db.named_queries(QUERIES)["ensure_portal_feed"], {"name": name, "url": url})
    return feed(conn, PORTAL_FEED)


def active_feeds(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """The registry's active RSS/Atom feeds: id, code, name, url, language."""
    cursor = conn.execute(db.named_queries(QUERIES)["active_feeds"])
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _match_text(item: StoryItem, match_chars: int) -> str:
    """What matching reads (as ``sql/queries/sla/matching.sql`` builds it from a stored story)."""
    return f"{item.title} {item.summary or ''} {(item.body or '')[:match_chars]}"


def _array(keys: list[str]) -> str:
    """A text[] literal for COPY: keys are letters and digits only ([0-9a-z]), which need no
    quoting, and a literal costs a join instead of adapting every element."""
    return "{" + ",".join(keys) + "}"


def _first_seen(item: StoryItem, seen_at: dt.datetime) -> dt.datetime:
    if item.first_seen_at is not None:
        return item.first_seen_at
    return max(seen_at, item.published_at)


def ingest(
    conn: psycopg.Connection,
    target: Feed,
    fetched: FeedFetch,
    *,
    seen_at: dt.datetime,
    fetched_at: dt.datetime | None = None,
    run_id: str | None = None,
    match_chars: int | None = None,
) -> IngestReport:
    """Store one fetch of ``target`` in the caller's transaction; see the module docstring.

    ``seen_at``: when items without a detection time of their own count as first seen (the
    end of the run's hour, or the fetch time if earlier). The feed's fetch state (validators,
    cursor, status) is recorded too. New stories get their match keys (``keys``): the title,
    the summary and the first ``match_chars`` characters of the text (settings.stories).
    """
    if match_chars is None:
        from presswatch import settings

        match_chars = settings.get().stories.match_chars
    queries = db.named_queries(QUERIES)
    report = IngestReport(target.code, received=len(fetched.items))
    report.not_modified, report.error = fetched.not_modified, fetched.error
    rejected: list[QuarantineItem] = list(fetched.quarantined)
    rows = []
    match_keys = keys.story_keys(conn, [_match_text(item, match_chars) for item in fetched.items])
    for item, (plain, stem, whole) in zip(fetched.items, match_keys, strict=True):
        try:
            canonical = canonical_url(item.url)
        except NotAWebAddress as exc:
            rejected.append(QuarantineItem(f"{target.code}:items", f"url: {exc}", item.raw))
            continue
        rows.append(
            (
                item.item_key, item.url, canonical, item.title, item.source, item.language,
                item.summary, item.body, item.body_truncated, item.published_at,
                item.published_at_zone_assumed, _first_seen(item, seen_at),
                list(item.institution_codes), _array(plain), _array(stem), _array(whole),
            )
        )  # fmt: skip
    if rows:
        params = {"feed_id": target.id, "feed_code": target.code}
        conn.execute(queries["stage"])
        with conn.cursor().copy(queries["copy_stage"]) as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute(queries["distinct_items"], params)
        fresh = conn.execute("SELECT count(*) FROM load_item").fetchone()[0]
        report.known = len(rows) - fresh
        report.new_stories = len(conn.execute(queries["insert_stories"], params).fetchall())
        items = len(conn.execute(queries["insert_items"], params).fetchall())
        report.merged = items - report.new_stories
        conn.execute(queries["earliest_sighting"], params)
        conn.execute(queries["feed_tags"], params)
        for item_key, url, code in conn.execute(queries["unknown_tags"], params).fetchall():
            rejected.append(
                QuarantineItem(
                    f"{target.code}:tags",
                    f"item {item_key}: institution code {code!r} is not in the registry",
                    {"item_key": item_key, "url": url, "institution_code": code},
                )
            )
        conn.execute(queries["drop_stage"])
    report.quarantined = quarantine.record(conn, rejected, airflow_run_id=run_id)
    conn.execute(
        queries["record_fetch"],
        {
            "feed_id": target.id,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "cursor": fetched.cursor,
            "fetched_at": fetched_at or dt.datetime.now(dt.UTC),
            "status": fetched.status,
            "error": fetched.error,
        },
    )
    log.info(
        "%s: %d items, %d new stories, %d merged, %d known, %d quarantined%s",
        target.code, report.received, report.new_stories, report.merged, report.known,
        report.quarantined, " (not modified)" if report.not_modified else "",
    )  # fmt: skip
    return report
