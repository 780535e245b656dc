"""R3's SLA clocks: one per critical (story, institution), opened and advanced in the database
as of the end of the hour being swept.

The statements are in ``sql/queries/sla/engine.sql``; the tables (``story_sla``,
``story_sla_event``) in migration ``0010.story_sla``.

**Event time, not run time.** A sweep "as of T" decides everything from the data's own times:
a story exists for it when first seen by T, a response counts when given by T, an operator's
decision when made by T. Each stage is an event row written once (``ON CONFLICT DO NOTHING``)
with ``occurred_at`` the time the rule gives it and ``recorded_at`` T. So sweeping an hour
again writes nothing, and sweeping the hours of a past week in order (a backfill) writes the
events the live runs wrote, whatever was swept before.

**Clock.** It starts at the story's publication (``sla.clock_start: detection``: when it was
first seen) and runs ``sla.response_hours`` calendar hours (``sla.calendar: working_hours``:
working hours on the Uzbek calendar, ``presswatch.sla.calendar``). Deadlines are fixed when
the clock opens, with the settings' sha256:

| stage | occurred_at | when |
|---|---|---|
| ``opened`` | first_seen_at | the story is critical as of T (an operator's decision by T wins over the score) |
| ``reminder`` | reminder_at (due − ``reminder_before_hours``) | no response by then; not for a story first seen after its deadline |
| ``breached`` | due_at | no response by then; ``detected_late`` when first seen after it |
| ``escalated`` | escalate_at (due + ``escalation_after_hours``) | no response by then |
| ``fulfilled`` / ``fulfilled_late`` | the first response | at or before due_at / after it; closes the clock |
| ``dismissed`` | decided_at | an operator dismissed the story; closes the clock, no notice |

Everything runs in the caller's transaction: the caller commits (or, in a dry run, rolls back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from presswatch import db
from presswatch.errors import PresswatchError
from presswatch.settings import Settings
from presswatch.sla import calendar

QUERIES = "sla/engine"
STAGES = ("opened", "reminder", "breached", "escalated", "fulfilled", "fulfilled_late", "dismissed")


@dataclass
class SweepReport:
    """What one sweep as of ``as_of`` did."""

    as_of: dt.datetime
    opened: int = 0  # clocks opened
    swept: int = 0  # open clocks looked at
    changed: int = 0  # clocks whose stage moved
    events: dict[str, int] = field(default_factory=dict)  # new events per stage (opened too)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "opened": self.opened,
            "swept": self.swept,
            "changed": self.changed,
            "events": dict(self.events),
        }


def _check_as_of(as_of: dt.datetime) -> None:
    if not isinstance(as_of, dt.datetime) or as_of.tzinfo is None:
        raise PresswatchError(f"as_of must be an aware datetime (the hour's end), not {as_of!r}")


def _params(
    as_of: dt.datetime, settings: Settings, codes: Sequence[str] | None, run_id: str | None
) -> dict[str, Any]:
    sla = settings.sla
    return {
        "as_of": as_of,
        "codes": list(codes) if codes is not None else None,
        "run_id": run_id,
        "critical_threshold": settings.stories.critical_threshold,
        "clock_start": sla.clock_start,
        "calendar": sla.calendar,
        "calendar_key": None,
        "reminder_hours": sla.response_hours - sla.reminder_before_hours,
        "response_hours": sla.response_hours,
        "escalate_hours": sla.response_hours + sla.escalation_after_hours,
        "settings_sha256": settings.sha256(),
    }


def open_clocks(
    conn: psycopg.Connection,
    as_of: dt.datetime,
    settings: Settings,
    *,
    codes: Sequence[str] | None = None,
    run_id: str | None = None,
) -> int:
    """Open a clock (and its ``opened`` event) for every (story, institution) critical as of
    ``as_of`` that has none; return how many were opened. ``codes``: only these institutions.

    In working-hours mode the working calendar is first made to cover the new clocks.
    """
    _check_as_of(as_of)
    queries = db.named_queries(QUERIES)
    params = _params(as_of, settings, codes, run_id)
    if settings.sla.calendar == "working_hours":
        first_start, last_start = conn.execute(queries["clock_start_span"], params).fetchone()
        if first_start is None:
            return 0
        tz = settings.tz
        reach = dt.timedelta(days=calendar.reach_days(settings, params["escalate_hours"]))
        params["calendar_key"] = calendar.ensure(
            conn,
            settings,
            first_start.astimezone(tz).date(),
            last_start.astimezone(tz).date() + reach,
        )
    try:
        return conn.execute(queries["open_clocks"], params).rowcount
    except psycopg.errors.NotNullViolation as exc:  # a deadline the calendar does not reach
        raise PresswatchError(f"opening SLA clocks as of {as_of.isoformat()}: {exc}") from exc


def sweep(
    conn: psycopg.Connection,
    as_of: dt.datetime,
    settings: Settings,
    *,
    codes: Sequence[str] | None = None,
    run_id: str | None = None,
) -> SweepReport:
    """Advance every open clock's stage as of ``as_of`` (without opening new ones)."""
    _check_as_of(as_of)
    swept, changed, written = conn.execute(
        db.named_queries(QUERIES)["advance"], _params(as_of, settings, codes, run_id)
    ).fetchone()
    return SweepReport(as_of=as_of, swept=swept, changed=changed, events=dict(written))


def advance(
    conn: psycopg.Connection,
    as_of: dt.datetime,
    settings: Settings,
    *,
    codes: Sequence[str] | None = None,
    run_id: str | None = None,
) -> SweepReport:
    """The hourly step: ``open_clocks`` as of ``as_of``, then ``sweep`` every open clock (the
    new ones too, so a story first seen after its deadline is breached in the same run).

    Returns the clocks opened and swept and the new events per stage.
    """
    opened = open_clocks(conn, as_of, settings, codes=codes, run_id=run_id)
    report = sweep(conn, as_of, settings, codes=codes, run_id=run_id)
    report.opened = opened
    if opened:
        report.events = {"opened": opened, **report.events}
    return report
