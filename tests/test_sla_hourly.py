"""The hour a ``critical_story_sla_hourly`` run covers (presswatch.sla.hourly.run_hour)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from presswatch.sla.hourly import Hour, run_hour

UTC = dt.UTC
TASHKENT = ZoneInfo("Asia/Tashkent")


def test_a_run_covers_its_data_interval():
    start = dt.datetime(2026, 3, 10, 23, 0, tzinfo=TASHKENT)
    context = {"data_interval_start": start, "data_interval_end": start + dt.timedelta(hours=1)}

    hour = run_hour(context)

    assert hour == Hour(dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
                        dt.datetime(2026, 3, 10, 19, 0, tzinfo=UTC))  # fmt: skip


def test_a_run_without_an_interval_takes_the_local_hour_param():
    hour = run_hour({"params": {"hour": "2026-03-10T14:37"}})

    assert hour.start == dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert hour.end - hour.start == dt.timedelta(hours=1)


def test_a_run_without_an_interval_or_param_takes_the_hour_before_it_was_asked_for():
    asked = dt.datetime(2026, 3, 10, 9, 5, tzinfo=UTC)

    hour = run_hour({"params": {}, "dag_run": SimpleNamespace(run_after=asked)})

    assert hour.start == dt.datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def test_an_hour_survives_xcom():
    hour = Hour(dt.datetime(2026, 3, 10, 8, tzinfo=UTC), dt.datetime(2026, 3, 10, 9, tzinfo=UTC))

    assert Hour.from_dict(hour.as_dict()) == hour
