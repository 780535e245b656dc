"""Half-years and methodology versions of the rating (R10): pure functions, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.rating import methodology
from presswatch.rating.periods import HalfYear

TZ = "Asia/Tashkent"
TASHKENT = ZoneInfo(TZ)
UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-H1", HalfYear(2025, 1)),
        ("2025h2", HalfYear(2025, 2)),
        (" 2024-H2 ", HalfYear(2024, 2)),
    ],
)
def test_a_half_year_is_read_from_its_label(text, expected):
    assert HalfYear.parse(text) == expected
    assert HalfYear.parse(expected.label) == expected


@pytest.mark.parametrize("text", ["2025-H3", "2025-H0", "2025", "H1-2025", "", "2025-Q1"])
def test_a_label_that_is_no_half_year_is_an_error_saying_how_to_write_one(text):
    with pytest.raises(PresswatchError, match="e.g. 2025-H1"):
        HalfYear.parse(text)


def test_a_half_year_has_its_first_and_last_local_days():
    h1, h2 = HalfYear(2025, 1), HalfYear(2025, 2)
    assert (h1.start, h1.last_day, h1.end) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 6, 30),
        dt.date(2025, 7, 1),
    )
    assert (h2.start, h2.last_day, h2.end) == (
        dt.date(2025, 7, 1),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 1),
    )
    assert (h1.previous, h1.next, h2.next) == (HalfYear(2024, 2), h2, HalfYear(2026, 1))


@pytest.mark.parametrize(
    ("day", "ended"),
    [(dt.date(2025, 7, 1), "2025-H1"), (dt.date(2025, 6, 30), "2024-H2"),
     (dt.date(2026, 1, 1), "2025-H2"), (dt.date(2025, 12, 31), "2025-H1")],
)  # fmt: skip
def test_the_last_half_year_ended_by_a_day(day, ended):
    assert HalfYear.last_ended_before(day).label == ended


def test_the_dags_interval_is_the_half_year_between_tashkent_midnights():
    start = dt.datetime(2025, 1, 1, tzinfo=TASHKENT)
    end = dt.datetime(2025, 7, 1, tzinfo=TASHKENT)
    assert HalfYear(2025, 1).interval(TZ) == (start, end)
    # The same instants in UTC: 31 December 19:00 to 30 June 19:00.
    assert HalfYear.of_interval(start.astimezone(UTC), end.astimezone(UTC), TZ) == HalfYear(2025, 1)


def test_an_interval_between_utc_midnights_is_not_a_tashkent_half_year():
    with pytest.raises(PresswatchError, match="not a half-year in Asia/Tashkent"):
        HalfYear.of_interval(
            dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2025, 7, 1, tzinfo=UTC), TZ
        )


def test_an_interval_of_a_day_is_not_a_half_year():
    with pytest.raises(PresswatchError, match="not a half-year"):
        HalfYear.of_interval(
            dt.datetime(2025, 6, 30, tzinfo=TASHKENT), dt.datetime(2025, 7, 1, tzinfo=TASHKENT), TZ
        )


def test_the_methodology_version_changes_with_a_weight_and_not_with_unrelated_settings():
    base = settings_module.get()
    version = methodology.sha256(methodology.of_settings(base))
    assert version == methodology.sha256(methodology.of_settings(base))

    weights = base.rating.weights.model_copy(
        update={"posting_regularity": base.rating.weights.posting_regularity - 0.05,
                "responsiveness": base.rating.weights.responsiveness + 0.05}
    )  # fmt: skip
    reweighted = base.model_copy(
        update={"rating": base.rating.model_copy(update={"weights": weights})}
    )
    assert methodology.sha256(methodology.of_settings(reweighted)) != version

    renamed_agency = base.model_copy(
        update={"agency": base.agency.model_copy(update={"email": "other@aimc.example.uz"})}
    )
    assert methodology.sha256(methodology.of_settings(renamed_agency)) == version
