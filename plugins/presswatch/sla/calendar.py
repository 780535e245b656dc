"""Working time on the Uzbek calendar, for the SLA's working-hours mode
(``sla.calendar: working_hours``).

A working day is an ISO weekday of ``sla.working_hours.weekdays`` that is not a public holiday
of the ``holidays`` library's calendar of ``sla.holidays.country`` (Uzbekistan: the public
holidays, the Monday a holiday on a weekend moves to, the days off it knows were declared), nor
one of ``sla.holidays.extra_days_off``; a weekend day is one when the library knows it was
declared a working day (a Saturday worked in place of a bridge day) or when it is one of
``sla.holidays.extra_working_days``. Its working time is ``working_hours.start``-``end`` in the
settings' time zone.

The intervals are stored in ``work_calendar_interval`` under a ``calendar_key``: the sha256 of
everything that defines them (those settings and the library's version), so a change of any of
them is another calendar, and a clock keeps the deadlines it was opened with. Each interval
carries the working seconds before it, counted from the calendar's first stored day, so that
"N working hours after t" is two index lookups in SQL (``sql/queries/sla/engine.sql`` for
opening clocks in bulk, ``add_working_hours`` here for one instant). Whole years are stored,
built on first use and rebuilt whole when an earlier year is needed (positions are only ever
compared within one calendar, never stored elsewhere).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib.metadata import version

import holidays
import psycopg

from presswatch import db
from presswatch.errors import PresswatchError
from presswatch.settings import Settings

QUERIES = "sla/calendar"


def definition(settings: Settings) -> dict:
    """What the calendar's intervals depend on (hashed into its key)."""
    sla = settings.sla
    return {
        "timezone": settings.timezone,
        "start": sla.working_hours.start.isoformat(),
        "end": sla.working_hours.end.isoformat(),
        "weekdays": sorted(sla.working_hours.weekdays),
        "country": sla.holidays.country,
        "extra_days_off": sorted(day.isoformat() for day in sla.holidays.extra_days_off),
        "extra_working_days": sorted(day.isoformat() for day in sla.holidays.extra_working_days),
        # A newer library may know other holidays: that is another calendar.
        "holidays_version": version("holidays"),
    }


def calendar_key(settings: Settings) -> str:
    canonical = json.dumps(definition(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def working_days(settings: Settings, first_year: int, last_year: int) -> list[dt.date]:
    """The working days of the years ``first_year``..``last_year``, in order."""
    config = settings.sla.holidays
    weekdays = set(settings.sla.working_hours.weekdays)
    public = holidays.country_holidays(config.country, years=range(first_year, last_year + 1))
    days_off = set(config.extra_days_off)
    declared_working = set(config.extra_working_days) | set(public.weekend_workdays)
    day = dt.date(first_year, 1, 1)
    last = dt.date(last_year, 12, 31)
    days = []
    while day <= last:
        regular = day.isoweekday() in weekdays and day not in public
        if day in declared_working or (regular and day not in days_off):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def intervals(
    settings: Settings, first_year: int, last_year: int
) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """(start, end, working seconds before it) of every working day of the years, in UTC."""
    hours = settings.sla.working_hours
    tz = settings.tz
    rows = []
    before = 0
    for day in working_days(settings, first_year, last_year):
        start = dt.datetime.combine(day, hours.start, tzinfo=tz).astimezone(dt.UTC)
        end = dt.datetime.combine(day, hours.end, tzinfo=tz).astimezone(dt.UTC)
        rows.append((start, end, before))
        before += int((end - start).total_seconds())
    return rows


def ensure(conn: psycopg.Connection, settings: Settings, start: dt.date, end: dt.date) -> str:
    """Make the calendar of ``settings`` cover the local dates ``start``..``end`` (whole years);
    return its key. Idempotent; runs in the caller's transaction."""
    if end < start:
        raise PresswatchError(f"calendar range ends before it starts: {start} to {end}")
    key = calendar_key(settings)
    queries = db.named_queries(QUERIES)
    conn.execute(queries["lock"], {"calendar_key": key})
    first_stored, last_stored = conn.execute(
        queries["stored_span"], {"calendar_key": key}
    ).fetchone()
    first_year, last_year = start.year, end.year
    if first_stored is not None:
        stored = (
            first_stored.astimezone(settings.tz).year,
            last_stored.astimezone(settings.tz).year,
        )
        if stored[0] <= first_year and last_year <= stored[1]:
            return key
        first_year, last_year = min(first_year, stored[0]), max(last_year, stored[1])
    rows = intervals(settings, first_year, last_year)
    conn.execute(queries["delete"], {"calendar_key": key})
    conn.execute(
        queries["insert"],
        {
            "calendar_key": key,
            "starts_at": [row[0] for row in rows],
            "ends_at": [row[1] for row in rows],
            "working_seconds_before": [row[2] for row in rows],
        },
    )
    return key


def add_working_hours(
    conn: psycopg.Connection, settings: Settings, start: dt.datetime, hours: float
) -> dt.datetime:
    """The instant ``hours`` working hours after ``start`` (building the calendar as needed).

    A start outside working time counts from the next working moment; a result that falls
    exactly at the end of a working day is that day's end, not the next morning.
    """
    if start.tzinfo is None:
        raise PresswatchError(f"start must be an aware datetime, not {start!r}")
    local = start.astimezone(settings.tz).date()
    # Enough for any deadline the settings allow (response + escalation hours at the fewest
    # working hours a week), plus a month for holidays.
    span = dt.timedelta(days=reach_days(settings, hours))
    key = ensure(conn, settings, local, local + span)
    (instant,) = conn.execute(
        db.named_queries(QUERIES)["add_working_hours"],
        {"calendar_key": key, "start": start, "hours": hours},
    ).fetchone()
    if instant is None:
        raise PresswatchError(f"the working calendar does not reach {hours} hours after {start}")
    return instant


def reach_days(settings: Settings, hours: float) -> int:
    """Calendar days that surely hold ``hours`` working hours after any instant."""
    working = settings.sla.working_hours
    day_seconds = (
        dt.datetime.combine(dt.date.min, working.end)
        - dt.datetime.combine(dt.date.min, working.start)
    ).total_seconds()
    week_hours = day_seconds * len(set(working.weekdays)) / 3600
    weeks = -(-hours // week_hours)  # ceiling
    return int(weeks) * 7 + 31
