"""The semiannual rating's core (R10): presswatch.rating.compute, against real PostgreSQL.

The facts are written straight into the tables the rating reads (the daily compliance rows,
the ISO weeks, the SLA clocks, accreditation requests, media plans and events), and every
score below is worked out by hand from them with the default weights:
r1 0.15, r2 0.20, r3 0.25, r4 0.10, r5 0.05, r6 0.05, r7 0.05, r8 0.05, r9 0.10;
bands green >= 71, yellow >= 55, else red.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import psycopg
import pytest

from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.rating import compute as rating
from presswatch.rating import methodology
from presswatch.rating.periods import HalfYear

TASHKENT = dt.timezone(dt.timedelta(hours=5))
H1 = HalfYear(2025, 1)
H2_2024 = HalfYear(2024, 2)
HOUR = dt.timedelta(hours=1)

_ids = itertools.count(1)


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TASHKENT)


def add_institution(conn, code: str) -> tuple[int, int]:
    inst = conn.execute(
        "INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru,"
        " name_en) VALUES (%s, 'agency', 'national', 'N', 'N', 'N', 'N') RETURNING id",
        [code],
    ).fetchone()[0]
    head = conn.execute(
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
        " VALUES (%s, %s, 'head', 'Head Person', 'Director', 'head@example.uz') RETURNING id",
        [f"{code}-head", inst],
    ).fetchone()[0]
    return inst, head


def add_account(conn, inst: int, official: int, platform: str) -> int:
    return conn.execute(
        "INSERT INTO social_account (institution_id, official_id, platform, handle)"
        " VALUES (%s, %s, %s, %s) RETURNING id",
        [inst, official, platform, f"h{next(_ids)}"],
    ).fetchone()[0]


def add_day(
    conn,
    inst: int,
    day: str,
    *,
    missing=(),
    unverified=(),
    pool=False,
    council=False,
    wiki_missing=(),
    apps=(False, False, False),
) -> None:
    android, ios, open_data = apps
    conn.execute(
        "INSERT INTO institution_compliance_daily (day, institution_id, r1_missing_platforms,"
        " r1_unverified_platforms, r1_ok, r2_accounts_below_rolling, r4_pending_overdue,"
        " r4_decided_late, r5_pool_ok, r6_council_ok, r7_missing_wiki_langs, r8_android, r8_ios,"
        " r8_open_data, settings_sha256)"
        " VALUES (%s, %s, %s, %s, %s, 0, 0, 0, %s, %s, %s, %s, %s, %s, 'test')",
        [day, inst, list(missing), list(unverified), not missing and not unverified, pool,
         council, list(wiki_missing), android, ios, open_data],
    )  # fmt: skip


def add_week(conn, account: int, sunday: str, met: bool, *, scope: str = "account") -> None:
    """The ISO week (Monday-Sunday) ending on ``sunday``, as the Sunday's daily run writes it."""
    end = dt.date.fromisoformat(sunday)
    assert end.isoweekday() == 7
    iso = end.isocalendar()
    conn.execute(
        "INSERT INTO account_week_compliance (iso_year, iso_week, account_id, institution_id,"
        " official_id, platform, week_start, posts_in_week, scope, posts_counted, met,"
        " computed_on, settings_sha256)"
        " SELECT %s, %s, a.id, a.institution_id, a.official_id, a.platform, %s, %s, %s, %s,"
        " %s, %s, 'test' FROM social_account AS a WHERE a.id = %s",
        [iso.year, iso.week, end - dt.timedelta(days=6), 3 if met else 1, scope,
         3 if met else 1, met, end, account],
    )  # fmt: skip


def add_clock(conn, inst: int, due_at: dt.datetime, responded_at=None, *, stage=None) -> int:
    """A critical story's 24-hour clock for ``inst`` due at ``due_at``."""
    n = next(_ids)
    started = due_at - 24 * HOUR
    story = conn.execute(
        "INSERT INTO story (source, external_id, url, title, published_at, is_critical,"
        " canonical_url, title_key) VALUES ('kun.uz', %s, %s, 'T', %s, true, %s, %s)"
        " RETURNING id",
        [f"s{n}", f"https://kun.uz/{n}", started, f"https://kun.uz/{n}", f"t{n}"],
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO story_institution (story_id, institution_id, match_method)"
        " VALUES (%s, %s, 'manual')",
        [story, inst],
    )
    if stage is None:
        if responded_at is None:
            stage = "breached"
        else:
            stage = "fulfilled" if responded_at <= due_at else "fulfilled_late"
    closed = stage in ("fulfilled", "fulfilled_late", "dismissed")
    conn.execute(
        "INSERT INTO story_sla (story_id, institution_id, clock_started_at, calendar,"
        " reminder_at, due_at, escalate_at, opened_at, detected_late, stage, stage_at,"
        " first_response_at, closed_at, settings_sha256)"
        " VALUES (%s, %s, %s, 'calendar_hours', %s, %s, %s, %s, false, %s, %s, %s, %s, 'test')",
        [story, inst, started, due_at - 6 * HOUR, due_at, due_at + 24 * HOUR, started, stage,
         responded_at or due_at, responded_at, (responded_at or due_at) if closed else None],
    )  # fmt: skip
    return story


def add_request(conn, inst: int, requested_at: dt.datetime, decided_at=None) -> int:
    return conn.execute(
        "INSERT INTO accreditation_request (institution_id, external_ref, applicant_name,"
        " applicant_type, requested_at, decided_at, decision)"
        " VALUES (%s, %s, 'Applicant', 'journalist', %s, %s, %s) RETURNING id",
        [inst, f"r{next(_ids)}", requested_at, decided_at, "granted" if decided_at else None],
    ).fetchone()[0]


def add_plan(conn, inst: int, start: str, end: str) -> int:
    return conn.execute(
        "INSERT INTO media_plan (institution_id, period_start, period_end) VALUES (%s, %s, %s)"
        " RETURNING id",
        [inst, start, end],
    ).fetchone()[0]


def add_event(conn, inst: int, plan: int | None, planned_on: str | None, status: str) -> None:
    held_at = local(f"{planned_on or '2025-03-01'} 11:00") if status == "held" else None
    conn.execute(
        "INSERT INTO media_event (institution_id, media_plan_id, external_ref, kind, title,"
        " planned_on, held_at, status) VALUES (%s, %s, %s, 'briefing', 'B', %s, %s, %s)",
        [inst, plan, f"e{next(_ids)}", planned_on, held_at, status],
    )


def results(conn, rating_id: int) -> dict[str, tuple]:
    rows = conn.execute(
        "SELECT i.code, r.score, r.rank, r.band, r.previous_score, r.score_change,"
        " r.held_accountable, r.accountable_because"
        " FROM rating_result AS r JOIN institution AS i ON i.id = r.institution_id"
        " WHERE r.rating_id = %s ORDER BY i.code",
        [rating_id],
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def indicators(conn, rating_id: int, code: str) -> dict[str, tuple]:
    rows = conn.execute(
        "SELECT x.indicator, x.value, x.weight_used, x.evidence FROM rating_indicator AS x"
        " JOIN institution AS i ON i.id = x.institution_id"
        " WHERE x.rating_id = %s AND i.code = %s",
        [rating_id, code],
    ).fetchall()
    return {name: (value, weight_used, evidence) for name, value, weight_used, evidence in rows}


def snapshot(conn) -> dict[str, list[tuple]]:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()  # noqa: S608
        for table in ("rating", "rating_result", "rating_indicator")
    }


def with_weights(base, **changes):
    weights = base.rating.weights.model_copy(update=changes)
    return base.model_copy(update={"rating": base.rating.model_copy(update={"weights": weights})})


@pytest.fixture
def world(conn):
    return build_world(conn)


def build_world(conn) -> dict[str, int]:
    """Three institutions whose 2025-H1 facts give alpha and beta 67.50 (a tie) and gamma,
    which has no critical story, 23.33; and a 2024-H2 for the score changes."""
    alpha, alpha_head = add_institution(conn, "alpha")
    beta, beta_head = add_institution(conn, "beta")
    gamma, gamma_head = add_institution(conn, "gamma")

    # R1, R5-R8: two compliance days each (and one after the period, ignored).
    # alpha: R1 (4/4 + 2/4) / 2 = 0.75 (x missing, instagram unverified on day 2);
    #        R5 (1 + 0) / 2 = 0.5; R6 1; R7 (3/3 + 0/3) / 2 = 0.5; R8 (3/3 + 0/3) / 2 = 0.5.
    add_day(conn, alpha, "2025-03-02", pool=True, council=True, apps=(True, True, True))
    add_day(conn, alpha, "2025-03-03", missing=["x"], unverified=["instagram"], council=True,
            wiki_missing=["uz", "ru", "en"])  # fmt: skip
    add_day(conn, alpha, "2025-07-01", missing=["facebook", "x", "instagram", "telegram"])
    # beta: R1 1; R5 1; R6 0; R7 1; R8 (1 + 0) / 2 = 0.5.
    add_day(conn, beta, "2025-04-01", pool=True, apps=(True, True, True))
    add_day(conn, beta, "2025-04-02", pool=True)
    # gamma: R1 2/4 = 0.5 both days; R5, R6, R7, R8 0.
    for day in ("2025-05-01", "2025-05-02"):
        add_day(conn, gamma, day, missing=["facebook", "x"], wiki_missing=["uz", "ru", "en"])

    # R2: (account, week) pairs; beta's rows were computed with scope 'official'.
    # alpha: 3 of 4 pairs met = 0.75.
    a_fb, a_x = (
        add_account(conn, alpha, alpha_head, "facebook"),
        add_account(conn, alpha, alpha_head, "x"),
    )
    add_week(conn, a_fb, "2025-01-12", True)
    add_week(conn, a_x, "2025-01-12", True)
    add_week(conn, a_fb, "2025-01-19", True)
    add_week(conn, a_x, "2025-01-19", False)
    # beta: its official's two accounts count as one pair a week: 1 of 2 (official, week)
    # pairs met = 0.5.
    b_fb, b_tg = (
        add_account(conn, beta, beta_head, "facebook"),
        add_account(conn, beta, beta_head, "telegram"),
    )
    for account in (b_fb, b_tg):
        add_week(conn, account, "2025-02-02", True, scope="official")
        add_week(conn, account, "2025-02-09", False, scope="official")
    # gamma: 1 of 4 = 0.25.
    g_fb = add_account(conn, gamma, gamma_head, "facebook")
    for sunday, met in (("2025-03-02", True), ("2025-03-09", False), ("2025-03-16", False),
                        ("2025-03-23", False)):  # fmt: skip
        add_week(conn, g_fb, sunday, met)

    # R3: clocks due in the period. alpha: answered after 2, 10 and 20 hours and one not at
    # all: 3 of 4 = 0.75, median of (2, 10, 20) = 10 hours; a dismissed clock does not count.
    due = local("2025-02-01 12:00")
    for hours in (2, 10, 20):
        add_clock(conn, alpha, due, due - 24 * HOUR + hours * HOUR)
    alpha_missed = add_clock(conn, alpha, local("2025-02-05 12:00"))
    add_clock(conn, alpha, local("2025-02-06 12:00"), stage="dismissed")
    # beta: after 1 and 3 hours, after 30 hours (late), never: 2 of 4 = 0.5, median 3 hours.
    due = local("2025-03-01 09:00")
    for hours in (1, 3, 30):
        add_clock(conn, beta, due, due - 24 * HOUR + hours * HOUR)
    add_clock(conn, beta, local("2025-03-02 09:00"))
    # gamma: one clock, due in 2024-H2 (missed): none in 2025-H1, R3 not applicable there.
    add_clock(conn, gamma, local("2024-12-31 23:00"))

    # R4: requests submitted in the period, decided within 3 local days of the request's day.
    # alpha: 3 Feb -> 6 Feb in time, 10 Feb -> 14 Feb late: 1 of 2 = 0.5 (and one from
    # 2024-H2, not counted).
    add_request(conn, alpha, local("2025-02-03 10:00"), local("2025-02-06 18:00"))
    alpha_late = add_request(conn, alpha, local("2025-02-10 10:00"), local("2025-02-14 09:00"))
    add_request(conn, alpha, local("2024-12-31 23:30"), local("2025-01-10 10:00"))
    # beta: 1 of 1 = 1. gamma: one late, one undecided: 0 of 2 = 0.
    add_request(conn, beta, local("2025-05-05 10:00"), local("2025-05-05 15:00"))
    add_request(conn, gamma, local("2025-04-01 10:00"), local("2025-04-08 10:00"))
    add_request(conn, gamma, local("2025-04-02 10:00"))

    # R9: events planned for days of the period under a media plan. alpha: 2 of 4 held = 0.5
    # (an unplanned event held does not count).
    plan = add_plan(conn, alpha, "2025-01-01", "2025-06-30")
    for planned_on, status in (("2025-01-20", "held"), ("2025-02-20", "held"),
                               ("2025-03-20", "cancelled"), ("2025-04-20", "planned")):  # fmt: skip
        add_event(conn, alpha, plan, planned_on, status)
    add_event(conn, alpha, None, None, "held")
    # beta (a plan for the year): 3 of the 4 planned in H1 held = 0.75; August's not counted.
    plan = add_plan(conn, beta, "2025-01-01", "2025-12-31")
    for planned_on, status in (("2025-01-15", "held"), ("2025-02-15", "held"),
                               ("2025-03-15", "held"), ("2025-04-15", "cancelled"),
                               ("2025-08-01", "planned")):  # fmt: skip
        add_event(conn, beta, plan, planned_on, status)
    # gamma: 1 of 2 = 0.5.
    plan = add_plan(conn, gamma, "2025-01-01", "2025-06-30")
    add_event(conn, gamma, plan, "2025-02-01", "held")
    add_event(conn, gamma, plan, "2025-03-01", "planned")

    # 2024-H2: alpha one compliance day with everything (R1, R5-R8 = 1) and the request of
    # 31 December decided on 10 January (R4 = 0): (.15 + 4 * .05) / (.35 + .10) = .35 / .45
    # = 77.78; gamma only its missed clock (R3 = 0: 0.00); beta nothing (not rated).
    add_day(conn, alpha, "2024-10-01", pool=True, council=True, apps=(True, True, True))
    conn.commit()
    return {
        "alpha_missed_story": alpha_missed,
        "alpha_late_request": alpha_late,
        "alpha_x_account": a_x,
        "beta_head": beta_head,
    }


def test_scores_ranks_bands_and_accountability_match_the_hand_computation(conn, world):
    base = settings_module.get()
    previous = rating.compute(conn, base, H2_2024, run_id="manual__2025-01-01")
    assert results(conn, previous.rating_id) == {
        "alpha": (Decimal("77.78"), 1, "green", None, None, False, []),
        "beta": (None, None, None, None, None, False, []),
        # Rated: 2, lowest ceil(0.05 * 2) = 1: gamma, also red.
        "gamma": (Decimal("0.00"), 2, "red", None, None, True, ["red_band", "lowest_share"]),
    }

    report = rating.compute(conn, base, H1, run_id="scheduled__2025-07-01")
    conn.commit()

    assert (report.action, report.version, report.status) == ("created", 1, "provisional")
    assert (report.institutions, report.rated, report.held_accountable) == (3, 3, 1)
    # alpha: .15*.75 + .20*.75 + .25*.75 + .10*.5 + .05*.5 + .05*1 + .05*.5 + .05*.5 + .10*.5
    #      = .1125 + .15 + .1875 + .05 + .025 + .05 + .025 + .025 + .05 = .675 -> 67.50,
    #        against 77.78 in 2024-H2: -10.28.
    # beta:  .15*1 + .20*.5 + .25*.5 + .10*1 + .05*1 + .05*0 + .05*1 + .05*.5 + .10*.75
    #      = .15 + .10 + .125 + .10 + .05 + 0 + .05 + .025 + .075 = .675 -> 67.50: a tie,
    #        both rank 1; no 2024-H2 score, no change.
    # gamma: R3 not applicable, weights .75 left: (.15*.5 + .20*.25 + .10*0 + 0 + .10*.5) / .75
    #      = (.075 + .05 + .05) / .75 = .175 / .75 = 23.333 -> 23.33, rank 3 (after the tie),
    #        red; the lowest ceil(0.05 * 3) = 1 is gamma too; +23.33 on 2024-H2's 0.00.
    assert results(conn, report.rating_id) == {
        "alpha": (Decimal("67.50"), 1, "yellow", Decimal("77.78"), Decimal("-10.28"), False, []),
        "beta": (Decimal("67.50"), 1, "yellow", None, None, False, []),
        "gamma": (Decimal("23.33"), 3, "red", Decimal("0.00"), Decimal("23.33"), True,
                  ["red_band", "lowest_share"]),
    }  # fmt: skip

    alpha = indicators(conn, report.rating_id, "alpha")
    assert {k: v[0] for k, v in alpha.items() if k != "r3_median_response_hours"} == {
        "r1": Decimal("0.75"), "r2": Decimal("0.75"), "r3": Decimal("0.75"),
        "r4": Decimal("0.5"), "r5": Decimal("0.5"), "r6": Decimal("1"), "r7": Decimal("0.5"),
        "r8": Decimal("0.5"), "r9": Decimal("0.5"),
    }  # fmt: skip
    assert alpha["r3_median_response_hours"][0] == Decimal("10.00")
    assert alpha["r3"][2] == {
        "clocks": 4,
        "in_time": 3,
        "missed": [{"story_id": world["alpha_missed_story"], "url": alpha["r3"][2]["missed"][0]["url"],
                    "due_at": "2025-02-05T07:00:00+00:00"}],
        "more": False,
    }  # fmt: skip
    assert alpha["r4"][2]["missed"][0]["request_id"] == world["alpha_late_request"]
    assert alpha["r9"][2] | {"missed": None} == {
        "planned": 4,
        "held": 2,
        "missed": None,
        "more": False,
    }
    assert alpha["r1"][2] == {"days": 2, "period_days": 181, "days_all_present": 1,
                              "days_all_verified": 1}  # fmt: skip
    assert alpha["r2"][2] == {
        "pairs": 4,
        "pairs_met": 3,
        "missed": [
            {"scope": "account", "id": world["alpha_x_account"], "week_start": "2025-01-13"}
        ],
        "more": False,
    }
    beta = indicators(conn, report.rating_id, "beta")
    assert beta["r2"][2]["pairs"] == 2 and beta["r2"][0] == Decimal("0.5")
    # The official's pair is missed once, though both of its accounts' rows are unmet.
    assert beta["r2"][2]["missed"] == [
        {"scope": "official", "id": world["beta_head"], "week_start": "2025-02-03"}
    ]
    assert beta["r3_median_response_hours"][0] == Decimal("3.00")


def test_an_institution_without_critical_stories_has_r3_not_applicable_and_its_weight_spread(
    conn, world
):
    report = rating.compute(conn, settings_module.get(), H1)

    gamma = indicators(conn, report.rating_id, "gamma")
    assert gamma["r3"][0] is None and gamma["r3"][1] is None
    assert gamma["r3"][2]["clocks"] == 0
    assert gamma["r3_median_response_hours"][0] is None
    # The other weights over the .75 applicable: r1 .15/.75 = .2, r2 .20/.75, r9 .10/.75 ...
    assert gamma["r1"][1] == Decimal("0.2")
    assert gamma["r2"][1].quantize(Decimal("0.0001")) == Decimal("0.2667")
    assert sum(v[1] for v in gamma.values() if v[1] is not None) == pytest.approx(1)
    # ... while alpha's weights are the settings' own.
    alpha = indicators(conn, report.rating_id, "alpha")
    assert alpha["r3"][1] == Decimal("0.25")


def test_without_verification_required_an_unverified_platform_counts_as_present(conn, world):
    base = settings_module.get()
    unverified_ok = base.model_copy(
        update={"posting": base.posting.model_copy(update={"require_verified": False})}
    )

    report = rating.compute(conn, unverified_ok, H1)

    # alpha's second day: x missing, instagram unverified: 3/4 present; (1 + .75) / 2.
    alpha = indicators(conn, report.rating_id, "alpha")
    assert alpha["r1"][0] == Decimal("0.875")
    assert alpha["r1"][2]["days_all_verified"] == 1


def test_r2_evidence_lists_the_first_misses_in_week_and_scope_order_and_says_when_cut(conn):
    inst, head = add_institution(conn, "misses")
    tg, fb = add_account(conn, inst, head, "telegram"), add_account(conn, inst, head, "facebook")
    for sunday in ("2025-03-16", "2025-03-09", "2025-03-02"):
        for account in (tg, fb):
            add_week(conn, account, sunday, False)
    add_week(conn, tg, "2025-02-23", True)
    add_week(conn, fb, "2025-02-23", True)
    add_week(conn, fb, "2024-12-29", False)  # 2024-H2's
    base = settings_module.get()

    def r2(evidence_ids: int) -> dict:
        settings = base.model_copy(
            update={"rating": base.rating.model_copy(update={"evidence_ids": evidence_ids})}
        )
        report = rating.compute(conn, settings, H1, new_version=True)
        return indicators(conn, report.rating_id, "misses")["r2"][2]

    first, second = sorted((tg, fb))
    cut = r2(3)
    assert (cut["pairs"], cut["pairs_met"], cut["more"]) == (8, 2, True)
    assert cut["missed"] == [
        {"scope": "account", "id": first, "week_start": "2025-02-24"},
        {"scope": "account", "id": second, "week_start": "2025-02-24"},
        {"scope": "account", "id": first, "week_start": "2025-03-03"},
    ]
    whole = r2(6)
    assert whole["more"] is False
    assert [(m["week_start"], m["id"]) for m in whole["missed"]] == [
        (week, account)
        for week in ("2025-02-24", "2025-03-03", "2025-03-10")
        for account in (first, second)
    ]
    assert r2(0)["missed"] == []


def test_a_compliance_day_holds_only_the_platforms_and_languages_its_facts_have_bits_for(conn):
    inst, _ = add_institution(conn, "facts")
    add_day(conn, inst, "2025-03-01", missing=["x"], unverified=["telegram"], pool=True,
            wiki_missing=["en"], apps=(False, True, False))  # fmt: skip
    facts = conn.execute(
        "SELECT facts, presswatch_compliance_fact_bit('missing:x')"
        " | presswatch_compliance_fact_bit('unverified:telegram')"
        " | presswatch_compliance_fact_bit('wiki_missing:en')"
        " | presswatch_compliance_fact_bit('r5_pool_ok') | presswatch_compliance_fact_bit('r8_ios')"
        " FROM institution_compliance_daily WHERE institution_id = %s",
        [inst],
    ).fetchone()
    assert facts[0] == facts[1] and bin(facts[0]).count("1") == 5

    with pytest.raises(psycopg.errors.CheckViolation, match="platforms_known"):
        add_day(conn, inst, "2025-03-02", missing=["youtube"])
    conn.rollback()
    with pytest.raises(psycopg.errors.CheckViolation, match="wiki_langs_known"):
        add_day(conn, inst, "2025-03-03", wiki_missing=["de"])
    conn.rollback()


MONTH_COUNTS = {
    "institution_compliance_month": (
        "SELECT institution_id, month, facts, days FROM institution_compliance_month",
        "SELECT institution_id, date_trunc('month', day)::date, facts, count(*)"
        " FROM institution_compliance_daily GROUP BY 1, 2, 3",
    ),
    "account_week_month": (
        "SELECT institution_id, month, weeks, weeks_met FROM account_week_month",
        "SELECT institution_id, date_trunc('month', computed_on)::date, count(*),"
        " count(*) FILTER (WHERE met) FROM account_week_compliance WHERE scope = 'account'"
        " GROUP BY 1, 2",
    ),
}


def assert_month_counts_match(conn) -> None:
    for table, (kept, counted) in MONTH_COUNTS.items():
        assert sorted(conn.execute(kept).fetchall()) == sorted(conn.execute(counted).fetchall()), (
            table
        )


def test_the_month_counts_follow_every_change_of_the_days_and_weeks(conn, world):
    assert_month_counts_match(conn)
    alpha = conn.execute("SELECT id FROM institution WHERE code = 'alpha'").fetchone()[0]

    # A rerun of a day: its rows deleted, then written with other facts.
    conn.execute(
        "DELETE FROM institution_compliance_daily WHERE day = '2025-03-03' AND institution_id = %s",
        [alpha],
    )
    assert_month_counts_match(conn)
    add_day(conn, alpha, "2025-03-03", pool=True)
    add_day(conn, alpha, "2025-03-04", pool=True)  # the same kind: one count of two days
    assert_month_counts_match(conn)
    # An update moves a day to another kind; a week's met and scope change.
    conn.execute(
        "UPDATE institution_compliance_daily SET r6_council_ok = NOT r6_council_ok"
        " WHERE institution_id = %s AND day = '2025-03-02'",
        [alpha],
    )
    conn.execute(
        "UPDATE account_week_compliance SET met = NOT met WHERE institution_id = %s", [alpha]
    )
    assert_month_counts_match(conn)
    conn.execute(
        "UPDATE account_week_compliance SET scope = 'official' WHERE week_start = '2025-01-13'"
    )
    assert_month_counts_match(conn)
    # 3 and 4 March, the same kind of day: one count of two days.
    assert conn.execute(
        "SELECT days FROM institution_compliance_month WHERE institution_id = %s"
        " AND month = '2025-03-01' AND facts = presswatch_compliance_fact_bit('r5_pool_ok')"
        " | presswatch_compliance_facts('{}', '{}', '{}', false, false, false, false, false)",
        [alpha],
    ).fetchone() == (2,)
    # A count that falls to zero is removed.
    conn.execute("DELETE FROM account_week_compliance WHERE institution_id = %s", [alpha])
    assert not conn.execute(
        "SELECT 1 FROM account_week_month WHERE institution_id = %s", [alpha]
    ).fetchall()
    conn.execute("DELETE FROM institution_compliance_daily WHERE institution_id = %s", [alpha])
    assert not conn.execute(
        "SELECT 1 FROM institution_compliance_month WHERE institution_id = %s", [alpha]
    ).fetchall()
    assert_month_counts_match(conn)
    conn.execute("TRUNCATE institution_compliance_daily, account_week_compliance")
    assert (
        conn.execute(
            "SELECT (SELECT count(*) FROM institution_compliance_month)"
            " + (SELECT count(*) FROM account_week_month)"
        ).fetchone()[0]
        == 0
    )
    conn.rollback()


def test_indicators_belong_to_a_result_which_takes_them_along(conn, world):
    report = rating.compute(conn, settings_module.get(), H1)
    conn.commit()
    alpha, beta = (
        conn.execute("SELECT id FROM institution WHERE code = %s", [code]).fetchone()[0]
        for code in ("alpha", "beta")
    )

    # A statement with a row of no result fails whole.
    conn.execute(
        "DELETE FROM rating_indicator WHERE rating_id = %s AND institution_id = %s"
        " AND indicator = 'r1'",
        [report.rating_id, alpha],
    )
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="has no rating_result"):
        conn.execute(
            "INSERT INTO rating_indicator (rating_id, institution_id, indicator, value, weight,"
            " evidence) VALUES (%s, %s, 'r1', 1, 1, '{}'), (%s + 1000, %s, 'r1', 1, 1, '{}')",
            [report.rating_id, alpha, report.rating_id, alpha],
        )
    conn.rollback()
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="has no rating_result"):
        conn.execute(
            "UPDATE rating_indicator SET institution_id = institution_id + 1000"
            " WHERE rating_id = %s AND indicator = 'r1'",
            [report.rating_id],
        )
    conn.rollback()
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="cannot change"):
        conn.execute(
            "UPDATE rating_result SET institution_id = %s WHERE rating_id = %s"
            " AND institution_id = %s",
            [beta + 1000, report.rating_id, beta],
        )
    conn.rollback()

    conn.execute(
        "DELETE FROM rating_result WHERE rating_id = %s AND institution_id = %s",
        [report.rating_id, alpha],
    )
    left = conn.execute(
        "SELECT institution_id, count(*) FROM rating_indicator WHERE rating_id = %s"
        " GROUP BY institution_id",
        [report.rating_id],
    ).fetchall()
    assert alpha not in dict(left) and dict(left)[beta] == 10 and len(left) == 2
    conn.rollback()

    with pytest.raises(psycopg.errors.FeatureNotSupported, match="without rating_indicator"):
        conn.execute("TRUNCATE rating_result")
    conn.rollback()
    conn.execute("TRUNCATE rating_result, rating_indicator")
    assert conn.execute("SELECT count(*) FROM rating_indicator").fetchone()[0] == 0
    conn.rollback()


def test_a_rerun_of_the_period_with_the_same_methodology_changes_nothing(conn, world):
    base = settings_module.get()
    first = rating.compute(conn, base, H1, run_id="scheduled__2025-07-01")
    conn.commit()
    before = snapshot(conn)

    again = rating.compute(conn, base, H1, run_id="manual__rerun")
    conn.commit()

    assert again.action == "unchanged" and again.rating_id == first.rating_id
    assert snapshot(conn) == before  # same rows, same computed_at and run id


def test_a_weight_change_keeps_the_published_rating_and_a_new_version_is_made_on_request(
    conn, world
):
    base = settings_module.get()
    published = rating.compute(conn, base, H1)
    conn.commit()
    before = snapshot(conn)
    reweighted = with_weights(base, responsiveness=0.20, media_plan=0.15)

    with pytest.raises(PresswatchError, match="new_version=True"):
        rating.compute(conn, reweighted, H1)
    conn.rollback()
    assert snapshot(conn) == before

    second = rating.compute(conn, reweighted, H1, new_version=True)
    conn.commit()

    assert (second.action, second.version) == ("new_version", 2)
    assert second.methodology_sha256 == methodology.sha256(methodology.of_settings(reweighted))
    # alpha: .675 - .05*.75 (r3) + .05*.5 (r9) = .6625 -> 66.25;
    # beta:  .675 - .05*.5 + .05*.75 = .6875 -> 68.75, now first;
    # gamma: (.075 + .05 + .15*.5) / (1 - .20) = .20 / .80 -> 25.00.
    assert {code: row[:3] for code, row in results(conn, second.rating_id).items()} == {
        "alpha": (Decimal("66.25"), 2, "yellow"),
        "beta": (Decimal("68.75"), 1, "yellow"),
        "gamma": (Decimal("25.00"), 3, "red"),
    }
    kept = snapshot(conn)
    assert [r for r in kept["rating"] if r[0] == published.rating_id] == before["rating"]
    assert [r for r in kept["rating_result"] if r[0] == published.rating_id] == before[
        "rating_result"
    ]

    # Each methodology's rerun finds its own version.
    assert rating.compute(conn, base, H1).rating_id == published.rating_id
    assert rating.compute(conn, reweighted, H1).action == "unchanged"


def test_reproduce_recomputes_with_the_stored_methodology_and_finds_no_difference(conn, world):
    base = settings_module.get()
    first = rating.compute(conn, base, H1)
    # The settings change and a second version is published: reproducing the first uses the
    # methodology it stored, not the settings of the day.
    second = rating.compute(conn, with_weights(base, responsiveness=0.20, media_plan=0.15), H1,
                            new_version=True)  # fmt: skip
    conn.commit()

    reproduced_first = rating.reproduce(conn, H1, version=1)
    reproduced_newest = rating.reproduce(conn, H1)

    assert reproduced_first.rating_id == first.rating_id and reproduced_first.identical
    assert reproduced_newest.rating_id == second.rating_id and reproduced_newest.identical
    assert snapshot(conn)["rating"][0][0] == first.rating_id  # nothing written


def answer_in_time(conn, story_id: int) -> None:
    """The story's clock gets its response an hour before the deadline, after all."""
    conn.execute(
        "UPDATE story_sla SET first_response_at = due_at - interval '1 hour', stage = 'fulfilled',"
        " closed_at = due_at - interval '1 hour' WHERE story_id = %s",
        [story_id],
    )


def test_reproduce_shows_a_fact_changed_since_and_a_final_rating_is_kept_after(conn, world):
    base = settings_module.get()
    report = rating.compute(conn, base, H1)
    conn.commit()
    # alpha's missed clock gets a response in time after all: R3 0.75 -> 1.
    answer_in_time(conn, world["alpha_missed_story"])
    conn.commit()

    differences = rating.reproduce(conn, H1).differences
    assert {(d.side, d.indicator) for d in differences} >= {
        ("computed", None), ("stored", None), ("computed", "r3"), ("stored", "r3"),
    }  # fmt: skip

    # Finalizing computes from the facts as they are then: alpha's R3 is 1 in the final rating.
    rating.finalize(conn, H1)
    conn.commit()
    assert indicators(conn, report.rating_id, "alpha")["r3"][0] == Decimal("1")
    assert rating.compute(conn, base, H1).action == "unchanged"
    # A fact changed after: the final rating is kept as it is.
    conn.execute("DELETE FROM institution_compliance_daily WHERE day = '2025-04-02'")
    conn.commit()
    final = snapshot(conn)
    kept = rating.compute(conn, base, H1)
    conn.commit()
    assert kept.action == "final_kept" and kept.differences
    assert snapshot(conn) == final
    with pytest.raises(Exception, match="is final"):
        conn.execute("DELETE FROM rating_result WHERE rating_id = %s", [report.rating_id])
    conn.rollback()


def test_a_provisional_rating_is_updated_when_its_facts_changed(conn, world):
    base = settings_module.get()
    report = rating.compute(conn, base, H1)
    conn.commit()
    answer_in_time(conn, world["alpha_missed_story"])

    updated = rating.compute(conn, base, H1)

    assert updated.action == "updated" and updated.rating_id == report.rating_id
    # alpha: .675 + .25 * (1 - .75) = .7375 -> 73.75, green and alone at rank 1.
    assert results(conn, report.rating_id)["alpha"][:3] == (Decimal("73.75"), 1, "green")
    assert rating.reproduce(conn, H1).identical


def test_a_clock_due_at_the_last_tashkent_minute_is_the_period_s_and_at_midnight_the_next_s(conn):
    inst, _ = add_institution(conn, "edge")
    last_minute = local("2025-06-30 23:59")
    add_clock(conn, inst, last_minute, last_minute - HOUR)  # in time
    add_clock(conn, inst, local("2025-07-01 00:00"))  # missed
    settings = settings_module.get()

    first = rating.compute(conn, settings, H1)
    second = rating.compute(conn, settings, HalfYear(2025, 2))

    h1 = indicators(conn, first.rating_id, "edge")["r3"]
    h2 = indicators(conn, second.rating_id, "edge")["r3"]
    assert (h1[0], h1[2]["clocks"]) == (Decimal("1"), 1)
    assert (h2[0], h2[2]["clocks"]) == (Decimal("0"), 1)


def test_a_week_belongs_to_the_half_year_of_its_sunday(conn):
    inst, head = add_institution(conn, "weeks")
    account = add_account(conn, inst, head, "telegram")
    add_week(conn, account, "2024-06-30", True)  # Monday 24 June - Sunday 30 June 2024
    add_week(conn, account, "2024-07-07", False)  # Monday 1 July - Sunday 7 July 2024
    add_week(conn, account, "2029-07-01", True)  # Monday 25 June - Sunday 1 July 2029
    settings = settings_module.get()

    def r2(period: HalfYear) -> tuple:
        report = rating.compute(conn, settings, period)
        value, _, evidence = indicators(conn, report.rating_id, "weeks")["r2"]
        return value, evidence["pairs"]

    assert r2(HalfYear(2024, 1)) == (Decimal("1"), 1)
    assert r2(HalfYear(2024, 2)) == (Decimal("0"), 1)
    assert r2(HalfYear(2029, 1)) == (None, 0)
    assert r2(HalfYear(2029, 2)) == (Decimal("1"), 1)


def test_the_lowest_share_is_held_accountable_outside_the_red_band(conn):
    inst, _ = add_institution(conn, "solo")
    for day, pool in (("2025-01-10", True), ("2025-01-11", True), ("2025-01-12", True),
                      ("2025-01-13", False), ("2025-01-14", False)):  # fmt: skip
        add_day(conn, inst, day, pool=pool, council=True, wiki_missing=["uz", "ru", "en"],
                apps=(True, True, True))  # fmt: skip

    report = rating.compute(conn, settings_module.get(), H1)

    # R1 1, R5 3/5 = .6, R6 1, R7 0, R8 1 over the weights .35 (no R2-R4, R9):
    # (.15 + .05*.6 + .05 + 0 + .05) / .35 = .28 / .35 = 80.00, green. Rated: 1; the lowest
    # ceil(0.05 * 1) = 1 is held accountable although not red.
    assert results(conn, report.rating_id)["solo"] == (
        Decimal("80.00"), 1, "green", None, None, True, ["lowest_share"],
    )  # fmt: skip


def test_an_institution_deactivated_after_the_period_is_still_rated_for_it(conn):
    kept, _ = add_institution(conn, "kept")
    gone, _ = add_institution(conn, "gone")
    for inst in (kept, gone):
        add_day(conn, inst, "2025-03-10", pool=True, council=True, wiki_missing=[],
                apps=(True, True, True))  # fmt: skip
    # Removed from the registry folder in July 2025 (the import dates the change so).
    conn.execute("SELECT set_config('presswatch.as_of', '2025-07-15', true)")
    conn.execute("UPDATE institution SET active = false WHERE id = %s", [gone])
    conn.execute("SELECT set_config('presswatch.as_of', '', true)")

    report = rating.compute(conn, settings_module.get(), H1)

    assert results(conn, report.rating_id)["gone"][:3] == (Decimal("100.00"), 1, "green")

    # Deactivated before the next half-year began: not rated for it.
    conn.execute("SELECT set_config('presswatch.as_of', '2025-12-01', true)")
    conn.execute("UPDATE institution SET active = false WHERE id = %s", [kept])
    conn.execute("SELECT set_config('presswatch.as_of', '', true)")
    report = rating.compute(conn, settings_module.get(), HalfYear(2026, 1))
    assert set(results(conn, report.rating_id)) == set()
