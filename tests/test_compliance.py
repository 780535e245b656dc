"""Daily compliance (R1, R2, R4-R8) computed in the database: presswatch.activity.compliance."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from presswatch import db, settings
from presswatch.activity import compliance
from presswatch.errors import PresswatchError

UTC = dt.UTC
TASHKENT = dt.timezone(dt.timedelta(hours=5))

# ISO week 46 of 2026: Monday 9 November to Sunday 15 November.
MONDAY = dt.date(2026, 11, 9)
WEDNESDAY = dt.date(2026, 11, 11)
SATURDAY = dt.date(2026, 11, 14)
SUNDAY = dt.date(2026, 11, 15)

_ids = itertools.count(1)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TASHKENT)


def add_institution(conn, code: str, *, head: bool = True) -> tuple[int, int | None]:
    inst = conn.execute(
        "INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru,"
        " name_en) VALUES (%s, 'agency', 'national', 'N', 'N', 'N', 'N') RETURNING id",
        [code],
    ).fetchone()[0]
    head_id = None
    if head:
        head_id = conn.execute(
            "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
            " VALUES (%s, %s, 'head', 'Head Person', 'Director', 'head@example.uz') RETURNING id",
            [f"{code}-head", inst],
        ).fetchone()[0]
    return inst, head_id


def add_account(
    conn,
    inst: int,
    official: int | None,
    platform: str,
    *,
    verified=True,
    active=True,
    verified_by_registry=None,
) -> int:
    return conn.execute(
        "INSERT INTO social_account (institution_id, official_id, platform, handle, verified,"
        " active, verified_by_registry) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [inst, official, platform, f"h{next(_ids)}", verified, active, verified_by_registry],
    ).fetchone()[0]


def add_posts(conn, account: int, *moments: dt.datetime) -> None:
    for moment in moments:
        conn.execute(
            "INSERT INTO post (account_id, platform_post_id, posted_at) VALUES (%s, %s, %s)",
            [account, f"p{next(_ids)}", moment],
        )


def add_request(conn, inst: int, requested_at: dt.datetime, decided_at=None) -> None:
    conn.execute(
        "INSERT INTO accreditation_request (institution_id, external_ref, applicant_name,"
        " applicant_type, requested_at, decided_at, decision)"
        " VALUES (%s, %s, 'Applicant', 'journalist', %s, %s, %s)",
        [inst, f"r{next(_ids)}", requested_at, decided_at, "granted" if decided_at else None],
    )


def add_member(conn, table: str, inst: int, member_type: str, joined_on, left_on=None) -> None:
    assert table in ("media_pool_member", "public_council_member")
    conn.execute(
        f"INSERT INTO {table} (institution_id, full_name, member_type, joined_on, left_on)"  # noqa: S608
        " VALUES (%s, %s, %s, %s, %s)",
        [inst, f"Member {next(_ids)}", member_type, joined_on, left_on],
    )


def institution_row(conn, inst: int, day: dt.date) -> dict:
    cur = conn.execute(
        "SELECT * FROM institution_compliance_daily WHERE institution_id = %s AND day = %s",
        [inst, day],
    )
    names = [c.name for c in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def week_row(conn, account: int) -> tuple:
    return conn.execute(
        "SELECT posts_in_week, met, week_start, computed_on, iso_year, iso_week"
        " FROM account_week_compliance WHERE account_id = %s",
        [account],
    ).fetchone()


def daily_row(conn, account: int, day: dt.date) -> tuple:
    return conn.execute(
        "SELECT posts_in_window, meets_rolling_window FROM account_compliance_daily"
        " WHERE account_id = %s AND day = %s",
        [account, day],
    ).fetchone()


def snapshot(conn) -> dict[str, list[tuple]]:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()  # noqa: S608
        for table in (
            "account_compliance_daily",
            "account_week_compliance",
            "institution_compliance_daily",
        )
    }


# R2: the ISO week


def test_three_posts_in_a_week_meet_the_minimum_and_two_do_not(conn):
    inst, head = add_institution(conn, "ministry")
    three = add_account(conn, inst, head, "facebook")
    two = add_account(conn, inst, head, "x")
    add_posts(conn, three, local("2026-11-09 10:00"), local("2026-11-11 10:00"),
              local("2026-11-15 10:00"))  # fmt: skip
    add_posts(conn, two, local("2026-11-10 10:00"), local("2026-11-13 10:00"))

    written = compliance.compute_day(conn, SUNDAY)

    assert written["account_week_compliance"] == 2
    assert week_row(conn, three) == (3, True, MONDAY, SUNDAY, 2026, 46)
    assert week_row(conn, two)[:2] == (2, False)


def per_official(scope: str = "official") -> settings.Settings:
    base = settings.get()
    return base.model_copy(update={"posting": base.posting.model_copy(update={"scope": scope})})


def counted(conn, account: int, day: dt.date) -> tuple:
    """(scope, posts, posts counted, met) of the week ending on ``day`` and of the day."""
    return conn.execute(
        "SELECT w.scope, w.posts_in_week, w.posts_counted, w.met,"
        "       d.scope, d.posts_in_window, d.posts_counted, d.meets_rolling_window"
        "  FROM account_week_compliance AS w"
        "  JOIN account_compliance_daily AS d ON d.account_id = w.account_id AND d.day = %s"
        " WHERE w.account_id = %s AND w.computed_on = %s",
        [day, account, day],
    ).fetchone()


def test_per_official_three_posts_across_the_heads_accounts_meet_the_minimum_for_each(conn):
    inst, head = add_institution(conn, "ministry")
    facebook = add_account(conn, inst, head, "facebook")
    x = add_account(conn, inst, head, "x")
    silent = add_account(conn, inst, head, "telegram")
    add_posts(conn, facebook, local("2026-11-09 10:00"), local("2026-11-15 23:59"))
    add_posts(conn, x, local("2026-11-12 10:00"))
    other, other_head = add_institution(conn, "committee")
    alone = add_account(conn, other, other_head, "facebook")
    add_posts(conn, alone, local("2026-11-10 10:00"), local("2026-11-11 10:00"))

    compliance.compute_day(conn, SUNDAY, settings=per_official())

    assert counted(conn, facebook, SUNDAY) == ("official", 2, 3, True, "official", 2, 3, True)
    assert counted(conn, x, SUNDAY) == ("official", 1, 3, True, "official", 1, 3, True)
    assert counted(conn, silent, SUNDAY) == ("official", 0, 3, True, "official", 0, 3, True)
    # Another official's posts are not added: two across this head's only account fail.
    assert counted(conn, alone, SUNDAY) == ("official", 2, 2, False, "official", 2, 2, False)
    assert institution_row(conn, inst, SUNDAY)["r2_accounts_below_rolling"] == 0
    assert institution_row(conn, other, SUNDAY)["r2_accounts_below_rolling"] == 1


def test_per_official_two_posts_across_the_accounts_fail_them_all(conn):
    inst, head = add_institution(conn, "ministry")
    facebook = add_account(conn, inst, head, "facebook")
    x = add_account(conn, inst, head, "x")
    add_posts(conn, facebook, local("2026-11-09 10:00"))
    add_posts(conn, x, local("2026-11-16 00:01"))  # Monday: the next week
    add_posts(conn, x, local("2026-11-15 23:59"))

    compliance.compute_day(conn, SUNDAY, settings=per_official())

    assert counted(conn, facebook, SUNDAY) == ("official", 1, 2, False, "official", 1, 2, False)
    assert counted(conn, x, SUNDAY) == ("official", 1, 2, False, "official", 1, 2, False)
    assert institution_row(conn, inst, SUNDAY)["r2_accounts_below_rolling"] == 2


def test_per_account_each_account_counts_its_own_posts(conn):
    inst, head = add_institution(conn, "ministry")
    facebook = add_account(conn, inst, head, "facebook")
    x = add_account(conn, inst, head, "x")
    add_posts(conn, facebook, local("2026-11-09 10:00"), local("2026-11-10 10:00"))
    add_posts(conn, x, local("2026-11-12 10:00"))

    compliance.compute_day(conn, SUNDAY, settings=per_official("account"))

    assert counted(conn, facebook, SUNDAY) == ("account", 2, 2, False, "account", 2, 2, False)
    assert counted(conn, x, SUNDAY) == ("account", 1, 1, False, "account", 1, 1, False)


@pytest.mark.parametrize("scope", ["account", "official"])
def test_weekly_lapse_notices_are_per_account_or_per_official(conn, scope):
    from presswatch.activity import notices as compliance_notices

    inst, head = add_institution(conn, "ministry")
    facebook = add_account(conn, inst, head, "facebook")
    x = add_account(conn, inst, head, "x")
    add_posts(conn, facebook, local("2026-11-09 10:00"))
    add_posts(conn, x, local("2026-11-10 10:00"))
    config = per_official(scope)
    compliance.compute_day(conn, SUNDAY, settings=config)

    report = compliance_notices.write_day_notices(conn, SUNDAY, config, send=False)
    again = compliance_notices.write_day_notices(conn, SUNDAY, config, send=False)

    notices = conn.execute(
        "SELECT dedup_key, body_text FROM notice WHERE kind = 'posting_lapse_weekly'"
        " ORDER BY dedup_key"
    ).fetchall()
    handles = dict(conn.execute("SELECT id, handle FROM social_account").fetchall())
    if scope == "official":
        assert [key for key, _ in notices] == [f"posting_lapse_weekly:official:{head}:2026-W46"]
        assert handles[facebook] in notices[0][1] and handles[x] in notices[0][1]
        assert "jami 2 ta post" in notices[0][1]  # the institution writes in uz-Latn
    else:
        assert [key for key, _ in notices] == sorted(
            f"posting_lapse_weekly:{account}:2026-W46" for account in (facebook, x)
        )
        assert handles[facebook] in notices[0][1] + notices[1][1]
    assert report.written == {"posting_lapse_weekly": len(notices)}
    assert again.written == {} and again.existing == {"posting_lapse_weekly": len(notices)}


def test_week_ends_at_sunday_midnight_tashkent_time(conn):
    inst, head = add_institution(conn, "ministry")
    account = add_account(conn, inst, head, "telegram")
    add_posts(
        conn,
        account,
        utc("2026-11-08 18:59"),  # Sunday 23:59 +05 of the week before: not this week
        utc("2026-11-08 19:01"),  # Monday 00:01 +05: this week
        utc("2026-11-12 06:00"),
        utc("2026-11-15 18:59"),  # Sunday 23:59 +05: this week
        utc("2026-11-15 19:01"),  # Monday 00:01 +05 of the next week: not this week
    )

    compliance.compute_day(conn, SUNDAY)

    assert week_row(conn, account)[:2] == (3, True)
    # The rolling window ending on that Sunday has the same local-time edges.
    assert daily_row(conn, account, SUNDAY) == (3, True)


def test_account_with_no_posts_has_zero_and_fails(conn):
    inst, head = add_institution(conn, "ministry")
    silent = add_account(conn, inst, head, "instagram")

    compliance.compute_day(conn, SUNDAY)

    assert week_row(conn, silent)[:2] == (0, False)
    assert daily_row(conn, silent, SUNDAY) == (0, False)
    assert institution_row(conn, inst, SUNDAY)["r2_accounts_below_rolling"] == 1


def test_the_week_is_written_only_by_the_run_for_its_sunday(conn):
    inst, head = add_institution(conn, "ministry")
    add_account(conn, inst, head, "facebook")

    written = compliance.compute_day(conn, SATURDAY)

    assert written == {
        "account_compliance_daily": 1,
        "account_week_compliance": 0,
        "institution_compliance_daily": 1,
    }
    assert conn.execute("SELECT count(*) FROM account_week_compliance").fetchone()[0] == 0


def test_rolling_window_is_the_last_seven_local_days(conn):
    inst, head = add_institution(conn, "ministry")
    account = add_account(conn, inst, head, "facebook")
    other = add_account(conn, inst, head, "x")
    # Window for Wednesday 11 Nov: [5 Nov 00:00 +05, 12 Nov 00:00 +05) = [4 Nov 19:00Z, 11 Nov 19:00Z).
    add_posts(conn, account, utc("2026-11-04 18:59"), utc("2026-11-04 19:00"),
              utc("2026-11-08 12:00"), utc("2026-11-11 18:59"), utc("2026-11-11 19:00"))  # fmt: skip
    add_posts(conn, other, utc("2026-11-04 18:59"), utc("2026-11-11 19:00"))

    compliance.compute_day(conn, WEDNESDAY)

    assert daily_row(conn, account, WEDNESDAY) == (3, True)
    assert daily_row(conn, other, WEDNESDAY) == (0, False)
    assert institution_row(conn, inst, WEDNESDAY)["r2_accounts_below_rolling"] == 1


def test_only_the_active_heads_active_accounts_are_checked(conn):
    inst, head = add_institution(conn, "ministry")
    deputy = conn.execute(
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
        " VALUES ('dep', %s, 'deputy', 'Deputy', 'Deputy', 'd@example.uz') RETURNING id",
        [inst],
    ).fetchone()[0]
    kept = add_account(conn, inst, head, "facebook")
    add_account(conn, inst, head, "x", active=False)
    add_account(conn, inst, deputy, "telegram")
    add_account(conn, inst, None, "instagram")

    compliance.compute_day(conn, WEDNESDAY)

    accounts = conn.execute("SELECT account_id FROM account_compliance_daily").fetchall()
    assert accounts == [(kept,)]


# R1


def test_unverified_and_missing_platforms_are_listed(conn):
    inst, head = add_institution(conn, "ministry")
    add_account(conn, inst, head, "facebook", verified=True)
    add_account(conn, inst, head, "x", verified=False)
    add_account(conn, inst, head, "instagram", verified=None)  # not yet known: unverified
    add_account(conn, inst, head, "telegram", active=False)  # inactive: missing

    compliance.compute_day(conn, WEDNESDAY)

    row = institution_row(conn, inst, WEDNESDAY)
    assert row["head_official_id"] == head
    assert row["r1_missing_platforms"] == ["telegram"]
    assert row["r1_unverified_platforms"] == ["x", "instagram"]
    assert row["r1_ok"] is False


def test_all_platforms_present_and_verified_pass_r1(conn):
    inst, head = add_institution(conn, "ministry")
    for platform in ("facebook", "x", "instagram", "telegram"):
        add_account(conn, inst, head, platform, verified=True)

    compliance.compute_day(conn, WEDNESDAY)

    row = institution_row(conn, inst, WEDNESDAY)
    assert (row["r1_missing_platforms"], row["r1_unverified_platforms"], row["r1_ok"]) == (
        [],
        [],
        True,
    )


def account_gaps(conn, day: dt.date) -> list[tuple]:
    """The R1 gaps the month-end notice lists (sql/queries/activity/notices.sql)."""
    query = db.named_queries("activity/notices")["account_gaps"]
    return conn.execute(query, {"day": day, "codes": None}).fetchall()


def test_instagram_unverified_by_the_platform_counts_as_verified_by_the_registry(conn):
    inst, head = add_institution(conn, "ministry")
    for platform in ("facebook", "x", "telegram"):
        add_account(conn, inst, head, platform, verified=True)
    # Instagram's API does not say: the agency's own check decides.
    instagram = add_account(conn, inst, head, "instagram", verified=None, verified_by_registry=True)

    compliance.compute_day(conn, WEDNESDAY)

    row = institution_row(conn, inst, WEDNESDAY)
    assert (row["r1_unverified_platforms"], row["r1_ok"]) == ([], True)
    assert conn.execute(
        "SELECT verified FROM account_compliance_daily WHERE account_id = %s", [instagram]
    ).fetchone() == (True,)
    assert account_gaps(conn, WEDNESDAY) == []


def test_a_platform_that_says_unverified_wins_over_the_registry(conn):
    inst, head = add_institution(conn, "ministry")
    add_account(conn, inst, head, "facebook", verified=True, verified_by_registry=False)
    x = add_account(conn, inst, head, "x", verified=False, verified_by_registry=True)
    add_account(conn, inst, head, "instagram", verified=None, verified_by_registry=False)
    add_account(conn, inst, head, "telegram", verified=True)

    compliance.compute_day(conn, WEDNESDAY)

    row = institution_row(conn, inst, WEDNESDAY)
    assert (row["r1_unverified_platforms"], row["r1_ok"]) == (["x", "instagram"], False)
    verified = dict(conn.execute(
        "SELECT platform, verified FROM account_compliance_daily WHERE institution_id = %s",
        [inst],
    ).fetchall())  # fmt: skip
    assert verified == {"facebook": True, "x": False, "instagram": False, "telegram": True}
    handles = dict(conn.execute("SELECT id, handle FROM social_account").fetchall())
    [(_, _, missing, unverified)] = account_gaps(conn, WEDNESDAY)
    assert missing == [] and unverified[0] == f"x:{handles[x]}"
    assert [item.split(":")[0] for item in unverified] == ["x", "instagram"]


def test_institution_without_a_head_misses_every_platform(conn):
    inst, _ = add_institution(conn, "agency", head=False)

    compliance.compute_day(conn, WEDNESDAY)

    row = institution_row(conn, inst, WEDNESDAY)
    assert row["head_official_id"] is None
    assert row["r1_missing_platforms"] == ["facebook", "x", "instagram", "telegram"]
    assert row["r1_ok"] is False


# R4


def test_decision_on_day_three_is_on_time_and_on_day_four_is_late(conn):
    inst, _ = add_institution(conn, "ministry")
    requested = local("2026-11-01 10:00")  # local day D = 1 Nov
    add_request(conn, inst, requested, local("2026-11-04 23:30"))  # D+3: on time
    add_request(conn, inst, requested, local("2026-11-05 00:30"))  # D+4 (4 Nov 19:30Z): late

    compliance.compute_day(conn, dt.date(2026, 11, 4))
    compliance.compute_day(conn, dt.date(2026, 11, 5))

    assert institution_row(conn, inst, dt.date(2026, 11, 4))["r4_decided_late"] == 0
    assert institution_row(conn, inst, dt.date(2026, 11, 5))["r4_decided_late"] == 1


def test_pending_on_day_three_is_not_overdue_and_on_day_four_is(conn):
    inst, _ = add_institution(conn, "ministry")
    # 31 Oct 19:30Z is 1 Nov 00:30 in Tashkent: local day D = 1 Nov.
    add_request(conn, inst, utc("2026-10-31 19:30"))
    # Decided later than the day computed: still pending on that day (a backfill agrees).
    add_request(conn, inst, utc("2026-10-31 19:30"), local("2026-11-20 12:00"))

    compliance.compute_day(conn, dt.date(2026, 11, 4))
    compliance.compute_day(conn, dt.date(2026, 11, 5))

    assert institution_row(conn, inst, dt.date(2026, 11, 4))["r4_pending_overdue"] == 0
    assert institution_row(conn, inst, dt.date(2026, 11, 5))["r4_pending_overdue"] == 2


def test_a_daily_notice_for_an_institution_without_addressees_is_stored_undeliverable(conn):
    from presswatch.activity import notices as compliance_notices

    inst, _ = add_institution(conn, "agency", head=False)
    add_request(conn, inst, local("2026-11-01 10:00"))
    compliance.compute_day(conn, dt.date(2026, 11, 5))

    report = compliance_notices.write_day_notices(
        conn, dt.date(2026, 11, 5), settings.get(), send=True
    )

    row = conn.execute(
        "SELECT kind, status, recipients, last_error, status_when_addressed, body_text FROM notice"
    ).fetchone()
    assert row[:5] == (
        "accreditation_overdue", "undeliverable", [],
        "no active head or press secretary in the registry for institution agency", "pending",
    )  # fmt: skip
    assert "Kimga: Tashkilot rahbari" in row[5]  # uz-Latn, to the head's position
    assert report.written == {"accreditation_overdue": 1}
    assert report.undeliverable == {"accreditation_overdue": 1}
    assert report.no_recipient == ["agency"]


def test_a_daily_notice_for_an_institution_without_a_head_goes_to_its_press_secretary(conn):
    from presswatch.activity import notices as compliance_notices

    inst, _ = add_institution(conn, "agency", head=False)
    conn.execute(
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
        " VALUES ('agency-press', %s, 'press_secretary', 'Press Person', 'Matbuot kotibi',"
        " 'press@example.uz')",
        [inst],
    )
    add_request(conn, inst, local("2026-11-01 10:00"))
    compliance.compute_day(conn, dt.date(2026, 11, 5))

    report = compliance_notices.write_day_notices(
        conn, dt.date(2026, 11, 5), settings.get(), send=True
    )

    status, recipients = conn.execute("SELECT status, recipients FROM notice").fetchone()
    assert (status, recipients) == ("pending", ["press@example.uz"])
    assert report.undeliverable == {} and report.no_recipient == []


# R5, R6


def test_media_pool_with_only_journalists_fails_r5(conn):
    only_journalists, _ = add_institution(conn, "ministry")
    add_member(conn, "media_pool_member", only_journalists, "journalist", MONDAY)
    add_member(conn, "media_pool_member", only_journalists, "journalist", MONDAY)
    both, _ = add_institution(conn, "committee")
    add_member(conn, "media_pool_member", both, "journalist", MONDAY)
    add_member(conn, "media_pool_member", both, "blogger", MONDAY, WEDNESDAY)  # left on the day
    former, _ = add_institution(conn, "agency")
    add_member(conn, "media_pool_member", former, "journalist", MONDAY)
    add_member(conn, "media_pool_member", former, "blogger", MONDAY, dt.date(2026, 11, 10))

    compliance.compute_day(conn, WEDNESDAY)

    assert institution_row(conn, only_journalists, WEDNESDAY)["r5_pool_ok"] is False
    assert institution_row(conn, both, WEDNESDAY)["r5_pool_ok"] is True
    assert institution_row(conn, former, WEDNESDAY)["r5_pool_ok"] is False


def test_council_with_a_blogger_passes_r6(conn):
    with_blogger, _ = add_institution(conn, "ministry")
    add_member(conn, "public_council_member", with_blogger, "expert", MONDAY)
    add_member(conn, "public_council_member", with_blogger, "blogger", MONDAY)
    experts_only, _ = add_institution(conn, "committee")
    add_member(conn, "public_council_member", experts_only, "expert", MONDAY)
    add_member(conn, "public_council_member", experts_only, "journalist", SATURDAY)  # later

    compliance.compute_day(conn, WEDNESDAY)

    assert institution_row(conn, with_blogger, WEDNESDAY)["r6_council_ok"] is True
    assert institution_row(conn, experts_only, WEDNESDAY)["r6_council_ok"] is False


# R7, R8


def test_missing_wikipedia_languages_from_titles_and_the_latest_check(conn):
    titles_only, _ = add_institution(conn, "ministry")
    conn.execute(
        "INSERT INTO wikipedia_page (institution_id, lang, title) VALUES (%s, 'uz', 'Vazirlik')",
        [titles_only],
    )
    checked, _ = add_institution(conn, "committee")
    conn.execute(
        "INSERT INTO wikipedia_page (institution_id, lang, title)"
        " VALUES (%(i)s, 'uz', 'Qoʻmita'), (%(i)s, 'en', 'Committee')",
        {"i": checked},
    )
    conn.execute(
        "INSERT INTO wikipedia_check (institution_id, lang, checked_on, page_exists) VALUES"
        " (%(i)s, 'uz', %(d)s::date - 3, true), (%(i)s, 'uz', %(d)s, false),"  # latest: gone
        " (%(i)s, 'ru', %(d)s::date - 1, true),"  # found though no title was registered
        " (%(i)s, 'en', %(d)s::date + 1, false)",  # after the day: not yet known
        {"i": checked, "d": WEDNESDAY},
    )

    compliance.compute_day(conn, WEDNESDAY)

    assert institution_row(conn, titles_only, WEDNESDAY)["r7_missing_wiki_langs"] == ["ru", "en"]
    assert institution_row(conn, checked, WEDNESDAY)["r7_missing_wiki_langs"] == ["uz"]


def test_apps_and_open_data_integration(conn):
    partial, _ = add_institution(conn, "ministry")
    conn.execute(
        "INSERT INTO mobile_app (institution_id, os, store_url, open_data_integrated) VALUES"
        " (%(i)s, 'android', 'https://play.example/a', true),"
        " (%(i)s, 'ios', 'https://apps.example/a', false)",
        {"i": partial},
    )
    integrated, _ = add_institution(conn, "committee")
    conn.execute(
        "INSERT INTO mobile_app (institution_id, os, store_url, open_data_integrated)"
        " VALUES (%s, 'android', 'https://play.example/b', true)",
        [integrated],
    )
    none, _ = add_institution(conn, "agency")

    compliance.compute_day(conn, WEDNESDAY)

    def r8(inst):
        row = institution_row(conn, inst, WEDNESDAY)
        return row["r8_android"], row["r8_ios"], row["r8_open_data"]

    assert r8(partial) == (True, True, False)
    assert r8(integrated) == (True, False, True)
    assert r8(none) == (False, False, False)


# Idempotence, restriction, settings


def _seed_two_institutions(conn):
    rows = {}
    for code in ("ministry", "committee"):
        inst, head = add_institution(conn, code)
        account = add_account(conn, inst, head, "facebook", verified=None)
        add_posts(conn, account, local("2026-11-10 09:00"), local("2026-11-14 09:00"))
        add_request(conn, inst, local("2026-11-01 09:00"))
        add_member(conn, "media_pool_member", inst, "journalist", MONDAY)
        rows[code] = (inst, account)
    return rows


def test_rerunning_a_day_leaves_identical_rows_and_other_days_untouched(conn):
    _seed_two_institutions(conn)
    compliance.compute_day(conn, SATURDAY)
    compliance.compute_day(conn, SUNDAY)
    before = snapshot(conn)
    assert all(before.values())

    again = compliance.compute_day(conn, SUNDAY)

    assert snapshot(conn) == before
    assert again == {
        "account_compliance_daily": 2,
        "account_week_compliance": 2,
        "institution_compliance_daily": 2,
    }
    # New facts change only the day recomputed: a flag read on Sunday (the registry's history
    # dates it so; changed "today", it would not touch a past day at all).
    conn.execute("SELECT set_config('presswatch.as_of', %s, true)", [SUNDAY.isoformat()])
    conn.execute("UPDATE social_account SET verified = true")
    conn.execute("SELECT set_config('presswatch.as_of', '', true)")
    compliance.compute_day(conn, SUNDAY)
    after = snapshot(conn)
    saturday = "SELECT * FROM institution_compliance_daily WHERE day = %s ORDER BY 2"
    assert conn.execute(saturday, [SATURDAY]).fetchall() == [
        r for r in before["institution_compliance_daily"] if r[0] == SATURDAY
    ]
    assert after != before


def test_institution_codes_restrict_the_rewrite(conn):
    seeded = _seed_two_institutions(conn)
    compliance.compute_day(conn, SUNDAY)
    ministry_account = seeded["ministry"][1]
    committee_account = seeded["committee"][1]
    add_posts(conn, ministry_account, local("2026-11-15 09:00"))
    add_posts(conn, committee_account, local("2026-11-15 09:00"))

    written = compliance.compute_day(conn, SUNDAY, institution_codes=["ministry"])

    assert written == {
        "account_compliance_daily": 1,
        "account_week_compliance": 1,
        "institution_compliance_daily": 1,
    }
    assert week_row(conn, ministry_account)[:2] == (3, True)
    assert week_row(conn, committee_account)[:2] == (2, False)
    assert daily_row(conn, ministry_account, SUNDAY) == (3, True)
    assert daily_row(conn, committee_account, SUNDAY) == (2, False)
    assert conn.execute("SELECT count(*) FROM institution_compliance_daily").fetchone()[0] == 2


def test_rows_store_the_settings_fingerprint_and_follow_the_settings(conn):
    inst, head = add_institution(conn, "ministry")
    account = add_account(conn, inst, head, "facebook", verified=False)
    add_posts(conn, account, local("2026-11-10 09:00"), local("2026-11-11 09:00"))
    base = settings.get()
    lenient = base.model_copy(
        update={
            "posting": base.posting.model_copy(
                update={
                    "min_posts_per_week": 2,
                    "require_verified": False,
                    "required_platforms": ("facebook",),
                }  # fmt: skip
            )
        }
    )

    compliance.compute_day(conn, SUNDAY, settings=lenient)

    row = institution_row(conn, inst, SUNDAY)
    assert row["settings_sha256"] == lenient.sha256() != base.sha256()
    assert row["r1_ok"] is True and row["r1_unverified_platforms"] == ["facebook"]
    assert week_row(conn, account)[:2] == (2, True)
    shas = conn.execute(
        "SELECT DISTINCT settings_sha256 FROM account_compliance_daily"
        " UNION SELECT DISTINCT settings_sha256 FROM account_week_compliance"
    ).fetchall()
    assert shas == [(lenient.sha256(),)]


def test_a_timestamp_is_refused_as_the_day(conn):
    with pytest.raises(PresswatchError, match="datetime.date"):
        compliance.compute_day(conn, dt.datetime(2026, 11, 15, 0, 0))


def test_explain_day_reports_every_statement_and_writes_nothing(conn):
    inst, head = add_institution(conn, "ministry")
    add_account(conn, inst, head, "facebook")

    text = compliance.explain_day(conn, SUNDAY)

    for name in ("insert_account_daily", "insert_account_week", "insert_institution_daily"):
        assert f"-- {name}" in text
    assert "actual time" in text
    assert snapshot(conn) == dict.fromkeys(snapshot(conn), [])
