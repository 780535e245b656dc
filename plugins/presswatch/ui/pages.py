"""What each page of the presswatch view shows, read from the domain database.

Every function takes an open connection (the view's is read-only) and the page's parameters,
runs the named statements of ``sql/queries/ui/`` and returns plain values (dicts, lists,
datetimes, decimals): the HTML templates render them, and the JSON routes return them as they
are. Nothing here knows about HTTP or Airflow.

Paging: a page is ``per_page`` rows (``PER_PAGE`` by default, at most ``MAX_PER_PAGE``) at an
offset, with a count of all the rows for the pager. Lists are at most a few thousand rows (the
institutions of a rating, the open clocks of the SLA board), so an offset costs little and lets
the pager jump to any page; the orders are total (ties broken by code or id), so a row is on
exactly one page.

**The SLA board's moment.** The board shows the clocks open at a moment and each one's stage
then, from its own deadlines (``sql/queries/ui/sla.sql``), with the time left to its deadline
counted from that moment. The moment is ``at`` when given, else now. The stages are recorded
by the hourly sweep (``critical_story_sla_hourly``), so the board also gives the end of the
last hour a sweep recorded anything in (``last_sweep``) and says when the moment is more than
``STALE_AFTER`` past it: the sweep is not running (or, as in the demo, the data ends earlier),
answers given since are not seen, and the stages are the deadlines' only. The page then offers
the board as of the last sweep. The demo's data ends on 31 March 2026: as of now every clock
it left open is escalated; as of its last sweep they are at their real stages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from presswatch import db
from presswatch import settings as settings_module
from presswatch.activity.notices import PROFILE_URL
from presswatch.errors import PresswatchError
from presswatch.rating.periods import HalfYear
from presswatch.ui import chart

RATING = "ui/rating"
SLA = "ui/sla"
INSTITUTION = "ui/institution"

PER_PAGE = 50
MAX_PER_PAGE = 500
INSTITUTION_PER_PAGE = 20  # clocks and notices on an institution's page
BANDS = ("green", "yellow", "red", "unrated")
# The open stages, in the order the board lists them.
BOARD_STAGES = ("opened", "reminder", "breached", "escalated")
STALE_AFTER = dt.timedelta(hours=2)  # the sweep runs hourly: two hours without one is news
CHART_WEEKS = 12
MAX_CHART_WEEKS = 52
RATINGS_SHOWN = 4  # an institution's results in the last periods
SEARCH_MAX_CHARS = 200
# The view only reads, and a page that takes seconds is a bug: each request's connection is
# read-only and gives up on a statement after 15 s.
READ_ONLY = "-c default_transaction_read_only=on -c statement_timeout=15s"


class InvalidParameter(PresswatchError):
    """A page parameter that cannot be used (the message names it and says what is allowed)."""


class NotFound(PresswatchError):
    """What the page is about does not exist (an unknown institution code or rating)."""


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int
    total: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_item(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_item(self) -> int:
        return min(self.offset + self.per_page, self.total)

    def as_dict(self) -> dict[str, int]:
        return {
            **asdict(self),
            "pages": self.pages,
            "first_item": self.first_item,
            "last_item": self.last_item,
        }


def paging(page: int, per_page: int, total: int) -> Paging:
    if page < 1:
        raise InvalidParameter(f"page must be 1 or more, not {page}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidParameter(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page}")
    return Paging(page, per_page, total)


def search_pattern(q: str | None) -> str | None:
    """An ILIKE pattern that finds ``q`` anywhere, its own % and _ taken literally."""
    text = (q or "").strip()
    if not text:
        return None
    if len(text) > SEARCH_MAX_CHARS:
        raise InvalidParameter(f"q is at most {SEARCH_MAX_CHARS} characters")
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_moment(value: str | None, tz: dt.tzinfo) -> dt.datetime | None:
    """``at`` as an aware datetime: ISO 8601, local time in ``tz`` when it has no offset (what
    a ``datetime-local`` field sends), None when empty."""
    if value is None or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidParameter(
            f"at must be a date and time like 2026-03-31T18:00, not {value!r}"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise InvalidParameter(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def connect(url: str) -> psycopg.Connection:
    """A connection as a request of the view opens it (read-only, autocommit)."""
    return db.connect(url, autocommit=True, options=READ_ONLY)


def _rows(conn: psycopg.Connection, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(sql, params).fetchall()


def _row(conn: psycopg.Connection, sql: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
    rows = _rows(conn, sql, params)
    return rows[0] if rows else None


def _value(conn: psycopg.Connection, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    return conn.execute(sql, params).fetchone()[0]


# --- the league table (R10) -----------------------------------------------------------------


def league(
    conn: psycopg.Connection,
    *,
    period: str | None = None,
    version: int | None = None,
    band: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> dict[str, Any]:
    """One page of a rating's league table: the current rating (the newest version of the
    newest period) unless ``period`` (and ``version``) name another; ``band`` and ``q`` (code
    or any of the names) filter it."""
    queries = db.named_queries(RATING)
    try:
        label = HalfYear.parse(period).label if period else None
    except PresswatchError as exc:
        raise InvalidParameter(f"period: {exc}") from None
    if version is not None and label is None:
        raise InvalidParameter("version needs a period (e.g. period=2026-H1&version=2)")
    band = _choice("band", band, BANDS)
    pattern = search_pattern(q)
    filters = {"period": label, "version": version, "band": band, "q": (q or "").strip()}
    ratings = _rows(conn, queries["ratings"], {})
    rating = _row(conn, queries["rating"], {"period": label, "version": version})
    if rating is None:
        if label is not None:
            which = f"{label} version {version}" if version else label
            raise NotFound(f"no rating of {which} is stored")
        return {
            "rating": None,
            "ratings": ratings,
            "summary": None,
            "rows": [],
            "paging": paging(page, per_page, 0),
            "filters": filters,
        }
    params = {"rating_id": rating["id"], "band": band, "pattern": pattern}
    total = _value(conn, queries["league_count"], params)
    pages = paging(page, per_page, total)
    rows = _rows(
        conn, queries["league_page"], {**params, "limit": per_page, "offset": pages.offset}
    )
    return {
        "rating": rating,
        "ratings": ratings,
        "summary": _row(conn, queries["summary"], params),
        "rows": rows,
        "paging": pages,
        "filters": filters,
    }


# --- the SLA board (R3) ---------------------------------------------------------------------


def sla_board(
    conn: psycopg.Connection,
    *,
    at: dt.datetime | None = None,
    stage: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The clocks open at ``at`` (default: ``now``, the current time) with their stage and time
    left then, ``stage`` only when given; see the module doc for the moment and the last
    sweep."""
    stage = _choice("stage", stage, BOARD_STAGES)
    moment = at or now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise InvalidParameter("the board's moment must have a time zone")
    queries = db.named_queries(SLA)
    last_sweep = _value(conn, queries["last_sweep"])
    counts = dict.fromkeys(BOARD_STAGES, 0)
    counts.update(dict(conn.execute(queries["board_counts"], {"at": moment}).fetchall()))
    open_clocks = sum(counts.values())
    pages = paging(page, per_page, counts[stage] if stage else open_clocks)
    rows = _rows(
        conn,
        queries["board_page"],
        {"at": moment, "stage": stage, "limit": per_page, "offset": pages.offset},
    )
    return {
        "at": moment,
        "at_given": at is not None,
        "last_sweep": last_sweep,
        # The moment is well after anything a sweep recorded: the stages are the deadlines'.
        "stale": last_sweep is not None and moment - last_sweep > STALE_AFTER,
        "before_last_sweep": last_sweep is not None and moment < last_sweep,
        "counts": counts,
        "open_clocks": open_clocks,
        "stage": stage,
        "rows": rows,
        "paging": pages,
    }


# --- institutions ---------------------------------------------------------------------------


def _current_rating_id(conn: psycopg.Connection) -> int | None:
    rating = _row(conn, db.named_queries(RATING)["rating"], {"period": None, "version": None})
    return rating["id"] if rating else None


def institutions(
    conn: psycopg.Connection, *, q: str | None = None, page: int = 1, per_page: int = PER_PAGE
) -> dict[str, Any]:
    """One page of the registry's institutions (by English name), with the current rating's
    score, rank and band; ``q`` finds a code or any of the names."""
    queries = db.named_queries(INSTITUTION)
    pattern = search_pattern(q)
    total = _value(conn, queries["list_count"], {"pattern": pattern})
    pages = paging(page, per_page, total)
    rows = _rows(
        conn,
        queries["list_page"],
        {
            "pattern": pattern,
            "rating_id": _current_rating_id(conn),
            "limit": per_page,
            "offset": pages.offset,
        },
    )
    return {"rows": rows, "paging": pages, "filters": {"q": (q or "").strip()}}


def institution(
    conn: psycopg.Connection,
    code: str,
    *,
    weeks: int = CHART_WEEKS,
    sla_page: int = 1,
    notices_page: int = 1,
    per_page: int = INSTITUTION_PER_PAGE,
    settings: settings_module.Settings | None = None,
) -> dict[str, Any]:
    """An institution's page: the registry's facts, its results in the last ratings, its
    accounts with their last daily check, the weekly posts of its accounts (a chart) in the
    last ``weeks`` ISO weeks up to the last fetched day, from the first fetched one, and a page
    each of its SLA clocks and its notices."""
    if not 1 <= weeks <= MAX_CHART_WEEKS:
        raise InvalidParameter(f"weeks must be between 1 and {MAX_CHART_WEEKS}, not {weeks}")
    settings = settings or settings_module.get()
    queries = db.named_queries(INSTITUTION)
    found = _row(conn, queries["institution"], {"code": code})
    if found is None:
        raise NotFound(f"no institution with the code {code!r} in the registry")
    own = {"institution_id": found["id"]}

    accounts = _rows(conn, queries["accounts"], own)
    for account in accounts:
        account["profile_url"] = PROFILE_URL[account["platform"]].format(handle=account["handle"])

    first_covered, last_covered = conn.execute(queries["coverage"], own).fetchone()
    posting: dict[str, Any] = {"weeks": 0, "first_week": None, "last_day": None, "chart": None}
    if last_covered is not None:
        # From the week of the first fetched day (no column of weeks never fetched) to the
        # week of the last (covered_until is the exclusive end of the fetched period), at
        # most `weeks` weeks.
        first_day = first_covered.astimezone(settings.tz).date()
        last_day = (last_covered - dt.timedelta(microseconds=1)).astimezone(settings.tz).date()
        last_week = last_day - dt.timedelta(days=last_day.weekday())
        first_week = max(
            first_day - dt.timedelta(days=first_day.weekday()),
            last_week - dt.timedelta(weeks=weeks - 1),
        )
        shown = (last_week - first_week).days // 7 + 1
        weekly = _rows(
            conn,
            queries["weekly_posts"],
            {**own, "tz": settings.timezone, "last_week": last_week, "weeks": shown},
        )
        posting = {
            "weeks": shown,
            "first_week": first_week,
            "last_day": last_day,
            "chart": chart.weekly_posts(
                accounts, weekly, min_posts=settings.posting.min_posts_per_week
            ),
        }

    sla_counts = dict(conn.execute(queries["sla_counts"], own).fetchall())
    sla_paging = paging(sla_page, per_page, sum(sla_counts.values()))
    notice_counts = dict(conn.execute(queries["notice_counts"], own).fetchall())
    notice_paging = paging(notices_page, per_page, sum(notice_counts.values()))
    return {
        "institution": {k: v for k, v in found.items() if k != "id"},
        "ratings": _rows(conn, queries["ratings"], {**own, "limit": RATINGS_SHOWN}),
        "accounts": accounts,
        "posting": posting,
        "sla": {
            "counts": sla_counts,
            "rows": _rows(
                conn,
                queries["sla_page"],
                {**own, "limit": per_page, "offset": sla_paging.offset},
            ),
            "paging": sla_paging,
        },
        "notices": {
            "counts": notice_counts,
            "rows": _rows(
                conn,
                queries["notices_page"],
                {**own, "limit": per_page, "offset": notice_paging.offset},
            ),
            "paging": notice_paging,
        },
    }
