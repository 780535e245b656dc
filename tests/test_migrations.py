"""Migrations: applied once, recorded, never silently re-applied or edited; constraints hold."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from presswatch import db, migrate
from presswatch.errors import PresswatchError
from presswatch.paths import MIGRATIONS


@pytest.fixture
def scratch_url(server_url):
    url = db.with_database(server_url, "presswatch_migration_test")
    db.drop_database(url)
    yield url
    db.drop_database(url)


def test_migrate_creates_the_database_applies_every_file_and_records_it(scratch_url):
    report = migrate.migrate(scratch_url)

    files = sorted(p.stem for p in MIGRATIONS.glob("*.sql"))
    assert report.created_database
    assert report.applied == files
    with psycopg.connect(scratch_url) as conn:
        recorded = [r[0] for r in conn.execute("SELECT migration_id FROM _yoyo_migration")]
    assert sorted(recorded) == files


def test_a_second_migrate_applies_nothing(scratch_url):
    migrate.migrate(scratch_url)

    again = migrate.migrate(scratch_url)

    assert again.applied == [] and not again.created_database
    assert len(again.already_applied) == len(list(MIGRATIONS.glob("*.sql")))


def test_an_edited_migration_is_refused_with_a_clear_error(scratch_url, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    migrate.migrate(scratch_url, directory=folder)
    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")

    with pytest.raises(PresswatchError, match=f"{first.name} was edited after it was applied"):
        migrate.migrate(scratch_url, directory=folder)


def test_a_deleted_migration_is_refused(scratch_url, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    migrate.migrate(scratch_url, directory=folder)
    last = sorted(folder.glob("*.sql"))[-1]
    last.unlink()

    with pytest.raises(PresswatchError, match=f"migration {last.stem} is applied"):
        migrate.migrate(scratch_url, directory=folder)


def test_a_new_migration_is_applied_on_top(scratch_url, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    migrate.migrate(scratch_url, directory=folder)
    (folder / "9999.extra.sql").write_text("CREATE TABLE extra_table (id int);\n")

    report = migrate.migrate(scratch_url, directory=folder)

    assert report.applied == ["9999.extra"]


def _insert_institution(conn, code="justice", **overrides):
    values = {
        "code": code, "kind": "ministry", "region_code": "national", "name_uz_latn": "Adliya",
        "name_uz_cyrl": "Адлия", "name_ru": "Юстиция", "name_en": "Justice", **overrides,
    }  # fmt: skip
    cols = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    return conn.execute(
        f"INSERT INTO institution ({cols}) VALUES ({marks}) RETURNING id",  # noqa: S608 - fixed names
        list(values.values()),
    ).fetchone()[0]


@pytest.mark.parametrize(
    ("statement", "violation"),
    [
        ("UPDATE institution SET kind = 'embassy'", psycopg.errors.CheckViolation),
        ("UPDATE institution SET region_code = 'mars'", psycopg.errors.ForeignKeyViolation),
        ("UPDATE institution SET preferred_language = 'de'", psycopg.errors.CheckViolation),
        ("UPDATE institution SET parent_id = id", psycopg.errors.CheckViolation),
        (
            "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
            " SELECT 'o1', id, 'head', 'A B', 'Vazir', 'not-an-email' FROM institution",
            psycopg.errors.CheckViolation,
        ),
        (
            "INSERT INTO social_account (institution_id, platform, handle)"
            " SELECT id, 'myspace', 'h' FROM institution",
            psycopg.errors.CheckViolation,
        ),
        (
            "INSERT INTO accreditation_request (institution_id, external_ref, applicant_name,"
            " applicant_type, requested_at, decided_at, decision)"
            " SELECT id, 'r1', 'A', 'journalist', '2025-03-05', '2025-03-04', 'granted'"
            " FROM institution",
            psycopg.errors.CheckViolation,
        ),
        (
            "INSERT INTO notice (kind, dedup_key, language, reference_no, recipients, subject,"
            " body_html, body_text) VALUES ('x', 'k', 'en', 'PW-2025-1', '{a@b.example}',"
            " 's', 'h', 't')",
            psycopg.errors.CheckViolation,
        ),
    ],
)
def test_constraints_keep_bad_data_out(conn, statement, violation):
    _insert_institution(conn)

    with pytest.raises(violation):
        conn.execute(statement)


def test_reingesting_a_post_cannot_duplicate_it(conn):
    institution_id = _insert_institution(conn)
    account_id = conn.execute(
        "INSERT INTO social_account (institution_id, platform, handle)"
        " VALUES (%s, 'telegram', 'adliyauz') RETURNING id",
        [institution_id],
    ).fetchone()[0]
    insert = (
        "INSERT INTO post (account_id, platform_post_id, posted_at) VALUES (%s, '4101', %s)"
        " ON CONFLICT (account_id, platform_post_id) DO NOTHING"
    )
    conn.execute(insert, [account_id, "2025-03-03T09:15:00+00:00"])
    conn.execute(insert, [account_id, "2025-03-03T09:15:00+00:00"])

    assert conn.execute("SELECT count(*) FROM post").fetchone()[0] == 1
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "INSERT INTO post (account_id, platform_post_id, posted_at) VALUES (%s, '4101', now())",
            [account_id],
        )


def test_a_second_active_head_is_rejected_by_the_database(conn):
    institution_id = _insert_institution(conn)
    insert = (
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
        " VALUES (%s, %s, 'head', 'A B', 'Vazir', %s)"
    )
    conn.execute(insert, ["h1", institution_id, "h1@justice.gov.example"])

    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(insert, ["h2", institution_id, "h2@justice.gov.example"])


def test_the_same_quarantined_item_is_kept_once(conn):
    from presswatch import quarantine

    item = quarantine.QuarantineItem("facebook:/posts", "malformed JSON", '{"data": [')

    assert quarantine.record(conn, [item]) == 1
    assert quarantine.record(conn, [item]) == 0
    assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1
