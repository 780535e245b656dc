"""The registry as of a day: what a folder no longer lists is deactivated from the import's day,
the history (migration 0014) keeps what held before, and compliance of a past day reads it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from presswatch import registry, settings
from presswatch.activity import compliance, daily
from presswatch.connectors.base import AccountFacts
from presswatch.errors import PresswatchError
from presswatch.paths import DEMO_REGISTRY

CHANGE_DAY = dt.date(2026, 3, 10)
DAY_BEFORE = CHANGE_DAY - dt.timedelta(days=1)
HANDLES = [f"acc{n}" for n in range(10)]  # one of ten is 10%: the largest share allowed

INSTITUTIONS = (
    "code,kind,parent_code,region_code,name_uz_latn,name_uz_cyrl,name_ru,name_en,website,"
    "preferred_language,active\n"
    "justice,ministry,,national,Adliya vazirligi,Адлия вазирлиги,Министерство юстиции,"
    "Ministry of Justice,,,\n"
)
OFFICIALS = (
    "code,institution_code,role,full_name,position_title,email,active\n"
    "justice.head,justice,head,Bahodir Aliyev,Vazir,head@justice.gov.example,\n"
)
ACCOUNTS_HEADER = "institution_code,official_code,platform,handle,external_id,active\n"


def write_folder(folder: Path, handles: list[str], *, accounts: bool = True) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "institutions.csv").write_text(INSTITUTIONS, encoding="utf-8")
    (folder / "officials.csv").write_text(OFFICIALS, encoding="utf-8")
    path = folder / "accounts.csv"
    if accounts:
        path.write_text(
            ACCOUNTS_HEADER + "".join(f"justice,justice.head,telegram,{h},,\n" for h in handles),
            encoding="utf-8",
        )
    elif path.exists():
        path.unlink()
    return folder


def active_on(conn: psycopg.Connection, day: dt.date) -> dict[str, bool]:
    return dict(conn.execute("SELECT handle, active FROM social_account_on(%s)", [day]).fetchall())


def history(conn: psycopg.Connection, handle: str) -> list[tuple]:
    """The account's versions: active, valid from (None: since always), valid to."""
    return conn.execute(
        "SELECT h.active, nullif(h.valid_from, '-infinity'), h.valid_to"
        " FROM social_account_history AS h"
        " JOIN social_account AS a ON a.id = h.id WHERE a.handle = %s ORDER BY h.valid_from",
        [handle],
    ).fetchall()


def compliance_accounts(conn: psycopg.Connection, day: dt.date) -> set[str]:
    """The handles the day's compliance counted (account_compliance_daily)."""
    compliance.compute_day(conn, day, settings.get())
    conn.commit()
    return {
        handle
        for (handle,) in conn.execute(
            "SELECT a.handle FROM account_compliance_daily AS d"
            " JOIN social_account AS a ON a.id = d.account_id WHERE d.day = %s",
            [day],
        )
    }


@pytest.fixture
def imported(conn, tmp_path) -> Path:
    """The full folder, imported well before the change."""
    folder = write_folder(tmp_path / "registry", HANDLES)
    registry.import_folder(conn, folder, as_of=dt.date(2026, 1, 1))
    return folder


def test_an_account_the_folder_no_longer_lists_is_deactivated_from_the_imports_day(conn, imported):
    report = registry.import_folder(conn, write_folder(imported, HANDLES[:-1]), as_of=CHANGE_DAY)

    assert report.deactivated == 1
    assert report.deactivated_keys == {"accounts.csv": ["telegram:acc9"]}
    assert "accounts.csv: unchanged 9, deactivated 1 (telegram:acc9)" in report.summary()
    assert conn.execute("SELECT active FROM social_account WHERE handle = 'acc9'").fetchone() == (
        False,
    )
    assert active_on(conn, DAY_BEFORE)["acc9"] is True
    assert active_on(conn, CHANGE_DAY)["acc9"] is False
    assert [(active, valid_to) for active, _, valid_to in history(conn, "acc9")] == [
        (True, CHANGE_DAY),  # the first version, valid since always
        (False, None),  # from the change day on
    ]
    # The compliance of the day before still counts it; of the day of the change, not.
    assert "acc9" in compliance_accounts(conn, DAY_BEFORE)
    assert compliance_accounts(conn, CHANGE_DAY) == set(HANDLES[:-1])


def test_the_first_version_of_a_row_is_valid_since_always(conn, imported):
    (valid_from,) = conn.execute(
        "SELECT DISTINCT valid_from::text FROM social_account_history"
    ).fetchone()

    assert valid_from == "-infinity"
    assert set(active_on(conn, dt.date(1990, 1, 1))) == set(HANDLES)


def test_an_account_listed_again_is_reactivated_from_that_import_s_day(conn, imported):
    registry.import_folder(conn, write_folder(imported, HANDLES[:-1]), as_of=CHANGE_DAY)
    back_on = CHANGE_DAY + dt.timedelta(days=5)

    report = registry.import_folder(conn, write_folder(imported, HANDLES), as_of=back_on)

    assert report.per_file["accounts.csv"]["updated"] == 1
    assert report.deactivated == 0
    assert active_on(conn, DAY_BEFORE)["acc9"] is True
    assert active_on(conn, back_on - dt.timedelta(days=1))["acc9"] is False
    assert active_on(conn, back_on)["acc9"] is True
    assert [row[0] for row in history(conn, "acc9")] == [True, False, True]


def _everything(conn: psycopg.Connection) -> dict[str, list[tuple]]:
    tables = ("institution", "official", "social_account", "institution_history",
              "official_history", "social_account_history", "quarantine")  # fmt: skip
    return {  # as text: psycopg has no Python date for '-infinity'
        t: conn.execute(
            sql.SQL("SELECT r::text FROM {} AS r ORDER BY 1").format(sql.Identifier(t))
        ).fetchall()
        for t in tables
    }


def test_a_dry_run_writes_nothing_and_reports_what_it_would_deactivate(conn, imported):
    before = _everything(conn)

    report = registry.import_folder(
        conn, write_folder(imported, HANDLES[:-1]), dry_run=True, as_of=CHANGE_DAY
    )

    assert report.deactivated_keys == {"accounts.csv": ["telegram:acc9"]}
    assert "deactivated 1 (telegram:acc9)" in report.summary()
    assert _everything(conn) == before


def test_deactivating_more_than_the_allowed_share_is_refused_and_writes_nothing(conn, imported):
    before = _everything(conn)
    folder = write_folder(imported, HANDLES[:-3])

    with pytest.raises(PresswatchError) as refused:
        registry.import_folder(conn, folder, as_of=CHANGE_DAY)

    message = str(refused.value)
    assert "deactivate 3 of 10 active rows (30%)" in message
    assert "max_deactivation_share (10%)" in message
    assert "--allow-mass-deactivation" in message
    assert _everything(conn) == before


def test_a_dry_run_above_the_share_says_the_import_would_be_refused(conn, imported):
    report = registry.import_folder(
        conn, write_folder(imported, HANDLES[:-3]), dry_run=True, as_of=CHANGE_DAY
    )

    assert len(report.deactivated_keys["accounts.csv"]) == 3
    assert "refused: accounts.csv: the import would deactivate 3 of 10" in report.summary()


def test_allow_mass_deactivation_overrides_the_share(conn, imported):
    report = registry.import_folder(
        conn, write_folder(imported, HANDLES[:-3]), as_of=CHANGE_DAY, allow_mass_deactivation=True
    )

    assert report.deactivated_keys["accounts.csv"] == [
        "telegram:acc7", "telegram:acc8", "telegram:acc9",
    ]  # fmt: skip
    assert [h for h, active in active_on(conn, CHANGE_DAY).items() if not active] == [
        "acc7", "acc8", "acc9",
    ]  # fmt: skip
    assert all(active_on(conn, DAY_BEFORE).values())


def test_several_changes_in_one_day_keep_one_version_for_that_day(conn, imported):
    registry.import_folder(conn, write_folder(imported, HANDLES[:-1]), as_of=CHANGE_DAY)
    registry.import_folder(conn, write_folder(imported, HANDLES), as_of=CHANGE_DAY)

    versions = history(conn, "acc9")

    assert [v for v in versions if v[1] == CHANGE_DAY] == [(True, CHANGE_DAY, None)]
    assert active_on(conn, CHANGE_DAY)["acc9"] is True
    assert active_on(conn, DAY_BEFORE)["acc9"] is True


def test_changes_without_an_effective_day_are_valid_from_today_in_tashkent(conn, imported):
    today = dt.datetime.now(settings.get().tz).date()
    conn.execute("UPDATE social_account SET active = false WHERE handle = 'acc0'")
    conn.execute("UPDATE social_account SET verified_by_registry = true WHERE handle = 'acc0'")
    conn.commit()

    assert conn.execute(
        "SELECT h.active, h.verified_by_registry, h.valid_to FROM social_account_history AS h"
        " JOIN social_account AS a ON a.id = h.id WHERE a.handle = 'acc0'"
        " AND h.valid_from = %s",
        [today],
    ).fetchall() == [(False, True, None)]


def _fetched(conn: psycopg.Connection, handle: str, day: dt.date, verified: bool) -> None:
    """Store what the daily fetch for ``day`` read about the account, as the fetch stores it."""
    (account_id,) = conn.execute(
        "SELECT id FROM social_account WHERE handle = %s", [handle]
    ).fetchone()
    facts = AccountFacts(external_id=None, verified=verified, verified_type=None, followers=7)
    daily._save(
        conn,
        [daily._Outcome(account_id=account_id, facts=facts)],
        daily.BatchReport(platform="telegram"),
        dt.datetime.now(dt.UTC),
        None,
        day,
    )
    conn.commit()


def verified_on(conn: psycopg.Connection, handle: str, day: dt.date) -> bool | None:
    return conn.execute(
        "SELECT verified FROM social_account_on(%s) WHERE handle = %s", [day, handle]
    ).fetchone()[0]


def test_a_verified_flag_the_fetch_reads_is_valid_from_the_fetchs_day(conn, imported):
    _fetched(conn, "acc0", CHANGE_DAY, verified=True)

    assert verified_on(conn, "acc0", DAY_BEFORE) is None
    assert verified_on(conn, "acc0", CHANGE_DAY) is True
    # Followers are not versioned: every day gives them as last read.
    assert conn.execute(
        "SELECT followers FROM social_account_on(%s) WHERE handle = 'acc0'", [DAY_BEFORE]
    ).fetchone() == (7,)


def test_a_fetch_for_a_day_before_a_recorded_version_does_not_rewrite_the_past(conn, imported):
    today = dt.datetime.now(settings.get().tz).date()
    _fetched(conn, "acc0", CHANGE_DAY, verified=True)

    _fetched(conn, "acc0", DAY_BEFORE, verified=False)  # a manual rerun of an older day

    assert verified_on(conn, "acc0", DAY_BEFORE) is None  # as it was seen then
    assert verified_on(conn, "acc0", CHANGE_DAY) is True
    assert verified_on(conn, "acc0", today) is False  # recorded from today


def test_followers_and_fetch_state_write_no_version(conn, imported):
    before = conn.execute("SELECT count(*) FROM social_account_history").fetchone()
    conn.execute("UPDATE social_account SET followers = 10, last_fetch_at = now()")
    conn.commit()

    assert conn.execute("SELECT count(*) FROM social_account_history").fetchone() == before


def test_an_app_the_folder_no_longer_lists_is_removed_from_the_imports_day(conn, imported):
    apps = imported / "apps.csv"
    apps.write_text(
        "institution_code,os,store_url,open_data_integrated\n"
        "justice,android,https://play.google.com/store/apps/details?id=uz.justice,true\n"
        "justice,ios,https://apps.apple.com/app/id1,false\n",
        encoding="utf-8",
    )
    registry.import_folder(conn, imported, as_of=dt.date(2026, 2, 1))
    apps.write_text(
        "institution_code,os,store_url,open_data_integrated\n"
        "justice,android,https://play.google.com/store/apps/details?id=uz.justice,true\n",
        encoding="utf-8",
    )

    report = registry.import_folder(conn, imported, as_of=CHANGE_DAY, allow_mass_deactivation=True)

    assert report.deactivated_keys == {"apps.csv": ["justice / ios"]}
    on = "SELECT os FROM mobile_app_on(%s) ORDER BY os"
    assert conn.execute(on, [DAY_BEFORE]).fetchall() == [("android",), ("ios",)]
    assert conn.execute(on, [CHANGE_DAY]).fetchall() == [("android",)]


def test_a_change_effective_before_a_recorded_version_is_refused(conn, imported):
    registry.import_folder(conn, write_folder(imported, HANDLES[:-1]), as_of=CHANGE_DAY)

    with pytest.raises(PresswatchError, match="before a version already recorded"):
        registry.import_folder(conn, write_folder(imported, HANDLES), as_of=DAY_BEFORE)


def test_a_file_left_out_of_the_folder_deactivates_nothing(conn, imported):
    report = registry.import_folder(
        conn, write_folder(imported, [], accounts=False), as_of=CHANGE_DAY
    )

    assert report.deactivated == 0
    assert report.per_file["accounts.csv"]["deactivated"] == 0
    assert "accounts.csv" not in report.summary()
    assert all(active_on(conn, CHANGE_DAY).values())
    assert conn.execute("SELECT bool_and(active) FROM social_account").fetchone() == (True,)


def _institutions(count: int) -> str:
    """justice and ``count`` more institutions."""
    return INSTITUTIONS + "".join(
        f"inst{n},agency,,national,I{n},И{n},И{n},I{n},,,\n" for n in range(count)
    )


def test_an_institution_no_longer_listed_drops_out_of_the_days_compliance(conn, tmp_path):
    folder = write_folder(tmp_path / "registry", HANDLES)
    # Eleven institutions: one removed is under the share.
    (folder / "institutions.csv").write_text(_institutions(10), encoding="utf-8")
    registry.import_folder(conn, folder, as_of=dt.date(2026, 1, 1))
    (folder / "institutions.csv").write_text(_institutions(9), encoding="utf-8")

    report = registry.import_folder(conn, folder, as_of=CHANGE_DAY)

    assert report.deactivated_keys == {"institutions.csv": ["inst9"]}
    compliance.compute_day(conn, DAY_BEFORE, settings.get())
    compliance.compute_day(conn, CHANGE_DAY, settings.get())
    conn.commit()
    counted = dict(
        conn.execute(
            "SELECT d.day, count(*) FROM institution_compliance_daily AS d GROUP BY d.day"
        ).fetchall()
    )
    assert counted == {DAY_BEFORE: 11, CHANGE_DAY: 10}


@pytest.mark.parametrize(
    "table",
    ["institution", "official", "social_account", "wikipedia_page", "mobile_app",
     "media_pool_member", "public_council_member"],
)  # fmt: skip
def test_each_on_function_gives_todays_rows_exactly(conn, table):
    registry.import_folder(conn, DEMO_REGISTRY)
    today = dt.datetime.now(settings.get().tz).date()

    current = conn.execute(
        sql.SQL("SELECT * FROM {} ORDER BY 1, 2").format(sql.Identifier(table))
    ).fetchall()
    as_of_today = conn.execute(
        sql.SQL("SELECT * FROM {}(%s) ORDER BY 1, 2").format(sql.Identifier(f"{table}_on")),
        [today],
    ).fetchall()

    assert current and as_of_today == current
