"""Registry import: validation, quarantine with reasons, normalisation, idempotence."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from presswatch import registry
from presswatch.errors import PresswatchError
from presswatch.paths import DEMO_REGISTRY

BAD = Path(__file__).parent / "data" / "registry_with_bad_rows"
REGISTRY_TABLES = (
    "institution", "official", "social_account", "wikipedia_page", "mobile_app",
    "media_pool_member", "public_council_member", "quarantine",
)  # fmt: skip


def snapshot(conn: psycopg.Connection) -> dict[str, list[tuple]]:
    """Every row of every registry table, timestamps included, in a stable order."""
    return {
        table: conn.execute(
            sql.SQL("SELECT * FROM {} ORDER BY 1, 2, 3").format(sql.Identifier(table))
        ).fetchall()
        for table in REGISTRY_TABLES
    }


def test_good_rows_load_and_each_bad_row_is_quarantined_with_file_line_and_field(conn):
    report = registry.import_folder(conn, BAD)

    assert (report.loaded, report.updated, report.unchanged) == (13, 0, 0)
    assert report.quarantined == 13
    assert {r.split(":")[0] for r in report.reasons} == {
        "institutions.csv line 5, field region_code",
        "institutions.csv line 6, field code",
        "institutions.csv line 7, field parent_code",
        "officials.csv line 4, field role",
        "officials.csv line 5, field institution_code",
        "officials.csv line 6, field email",
        "accounts.csv line 5, field platform",
        "accounts.csv line 6, field official_code",
        "accounts.csv line 7, field handle",
        "wikipedia.csv line 3, field lang",
        "apps.csv line 3, field store_url",
        "media_pool.csv line 3, field left_on",
        "council.csv line 3, field full_name",
    }
    stored = conn.execute(
        "SELECT source, reason, raw_payload FROM quarantine ORDER BY id"
    ).fetchall()
    assert len(stored) == 13
    email_row = next(r for r in stored if "field email" in r[1])
    assert email_row[0] == "registry:registry_with_bad_rows/officials.csv"
    assert "not-an-email" in email_row[1] and "not-an-email" in email_row[2]
    assert conn.execute("SELECT count(*) FROM institution").fetchone()[0] == 3
    assert conn.execute(
        "SELECT p.code FROM institution i JOIN institution p ON p.id = i.parent_id"
        " WHERE i.code = 'kuvasay_city'"
    ).fetchone() == ("fergana_reg",)


def test_importing_the_same_folder_twice_changes_nothing(conn):
    registry.import_folder(conn, BAD)
    before = snapshot(conn)

    second = registry.import_folder(conn, BAD)

    assert (second.loaded, second.updated, second.unchanged) == (0, 0, 13)
    assert second.quarantined == 13 and second.newly_quarantined == 0
    assert snapshot(conn) == before


def test_a_changed_row_is_updated_and_the_rest_unchanged(conn, tmp_path):
    folder = tmp_path / "registry"
    shutil.copytree(BAD, folder)
    registry.import_folder(conn, folder)
    officials = folder / "officials.csv"
    officials.write_text(
        officials.read_text().replace("press@justice.gov.example", "matbuot@justice.gov.example")
    )

    report = registry.import_folder(conn, folder)

    assert report.per_file["officials.csv"]["updated"] == 1
    assert report.loaded == 0 and report.updated == 1
    assert conn.execute("SELECT email FROM official WHERE code = 'justice.press'").fetchone() == (
        "matbuot@justice.gov.example",
    )


def test_uzbek_apostrophes_are_stored_as_modifier_letters(conn):
    registry.import_folder(conn, BAD)

    names = dict(conn.execute("SELECT code, full_name FROM official").fetchall())
    assert names["justice.head"] == "Bahodir G\u02bbaniyev"  # typed with U+2018
    assert names["justice.press"] == "Dilnoza Yo\u02bbldosheva"  # typed with a backtick
    region_name = conn.execute(
        "SELECT name_uz_latn FROM institution WHERE code = 'fergana_reg'"
    ).fetchone()[0]
    assert region_name == "Farg\u02bbona viloyati hokimligi"


def test_profile_urls_and_at_signs_become_handles(conn):
    registry.import_folder(conn, BAD)

    handles = set(conn.execute("SELECT platform, handle FROM social_account").fetchall())
    assert handles == {("facebook", "adliyauz"), ("telegram", "adliyauz"), ("x", "Adliya_UZ")}


def test_a_head_can_be_replaced_in_one_import(conn, tmp_path):
    registry.import_folder(conn, BAD)
    folder = tmp_path / "registry"
    folder.mkdir()
    shutil.copy(BAD / "institutions.csv", folder)
    (folder / "officials.csv").write_text(
        "code,institution_code,role,full_name,position_title,email,active\n"
        "justice.head,justice,head,Bahodir G'aniyev,Vazir,head@justice.gov.example,false\n"
        "justice.newhead,justice,head,Yangi Rahbar,Vazir,new@justice.gov.example,\n"
        # Still listed, so not deactivated (a file lists every official it manages).
        "justice.press,justice,press_secretary,Dilnoza Yo`ldosheva,Matbuot kotibi,"
        "press@justice.gov.example,\n"
        "kuvasay.press,kuvasay_city,press_secretary,Madina Karimova,Пресс-секретарь,"
        "press@kuvasay.gov.example,\n"
    )

    report = registry.import_folder(conn, folder)

    assert report.per_file["officials.csv"]["quarantined"] == 0
    heads = conn.execute(
        "SELECT code FROM official WHERE role = 'head' AND active ORDER BY code"
    ).fetchall()
    assert [h[0] for h in heads] == ["justice.newhead"]


def test_a_second_active_head_in_a_later_import_is_quarantined(conn, tmp_path):
    registry.import_folder(conn, BAD)
    folder = tmp_path / "registry"
    folder.mkdir()
    shutil.copy(BAD / "institutions.csv", folder)
    # BAD's officials (the serving head still listed, so not deactivated) and a second head.
    (folder / "officials.csv").write_text(
        (BAD / "officials.csv").read_text(encoding="utf-8")
        + "justice.other,justice,head,Boshqa Rahbar,Vazir,other@justice.gov.example,\n",
        encoding="utf-8",
    )

    report = registry.import_folder(conn, folder)

    assert report.per_file["officials.csv"]["quarantined"] == 4  # BAD's 3 and the new head
    assert report.reasons[-1].startswith("officials.csv line 8, field role")
    assert "already has an active head (justice.head)" in report.reasons[-1]


def test_a_parent_cycle_is_quarantined(conn, tmp_path):
    folder = tmp_path / "registry"
    folder.mkdir()
    header = "code,kind,parent_code,region_code,name_uz_latn,name_uz_cyrl,name_ru,name_en,website,preferred_language,active\n"
    (folder / "institutions.csv").write_text(
        header
        + "a,agency,b,national,A,А,А,A,,,\n"
        + "b,agency,a,national,B,Б,Б,B,,,\n"
        + "c,agency,,national,C,Ц,Ц,C,,,\n"
    )

    report = registry.import_folder(conn, folder)

    assert report.loaded == 1 and report.quarantined == 2
    assert all("makes a cycle" in reason for reason in report.reasons)


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("institutions.csv", "code,kind\njustice,ministry\n", "missing column(s) parent_code"),
        ("unknown.csv", "a\n1\n", "unknown registry file(s) unknown.csv"),
    ],
)
def test_a_malformed_folder_is_a_clear_error_and_writes_nothing(
    conn, tmp_path, file, text, message
):
    folder = tmp_path / "registry"
    shutil.copytree(BAD, folder)
    (folder / file).write_text(text)

    with pytest.raises(PresswatchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        registry.import_folder(conn, folder)

    assert conn.execute("SELECT count(*) FROM institution").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0


def _cli(*args: str, env_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRESSWATCH_DB_URL": env_url}
    return subprocess.run(
        [sys.executable, "-m", "presswatch.cli", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_cli_exits_non_zero_when_rows_are_quarantined_and_prints_counts(clean_db):
    result = _cli("registry", "import", str(BAD), env_url=clean_db)

    assert result.returncode == 3, result.stderr
    assert "loaded 13, updated 0, unchanged 0, quarantined 13" in result.stdout
    assert "officials.csv line 6, field email" in result.stdout


def test_cli_reports_a_missing_folder_in_one_line(clean_db, tmp_path):
    result = _cli("registry", "import", str(tmp_path / "nowhere"), env_url=clean_db)

    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("presswatch: error: registry folder not found")


def test_the_demo_registry_imports_without_quarantine(conn):
    report = registry.import_folder(conn, DEMO_REGISTRY)

    assert report.quarantined == 0, report.reasons
    assert report.loaded > 100
    assert report.updated == 0 and report.unchanged == 0  # every row is new in an empty database
    assert registry.import_folder(conn, DEMO_REGISTRY).unchanged == report.loaded


# --- accounts.csv `verified`: the agency's own check -------------------------------------

ACCOUNTS_HEADER = "institution_code,official_code,platform,handle,external_id,active,verified\n"


def _registry_with_accounts(tmp_path: Path, accounts: str) -> Path:
    folder = tmp_path / "registry"
    folder.mkdir(exist_ok=True)
    for name in ("institutions.csv", "officials.csv"):
        shutil.copy(BAD / name, folder)
    (folder / "accounts.csv").write_text(ACCOUNTS_HEADER + accounts)
    return folder


def _registry_checks(conn) -> dict[str, tuple]:
    return {
        f"{platform}:{handle}": (verified, by_registry)
        for platform, handle, verified, by_registry in conn.execute(
            "SELECT platform, handle, verified, verified_by_registry FROM social_account"
        )
    }


def test_registry_verified_check_goes_to_its_own_column_and_a_bad_value_is_quarantined(
    conn, tmp_path
):
    folder = _registry_with_accounts(
        tmp_path,
        "justice,justice.head,instagram,adliya_vaziri,,,yes\n"
        "justice,,instagram,adliyauz,,,No\n"
        "justice,justice.head,facebook,adliyauz,123456789012345,,\n"
        "justice,justice.press,instagram,matbuot,,,maybe\n",
    )

    report = registry.import_folder(conn, folder)

    accounts = report.per_file["accounts.csv"]
    assert (accounts["loaded"], accounts["quarantined"]) == (3, 1)
    assert "accounts.csv line 5, field verified: 'maybe' is not true or false" in report.reasons
    assert _registry_checks(conn) == {
        "instagram:adliya_vaziri": (None, True),
        "instagram:adliyauz": (None, False),
        "facebook:adliyauz": (None, None),  # empty: not checked
    }


def test_registry_never_overwrites_the_platforms_verified_flag(conn, tmp_path):
    registry.import_folder(
        conn,
        _registry_with_accounts(
            tmp_path,
            "justice,justice.head,facebook,adliyauz,123456789012345,,\n"
            "justice,justice.head,instagram,adliya_vaziri,,,true\n",
        ),
    )
    # What the daily fetch stores from the platform.
    conn.execute("UPDATE social_account SET verified = true WHERE platform = 'facebook'")
    conn.commit()

    changed = registry.import_folder(
        conn,
        _registry_with_accounts(
            tmp_path,
            "justice,justice.head,facebook,adliyauz,123456789012345,,no\n"
            "justice,justice.head,instagram,adliya_vaziri,,,\n",
        ),
    )

    accounts = changed.per_file["accounts.csv"]
    assert (accounts["updated"], accounts["unchanged"]) == (2, 0)
    assert _registry_checks(conn) == {
        "facebook:adliyauz": (True, False),
        "instagram:adliya_vaziri": (None, None),
    }
    again = registry.import_folder(conn, tmp_path / "registry")
    accounts = again.per_file["accounts.csv"]
    assert (accounts["updated"], accounts["unchanged"]) == (0, 2)


def test_accounts_csv_may_leave_out_the_verified_column(conn):
    report = registry.import_folder(conn, BAD)  # its accounts.csv has no `verified`

    assert report.per_file["accounts.csv"]["loaded"] == 3
    assert set(_registry_checks(conn).values()) == {(None, None)}


# --- feeds.csv and aliases.csv (R3) ----------------------------------------------------------

FEEDS_HEADER = "code,name,url,language,active\n"
ALIASES_HEADER = "institution_code,alias,kind,language\n"


def _registry_with(tmp_path: Path, **files: str) -> Path:
    """BAD's institutions.csv and the given files (feeds="...", aliases="...")."""
    folder = tmp_path / "registry"
    folder.mkdir(exist_ok=True)
    shutil.copy(BAD / "institutions.csv", folder)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_feeds_load_and_each_bad_feed_row_is_quarantined_with_file_line_and_field(conn, tmp_path):
    conn.execute(
        "INSERT INTO story_feed (code, kind, name, url) VALUES"
        " ('portal', 'portal', 'Monitoring portal', 'https://portal.example/api')"
    )
    conn.commit()
    folder = _registry_with(
        tmp_path,
        feeds=FEEDS_HEADER
        + "kun_uz,Kun.uz,https://kun.uz/news/rss,uz-Latn,true\n"
        + "gazeta_ru,Gazeta.uz ,http://127.0.0.1:8765/feeds/gazeta,ru,\n"
        + "Bad Code,X,https://x.example/rss,,\n"
        + "nourl,X,ftp://x.example/rss,,\n"
        + "klingon,X,https://k.example/rss,tlh,\n"
        + "kun_uz,Again,https://kun.uz/other/rss,,\n"
        + "same_url,Same,https://kun.uz/news/rss,,\n"
        + "portal,Portal,https://portal.example/rss,,\n"
        + "paused,Paused,https://paused.example/rss,en,false\n",
    )

    report = registry.import_folder(conn, folder)

    feeds = report.per_file["feeds.csv"]
    assert (feeds["loaded"], feeds["quarantined"]) == (3, 6)
    assert {r.split(":")[0] for r in report.reasons if r.startswith("feeds.csv")} == {
        "feeds.csv line 4, field code", "feeds.csv line 5, field url",
        "feeds.csv line 6, field language", "feeds.csv line 7, field code",
        "feeds.csv line 8, field url", "feeds.csv line 9, field code",
    }  # fmt: skip
    assert "feeds.csv line 9, field code: 'portal' is the monitoring portal's feed code" in (
        report.reasons
    )
    assert conn.execute(
        "SELECT code, kind, name, url, language, active FROM story_feed ORDER BY code"
    ).fetchall() == [
        ("gazeta_ru", "rss", "Gazeta.uz", "http://127.0.0.1:8765/feeds/gazeta", "ru", True),
        ("kun_uz", "rss", "Kun.uz", "https://kun.uz/news/rss", "uz-Latn", True),
        ("paused", "rss", "Paused", "https://paused.example/rss", "en", False),
        ("portal", "portal", "Monitoring portal", "https://portal.example/api", None, True),
    ]
    again = registry.import_folder(conn, folder)
    assert again.per_file["feeds.csv"]["unchanged"] == 3
    assert again.loaded == again.updated == 0


def test_a_feed_whose_url_changes_forgets_what_its_last_fetch_saw(conn, tmp_path):
    registry.import_folder(
        conn, _registry_with(tmp_path, feeds=FEEDS_HEADER + "kun_uz,Kun.uz,https://kun.uz/rss,,\n")
    )
    conn.execute("UPDATE story_feed SET etag = '\"abc\"', last_modified = 'Mon, 03 Mar 2025'")
    conn.commit()

    renamed = registry.import_folder(
        conn, _registry_with(tmp_path, feeds=FEEDS_HEADER + "kun_uz,Kun,https://kun.uz/rss,,\n")
    )
    kept = conn.execute("SELECT etag, last_modified FROM story_feed").fetchone()
    moved = registry.import_folder(
        conn, _registry_with(tmp_path, feeds=FEEDS_HEADER + "kun_uz,Kun,https://kun.uz/v2/rss,,\n")
    )

    assert renamed.per_file["feeds.csv"]["updated"] == 1
    assert kept == ('"abc"', "Mon, 03 Mar 2025")
    assert moved.per_file["feeds.csv"]["updated"] == 1
    assert conn.execute("SELECT url, etag, last_modified FROM story_feed").fetchone() == (
        "https://kun.uz/v2/rss", None, None,
    )  # fmt: skip


def test_aliases_load_with_their_keys_and_each_bad_alias_row_is_quarantined(conn, tmp_path):
    folder = _registry_with(
        tmp_path,
        aliases=ALIASES_HEADER
        + "justice,Adliya,short_name,uz-Latn\n"
        + "justice,Huquqiy axborot markazi,extra,\n"
        + "justice,O'zbekiston Adliyasi,extra,uz-Latn\n"
        + "justice,Vazirlik,extra,\n"
        + "nobody,Something Distinct,extra,\n"
        + "justice,Adliya,nickname,\n"
        + "justice,Adliya,short_name,\n"
        + "justice,Something Distinct,extra,fr\n",
    )

    report = registry.import_folder(conn, folder)

    aliases = report.per_file["aliases.csv"]
    assert (aliases["loaded"], aliases["quarantined"]) == (3, 5)
    assert {r.split(":")[0] for r in report.reasons if r.startswith("aliases.csv")} == {
        "aliases.csv line 5, field alias", "aliases.csv line 6, field institution_code",
        "aliases.csv line 7, field kind", "aliases.csv line 8, field alias",
        "aliases.csv line 9, field language",
    }  # fmt: skip
    assert any("'Vazirlik' is made of common words only" in r for r in report.reasons)
    assert "aliases.csv line 8, field alias: duplicate alias (first on line 2)" in report.reasons
    assert conn.execute(
        "SELECT a.alias, a.kind, a.origin, a.language, a.keys_plain FROM institution_alias a"
        " ORDER BY a.alias"
    ).fetchall() == [
        ("Adliya", "short_name", "registry", "uz-Latn", ["adliya"]),
        ("Huquqiy axborot markazi", "extra", "registry", None, ["huquqi", "axboro", "markaz"]),
        ("Oʻzbekiston Adliyasi", "extra", "registry", "uz-Latn", ["ozbeki", "adliya"]),
    ]
    again = registry.import_folder(conn, folder)
    assert again.per_file["aliases.csv"]["unchanged"] == 3
    assert again.loaded == again.updated == 0


def test_an_operators_alias_listed_in_aliases_csv_becomes_the_registrys(conn, tmp_path):
    from presswatch.sla import matching

    registry.import_folder(conn, BAD)
    matching.add_alias(conn, "justice", "Huquqiy axborot markazi")
    conn.commit()

    report = registry.import_folder(
        conn,
        _registry_with(
            tmp_path, aliases=ALIASES_HEADER + "justice,Huquqiy axborot markazi,extra,\n"
        ),
    )

    assert report.per_file["aliases.csv"]["updated"] == 1
    assert conn.execute("SELECT origin, active FROM institution_alias").fetchall() == [
        ("registry", True)
    ]
