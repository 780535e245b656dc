"""The institutions' responses to critical stories (R3): what stops a clock.

A response is the institution's first public answer, from one of three places:

- **its own posts** (``post``, filled by the daily pipeline and, for the accounts of
  institutions with open clocks, by the hourly run): a post that links to the story (the
  story's address in its text) or names it (most of the words of its title);
- **the monitoring portal**, which records answers on every channel (websites, press releases,
  statements, comments to the media, posts);
- **an operator** (``presswatch stories respond``).

Reported and entered responses wait in ``story_response_inbox`` until checked, set-based, as of
the end of the run's hour: the story must be known (a response may arrive before its story;
it waits, up to ``WAIT_DAYS``), the institution in the registry, the response not dated before
the story, and the account it names (if any) the institution's own. A response that fails is
quarantined with the reason, and the story's clock keeps running; none is dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from presswatch import db, quarantine
from presswatch.errors import PresswatchError
from presswatch.quarantine import QuarantineItem
from presswatch.settings import Settings
from presswatch.sla.items import PortalResponse

log = logging.getLogger(__name__)

QUERIES = "sla/responses"
WAIT_DAYS = 7  # how long a response waits for its story before it is rejected
# Posts arrive within a day (the daily pipeline reads yesterday's, the hourly run the open
# clocks' accounts'): each run looks this far back for answers among them.
POST_LOOKBACK_HOURS = 48
MIN_TITLE_KEYS = 4  # a title shorter than this is too generic to be recognised in a post
CHANNELS = ("social_post", "website", "press_release", "statement", "media_comment")


@dataclass
class ResponseReport:
    received: int = 0  # new rows in the inbox
    recorded: int = 0
    already_recorded: int = 0
    rejected: int = 0
    waiting: int = 0  # their story has not arrived yet
    from_posts: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inbox_row(
    origin: str,
    external_id: str,
    *,
    institution_code: str,
    responded_at: dt.datetime,
    url: str,
    channel: str,
    payload: dict[str, Any],
    story_id: int | None = None,
    story_external_id: str | None = None,
    story_url: str | None = None,
    account: tuple[str, str] | None = None,
    entered_by: str | None = None,
) -> dict[str, Any]:
    if responded_at.tzinfo is None:
        raise PresswatchError(f"response {external_id}: its time has no time zone")
    return {
        "origin": origin,
        "external_id": external_id,
        "story_id": story_id,
        "story_external_id": story_external_id,
        "story_url": story_url,
        "institution_code": institution_code,
        "responded_at": responded_at,
        "url": url,
        "channel": channel,
        "account_platform": account[0] if account else None,
        "account_handle": account[1] if account else None,
        "entered_by": entered_by,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str),
    }


def receive_portal(conn: psycopg.Connection, responses: Iterable[PortalResponse]) -> int:
    """Put the portal's responses in the inbox (each once); return how many were new."""
    rows = [
        _inbox_row(
            "portal",
            r.external_id,
            institution_code=r.institution_code,
            responded_at=r.responded_at,
            url=r.url,
            channel=r.channel,
            payload=r.raw or asdict(r),
            story_external_id=r.story_external_id,
            story_url=_canonical_or_none(r.story_url),
            account=(r.account_platform, r.account_handle) if r.account_handle else None,
        )
        for r in responses
    ]
    return _insert(conn, rows)


def _canonical_or_none(url: str | None) -> str | None:
    from presswatch.sla.urls import NotAWebAddress, canonical_url

    if not url:
        return None
    try:
        return canonical_url(url)
    except NotAWebAddress:
        return url  # kept as given: the check will not find a story by it


def _insert(conn: psycopg.Connection, rows: Sequence[dict[str, Any]]) -> int:
    new = 0
    with conn.cursor() as cur:
        for row in rows:
            cur.execute(db.named_queries(QUERIES)["inbox_insert"], row)
            new += cur.rowcount
    return new


def enter(
    conn: psycopg.Connection,
    story_id: int,
    institution_code: str,
    *,
    url: str,
    responded_at: dt.datetime,
    channel: str = "statement",
    account: tuple[str, str] | None = None,
    entered_by: str,
) -> str:
    """Put an operator's response in the inbox; return its id (check it with ``process``)."""
    external_id = f"operator-{uuid.uuid4().hex[:12]}"
    payload = {
        "story_id": story_id, "institution_code": institution_code, "url": url,
        "responded_at": responded_at.isoformat(), "channel": channel,
        "account": "@".join(account) if account else None, "entered_by": entered_by,
    }  # fmt: skip
    _insert(
        conn,
        [
            _inbox_row(
                "operator", external_id, institution_code=institution_code,
                responded_at=responded_at, url=url, channel=channel, payload=payload,
                story_id=story_id, account=account, entered_by=entered_by,
            )
        ],
    )  # fmt: skip
    return external_id


def inbox_outcome(
    conn: psycopg.Connection, origin: str, external_id: str
) -> tuple[str | None, str | None]:
    """(outcome, reason) of one inbox row: ('recorded', None), ('rejected', why), (None, None)."""
    row = conn.execute(
        "SELECT outcome, outcome_reason FROM story_response_inbox"
        " WHERE origin = %s AND external_id = %s",
        [origin, external_id],
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def process(
    conn: psycopg.Connection,
    as_of: dt.datetime,
    settings: Settings,
    *,
    portal_feed_id: int | None = None,
    codes: Sequence[str] | None = None,
    run_id: str | None = None,
    include_posts: bool = True,
    only: Sequence[str] | None = None,
) -> ResponseReport:
    """Check the inbox and look for answers among the institutions' posts, as of ``as_of``,
    in the caller's transaction. Rejected responses go to quarantine with the reason.
    ``only``: check just these inbox entries (by external id), e.g. the one an operator entered."""
    queries = db.named_queries(QUERIES)
    params = {
        "as_of": as_of,
        "wait_days": WAIT_DAYS,
        "portal_feed_id": portal_feed_id,
        "codes": list(codes) if codes else None,
        "only": list(only) if only else None,
    }
    report = ResponseReport()
    conn.execute(queries["check_inbox"], params)
    report.waiting = conn.execute("SELECT count(*) FROM checked_response WHERE waiting").fetchone()[
        0
    ]
    conn.execute(queries["link_reported_institutions"], params)
    report.recorded = len(conn.execute(queries["record_checked"], params).fetchall())
    report.already_recorded = len(conn.execute(queries["already_recorded"], params).fetchall())
    rejected = conn.execute(queries["reject_checked"], params).fetchall()
    conn.execute(queries["drop_checked"])
    report.rejected = len(rejected)
    quarantine.record(
        conn,
        [
            QuarantineItem(f"responses:{origin}", f"response {external_id}: {reason}", payload)
            for origin, external_id, reason, payload in rejected
        ],
        airflow_run_id=run_id,
    )
    if include_posts:
        report.from_posts = len(
            conn.execute(
                queries["post_responses"],
                {
                    **params,
                    "threshold": settings.stories.critical_threshold,
                    "lookback_hours": POST_LOOKBACK_HOURS,
                    "min_title_keys": MIN_TITLE_KEYS,
                    "title_share": settings.stories.response_title_share,
                },
            ).fetchall()
        )
    log.info("responses as of %s: %s", as_of.isoformat(), report.as_dict())
    return report
