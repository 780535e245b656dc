"""One day's compliance with R1, R2 and R4-R8, computed in the database.

The statements are in ``sql/queries/activity/compliance.sql``.

``day`` is a calendar day in the settings' time zone (Asia/Tashkent): the daily DAG's data
interval ``[day 00:00+05, day+1 00:00+05)``. ``compute_day`` replaces that day's rows
(delete, then insert) inside the caller's transaction, so a rerun or a backfill leaves exactly
what one run leaves; each row stores the sha256 of the settings it was computed with.

Tables (migration ``0005.compliance``):

- ``account_compliance_daily``: per active account of each institution's active head, the
  posts in the rolling ``posting.rolling_window_days`` local days ending at the end of ``day``
  and whether they reach ``posting.min_posts_per_week`` (R2's daily warning).
- ``account_week_compliance``: per such account and ISO week (Monday-Sunday, local time), the
  posts in the week and whether they reach ``min_posts_per_week``. The week is written by the
  run whose ``day`` is its Sunday: that run starts after midnight on Monday, the day after the
  week ended, when the week is complete. Runs for other days leave this table alone.
  In both tables ``posts_counted`` is what the minimum is checked against: with
  ``posting.scope`` ``account`` the account's own posts; with ``official`` its official's posts
  on all of their accounts (an official's accounts then meet the minimum or miss it together).
- ``institution_compliance_daily``: R1, R2 (accounts below the rolling window), R4-R8.

The registry is read as it was on ``day`` (institutions, officials, accounts, Wikipedia
titles, apps, media pool, council: the ``*_on(day)`` functions of migration
``0014.registry_history``), so a backfill counts an account deactivated since. The facts read
from the platforms (verified flags, followers) have no history: a backfill uses what was last
fetched (each ``account_compliance_daily`` row keeps the verified flag its run used).
"""

from __future__ import annotations

import datetime as dt

import psycopg

from presswatch import db
from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.settings import Settings

QUERIES = "activity/compliance"

# Statements in the order they run; the week pair runs only when ``day`` is a Sunday.
_DAILY = ("delete_account_daily", "insert_account_daily")
_WEEKLY = ("delete_account_week", "insert_account_week")
_INSTITUTION = ("delete_institution_daily", "insert_institution_daily")
_WRITTEN = {
    "insert_account_daily": "account_compliance_daily",
    "insert_account_week": "account_week_compliance",
    "insert_institution_daily": "institution_compliance_daily",
}


def _params(
    day: dt.date, settings: Settings, institution_codes: list[str] | None
) -> dict[str, object]:
    return {
        "day": day,
        "tz": settings.timezone,
        "codes": list(institution_codes) if institution_codes is not None else None,
        "window_days": settings.posting.rolling_window_days,
        "min_posts": settings.posting.min_posts_per_week,
        "scope": settings.posting.scope,
        "require_verified": settings.posting.require_verified,
        "platforms": list(settings.posting.required_platforms),
        "wiki_langs": list(settings.wikipedia.languages),
        "max_days": settings.accreditation.max_days,
        "settings_sha256": settings.sha256(),
    }


def _statements(day: dt.date) -> list[str]:
    names = list(_DAILY)
    if day.isoweekday() == 7:
        names += _WEEKLY
    return names + list(_INSTITUTION)


def _check_day(day: dt.date) -> None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise PresswatchError(f"day must be a datetime.date (a local calendar day), not {day!r}")


def compute_day(
    conn: psycopg.Connection,
    day: dt.date,
    settings: Settings | None = None,
    institution_codes: list[str] | None = None,
) -> dict[str, int]:
    """Replace ``day``'s compliance rows (only ``institution_codes``' when given).

    Runs in the caller's transaction (commit is the caller's). Returns the rows written per
    table; ``account_week_compliance`` is 0 unless ``day`` is a Sunday.
    """
    _check_day(day)
    settings = settings or settings_module.get()
    params = _params(day, settings, institution_codes)
    queries = db.named_queries(QUERIES)
    written = dict.fromkeys(_WRITTEN.values(), 0)
    for name in _statements(day):
        cursor = conn.execute(queries[name], params)
        if name in _WRITTEN:
            written[_WRITTEN[name]] = cursor.rowcount
    return written


def explain_day(
    conn: psycopg.Connection,
    day: dt.date,
    settings: Settings | None = None,
    institution_codes: list[str] | None = None,
) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement ``compute_day`` runs, for manual checks
    at scale. The statements really run, inside a savepoint that is rolled back."""
    _check_day(day)
    settings = settings or settings_module.get()
    params = _params(day, settings, institution_codes)
    queries = db.named_queries(QUERIES)
    parts = []
    with conn.transaction(force_rollback=True):
        for name in _statements(day):
            rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + queries[name], params).fetchall()
            parts.append(f"-- {name}\n" + "\n".join(row[0] for row in rows))
    return "\n\n".join(parts) + "\n"
