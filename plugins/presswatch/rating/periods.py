"""Half-years, the rating's periods (R10): ``2025-H1`` is 1 January to 30 June 2025 and
``2025-H2`` 1 July to 31 December, local days in the settings' time zone (Asia/Tashkent).

The rating DAG runs on 1 January and 1 July at local midnight for the half-year just ended,
which is its data interval; ``HalfYear.of_interval`` turns that interval back into the period
and refuses one that is not exactly a half-year (a wrong timetable, a hand-made run), rather
than rate some other span.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from presswatch.errors import PresswatchError

_LABEL = re.compile(r"^\s*(\d{4})-?H([12])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1: January-June, 2: July-December

    def __post_init__(self) -> None:
        if self.half not in (1, 2):
            raise PresswatchError(f"a half-year is 1 or 2, not {self.half}")
        if not 2000 <= self.year <= 2999:
            raise PresswatchError(f"year {self.year} is out of range")

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        """``2025-H1`` (or ``2025h1``)."""
        found = _LABEL.match(text or "")
        if not found:
            raise PresswatchError(
                f"not a half-year: {text!r} (write the year and H1 or H2, e.g. 2025-H1)"
            )
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def containing(cls, day: dt.date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def last_ended_before(cls, day: dt.date) -> HalfYear:
        """The last half-year that ended on or before ``day`` (on 1 July 2025: 2025-H1)."""
        return cls.containing(day).previous

    @classmethod
    def of_interval(cls, start: dt.datetime, end: dt.datetime, timezone: str) -> HalfYear:
        """The half-year whose local days are exactly [start, end) in ``timezone``."""
        zone = ZoneInfo(timezone)
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        period = cls.containing(local_start.date())
        if (local_start, local_end) != period.interval(timezone):
            raise PresswatchError(
                f"the data interval {start.isoformat()} - {end.isoformat()} is not a half-year in"
                f" {timezone} (a half-year starts at local midnight on 1 January or 1 July)"
            )
        return period

    @property
    def label(self) -> str:
        return f"{self.year}-H{self.half}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period (exclusive)."""
        return self.next.start

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def previous(self) -> HalfYear:
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    @property
    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def interval(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """[local midnight of the first day, local midnight after the last day)."""
        zone = ZoneInfo(timezone)
        return (
            dt.datetime.combine(self.start, dt.time(), zone),
            dt.datetime.combine(self.end, dt.time(), zone),
        )

    def __str__(self) -> str:
        return self.label
