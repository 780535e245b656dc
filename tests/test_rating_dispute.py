"""The dispute window of a rating (R10): corrections filed while it is provisional, refused
after the window, applied and logged when it becomes final; a final rating is reproduced
with them. The facts are test_rating_compute's hand-computed world (alpha and beta tie at
67.50, gamma 23.33 with R3 not applicable)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from test_rating_compute import H1, indicators, results, world  # noqa: F401 (a fixture)

from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.rating import compute as rating
from presswatch.rating import dispute

ISSUED = dt.date(2025, 7, 1)
CLOSES = ISSUED + dt.timedelta(days=10)  # the default window: corrections until 10 July


def file(conn, code: str, indicator: str, value: str, *, today: dt.date = ISSUED) -> int:
    correction = dispute.file(
        conn,
        H1,
        institution_code=code,
        indicator=indicator,
        value=dispute.parse_value(value),
        reason="the event of 20 March was held; the minutes are attached",
        evidence=["https://example.uz/minutes-2025-03-20.pdf"],
        filed_by="operator",
        today=today,
    )
    conn.commit()
    return correction


@pytest.fixture
def provisional(conn, world):  # noqa: F811 (the fixture imported above)
    report = rating.compute(conn, settings_module.get(), H1, run_id="scheduled__2025-07-01")
    window = dispute.open_window(conn, report.rating_id, ISSUED, 10, sent=True)
    conn.commit()
    assert (window.issued_on, window.closes_on) == (ISSUED, CLOSES)
    return report


def test_the_window_opens_once_and_closes_after_the_settings_days(conn, provisional):
    again = dispute.open_window(conn, provisional.rating_id, ISSUED + dt.timedelta(days=3), 30,
                                sent=False)  # fmt: skip

    assert (again.issued_on, again.closes_on, again.notices_sent) == (ISSUED, CLOSES, True)
    assert dispute.due(conn, CLOSES - dt.timedelta(days=1)) == []
    assert [w.rating_id for w in dispute.due(conn, CLOSES)] == [provisional.rating_id]


def test_a_correction_is_taken_on_the_windows_last_day_and_refused_the_day_it_closes(
    conn, provisional
):
    file(conn, "alpha", "r9", "1", today=CLOSES - dt.timedelta(days=1))

    with pytest.raises(PresswatchError, match="dispute window of 2025-H1 version 1 closed on"):
        file(conn, "beta", "r6", "1", today=CLOSES)


def test_finalizing_applies_the_filed_corrections_logs_them_and_ranks_again(conn, provisional):
    file(conn, "alpha", "media_plan", "100%")  # r9: 0.5 -> 1
    file(conn, "gamma", "r4", "0.4")
    file(conn, "gamma", "r4", "0.5")  # replaces the one before
    withdrawn = file(conn, "beta", "r6", "1")
    dispute.withdraw(conn, withdrawn)
    assert results(conn, provisional.rating_id)["alpha"][:3] == (Decimal("67.50"), 1, "yellow")

    final = rating.finalize(conn, H1)
    conn.commit()

    assert final.corrections_applied == 2
    # alpha: .675 + .10 * (1 - .5) = .725 -> 72.50, green, alone at rank 1; beta 67.50 rank 2.
    # gamma: (.175 + .10 * .5) / .75 = .225 / .75 = 30.00, still red and the lowest.
    assert results(conn, final.rating_id) == {
        "alpha": (Decimal("72.50"), 1, "green", None, None, False, []),
        "beta": (Decimal("67.50"), 2, "yellow", None, None, False, []),
        "gamma": (Decimal("30.00"), 3, "red", None, None, True,
                  ["red_band", "lowest_share"]),
    }  # fmt: skip
    assert indicators(conn, final.rating_id, "alpha")["r9"][0] == Decimal("1")
    log = {
        (c["code"], c["indicator"], c["status"]): (c["value"], c["replaced_value"])
        for c in dispute.corrections(conn, final.rating_id)
    }
    assert log == {
        ("alpha", "r9", "applied"): (Decimal("1"), Decimal("0.5")),
        ("gamma", "r4", "withdrawn"): (Decimal("0.4"), None),
        ("gamma", "r4", "applied"): (Decimal("0.5"), Decimal("0")),
        ("beta", "r6", "withdrawn"): (Decimal("1"), None),
    }
    assert dispute.window(conn, H1).status == "final"


def test_a_final_rating_with_corrections_is_reproduced_and_a_rerun_changes_nothing(
    conn, provisional
):
    file(conn, "alpha", "r9", "1")
    rating.finalize(conn, H1)
    conn.commit()

    assert rating.reproduce(conn, H1).differences == []
    assert rating.compute(conn, settings_module.get(), H1).action == "unchanged"
    with pytest.raises(PresswatchError, match="is final: corrections are taken only"):
        file(conn, "beta", "r6", "1")


def test_a_correction_can_make_an_indicator_not_applicable(conn, provisional):
    file(conn, "alpha", "r4", "n/a")

    final = rating.finalize(conn, H1)

    # alpha without R4: (.675 - .10 * .5) / .90 = .625 / .90 = 69.444 -> 69.44.
    assert results(conn, final.rating_id)["alpha"][:3] == (Decimal("69.44"), 1, "yellow")
    assert indicators(conn, final.rating_id, "alpha")["r4"][:2] == (None, None)  # no weight used


@pytest.mark.parametrize(
    ("text", "message"),
    [("1.2", "out of range"), ("-1%", "out of range"), ("lots", "is not a value")],
)
def test_a_value_out_of_range_or_unreadable_is_refused(text, message):
    with pytest.raises(PresswatchError, match=message):
        dispute.parse_value(text)


def test_an_unknown_indicator_or_institution_is_refused(conn, provisional):
    with pytest.raises(PresswatchError, match="unknown indicator 'r10'"):
        file(conn, "alpha", "r10", "1")
    with pytest.raises(PresswatchError, match="institution 'delta' is not in 2025-H1"):
        file(conn, "delta", "r1", "1")
