"""The demo generator: a deterministic, realistic registry and activity at any scale."""

from __future__ import annotations

import datetime as dt
import filecmp
import unicodedata
import uuid
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from presswatch import db, migrate, registry
from presswatch.demo import catalogue, generator
from presswatch.demo.people import latin_to_cyrillic
from presswatch.demo.registry_writer import (
    COLUMNS,
    build_registry,
    select_institutions,
    write_demo_registry,
)
from presswatch.paths import DEMO_REGISTRY
from presswatch.text import normalize_uz_latin

INSTITUTIONS = 40
DAYS = 60
END = dt.date(2025, 6, 30)  # a Monday: the period 2025-05-02..06-30 holds 8 whole ISO weeks

# Columns filled with now() by the registry importer: the only ones that may differ between
# two runs with the same arguments.
IMPORT_TIMESTAMPS = ("created_at", "updated_at")
REGISTRY_TABLES = generator.REGISTRY_TABLES
CONTENT_TABLES = REGISTRY_TABLES + generator.SIM_TABLES + generator.HISTORY_TABLES


def contents(conn: psycopg.Connection, tables=CONTENT_TABLES) -> dict[str, str]:
    """A digest of every row of every table (ids included), import timestamps excepted."""
    digests = {}
    for table in tables:
        schema, _, name = table.rpartition(".")
        dropped = IMPORT_TIMESTAMPS if table in REGISTRY_TABLES else ()
        row = sql.SQL("to_jsonb(t)")
        for column in dropped:
            row = sql.SQL("{} - {}").format(row, sql.Literal(column))
        query = sql.SQL(
            "SELECT count(*) || ':' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '')"
            " FROM (SELECT ({})::text AS r FROM {} AS t) AS rows"
        ).format(row, sql.Identifier(schema or "public", name))
        digests[table] = conn.execute(query).fetchone()[0]
    return digests


def seed(conn: psycopg.Connection, seed_value: int = 1) -> generator.SeedReport:
    return generator.seed(conn, institutions=INSTITUTIONS, seed=seed_value, days=DAYS, end_date=END)


@dataclass
class Seeded:
    url: str
    report: generator.SeedReport

    def rows(self, query: str, params=None) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchall()

    def value(self, query: str, params=None):
        return self.rows(query, params)[0][0]


@pytest.fixture(scope="module")
def seeded(server_url):
    """One demo world (40 institutions, 60 days, seed 1) in a database of this module's own,
    for the tests that only read it."""
    url = db.with_database(server_url, f"presswatch_demo_{uuid.uuid4().hex[:8]}")
    migrate.migrate(url)
    with psycopg.connect(url) as conn:
        report = seed(conn)
    yield Seeded(url, report)
    db.drop_database(url)


# --- determinism and reruns ----------------------------------------------------------------


def test_rerun_with_the_same_arguments_reproduces_the_database_exactly(conn):
    first = seed(conn)
    before = contents(conn)

    second = seed(conn)

    assert contents(conn) == before
    assert second.rows == first.rows  # replaced, not duplicated
    assert second.registry.loaded == 0 and second.registry.quarantined == 0


def test_another_seed_changes_the_activity_but_not_the_registry(conn):
    seed(conn, 1)
    first = contents(conn)

    seed(conn, 2)
    second = contents(conn)

    for table in REGISTRY_TABLES:
        assert second[table] == first[table], table
    for table in ("sim.account", "sim.post", "accreditation_request", "story", "story_response"):
        assert second[table] != first[table], table


def test_seed_leaves_the_domain_post_table_to_the_pipeline(seeded):
    assert seeded.value("SELECT count(*) FROM post") == 0
    assert seeded.value("SELECT count(*) FROM sim.post") > 10_000


# --- the registry --------------------------------------------------------------------------


def test_committed_demo_registry_is_what_write_demo_registry_writes(tmp_path):
    write_demo_registry(tmp_path)

    assert sorted(p.name for p in DEMO_REGISTRY.iterdir()) == sorted(COLUMNS)
    for name in COLUMNS:
        assert filecmp.cmp(tmp_path / name, DEMO_REGISTRY / name, shallow=False), name


def test_committed_demo_registry_imports_with_nothing_quarantined(conn):
    report = registry.import_folder(conn, DEMO_REGISTRY)

    assert report.quarantined == 0, report.reasons
    real = [r.code for r in catalogue.REAL_INSTITUTIONS]
    stored = [c for (c,) in conn.execute("SELECT code FROM institution ORDER BY id")]
    assert stored == real
    assert conn.execute(
        "SELECT p.code FROM institution AS i JOIN institution AS p ON p.id = i.parent_id"
        " WHERE i.code = 'kuvasay_city'"
    ).fetchone() == ("fergana_reg",)
    languages = {lang for (lang,) in conn.execute("SELECT preferred_language FROM institution")}
    assert languages == {"uz-Latn", "uz-Cyrl", "ru", "en"}


def test_demo_seed_imports_its_registry_with_nothing_quarantined(seeded):
    assert seeded.report.registry.quarantined == 0
    assert seeded.value("SELECT count(*) FROM quarantine") == 0
    assert seeded.value("SELECT count(*) FROM institution") == INSTITUTIONS


def test_accounts_scale_at_about_twelve_per_institution(seeded):
    assert seeded.report.rows["official"] == 3 * INSTITUTIONS
    per_institution = seeded.report.rows["social_account"] / INSTITUTIONS
    # The 28 real institutions keep more pages of their own than the synthetic ones.
    assert 11 <= per_institution <= 14

    larger = build_registry(600)
    assert len(larger.rows["officials.csv"]) == 3 * 600
    assert 11.5 <= len(larger.rows["accounts.csv"]) / 600 <= 12.5


def test_first_institutions_are_the_same_at_every_scale():
    small, large = build_registry(60), build_registry(300)

    assert small.rows["institutions.csv"] == large.rows["institutions.csv"][:60]
    small_accounts = small.rows["accounts.csv"]
    assert small_accounts == large.rows["accounts.csv"][: len(small_accounts)]


def test_national_scale_catalogue_has_unique_codes_names_and_parents_in_it():
    institutions = select_institutions(6000)
    codes = {i.code for i in institutions}

    assert len(codes) == 6000
    for field in ("name_uz_latn", "name_uz_cyrl", "name_ru", "name_en"):
        assert len({getattr(i, field) for i in institutions}) == 6000, field
    assert all(i.parent_code is None or i.parent_code in codes for i in institutions)
    kinds = {i.kind for i in institutions}
    assert {"ministry", "committee", "agency", "inspectorate", "regional_administration",
            "city_administration", "district_administration", "other"} <= kinds  # fmt: skip
    districts = [i for i in institutions if i.kind == "district_administration"]
    assert len(districts) + sum(i.kind == "city_administration" for i in institutions) > 200


def test_uzbek_latin_names_use_the_modifier_letters_and_transliterate_to_cyrillic():
    for real in catalogue.REAL_INSTITUTIONS:
        assert latin_to_cyrillic(real.name_uz_latn) == real.name_uz_cyrl
    for inst in select_institutions(5000):
        assert normalize_uz_latin(inst.name_uz_latn) == inst.name_uz_latn, inst.code
        assert "'" not in inst.name_uz_latn and "\u2018" not in inst.name_uz_latn
        assert unicodedata.is_normalized("NFC", inst.name_uz_cyrl)
    names = {i.name_uz_latn for i in select_institutions(700)}
    assert "Buxoro viloyati Adliya boshqarmasi" in names
    ru = {i.name_ru for i in select_institutions(700)}
    assert "Управление юстиции Бухарской области" in ru


# --- the simulated platforms ---------------------------------------------------------------


def test_simulated_accounts_carry_registry_handles_and_ids_with_a_few_missing(seeded):
    unmatched = seeded.value(
        "SELECT count(*) FROM sim.account AS s WHERE NOT EXISTS ("
        " SELECT 1 FROM social_account AS a WHERE a.platform = s.platform"
        " AND a.external_id = s.external_id AND lower(a.handle) = lower(s.handle))"
    )
    assert unmatched == 0
    registry_accounts = seeded.value("SELECT count(*) FROM social_account")
    simulated = seeded.value("SELECT count(*) FROM sim.account")
    assert 0 < registry_accounts - simulated < registry_accounts * 0.05
    assert seeded.report.accounts_not_on_platform == registry_accounts - simulated
    assert seeded.value("SELECT count(*) FROM sim.account WHERE deleted") > 0
    x_types = dict(seeded.rows(
        "SELECT verified_type, count(*) FROM sim.account WHERE platform = 'x' GROUP BY 1"
    ))  # fmt: skip
    assert x_types.get("government", 0) > x_types.get("none", 0) > 0
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.account WHERE platform = 'x' AND verified AND verified_type = 'government'"
        )
        == x_types["government"]
    )


def test_instagram_accounts_are_verified_on_the_platform_as_the_registry_checked(seeded):
    # The registry checks every Instagram account and leaves the others to their platforms.
    checked = dict(seeded.rows(
        "SELECT platform, count(verified_by_registry) FROM social_account GROUP BY 1"
    ))  # fmt: skip
    instagram = seeded.value("SELECT count(*) FROM social_account WHERE platform = 'instagram'")
    assert checked == {"facebook": 0, "x": 0, "telegram": 0, "instagram": instagram}
    assert (
        seeded.value(
            "SELECT count(*) FROM social_account AS a JOIN sim.account AS s"
            " ON s.platform = a.platform AND s.external_id = a.external_id"
            " WHERE a.platform = 'instagram' AND s.verified IS DISTINCT FROM a.verified_by_registry"
        )
        == 0
    )
    heads = dict(seeded.rows(
        "SELECT a.verified_by_registry, count(*) FROM social_account AS a"
        " JOIN official AS o ON o.id = a.official_id AND o.role = 'head'"
        " WHERE a.platform = 'instagram' GROUP BY 1"
    ))  # fmt: skip
    assert heads[True] > heads[False] > 0  # most heads verified, some not


def test_every_posting_habit_occurs_including_weeks_of_exactly_three_and_two_posts(seeded):
    assert set(seeded.report.habits) == set(generator.HABITS)
    assert all(count > 0 for count in seeded.report.habits.values())

    posts_in_week = dict(seeded.rows(
        """
        WITH week AS (
            SELECT platform, account_external_id,
                   date_trunc('week', created_at AT TIME ZONE 'Asia/Tashkent') AS iso_week,
                   count(*) AS posts_in_week
              FROM sim.post
             WHERE created_at >= timestamptz '2025-05-05 00:00+05'
               AND created_at < timestamptz '2025-06-30 00:00+05'
             GROUP BY 1, 2, 3
        )
        SELECT posts_in_week, count(*) FROM week GROUP BY 1
        """
    ))  # fmt: skip
    assert posts_in_week.get(3, 0) > 0 and posts_in_week.get(2, 0) > 0
    assert max(posts_in_week) >= 7  # diligent: a post or more every day

    silent = seeded.value(
        "SELECT count(*) FROM sim.account AS a WHERE NOT a.deleted AND NOT EXISTS ("
        " SELECT 1 FROM sim.post AS p WHERE p.platform = a.platform"
        " AND p.account_external_id = a.external_id)"
    )
    assert silent > 0


def test_posts_fall_in_tashkent_working_hours_mostly_and_less_on_sundays(seeded):
    by_hour = dict(seeded.rows(
        "SELECT extract(hour FROM created_at AT TIME ZONE 'Asia/Tashkent')::int, count(*)"
        " FROM sim.post GROUP BY 1"
    ))  # fmt: skip
    total = sum(by_hour.values())
    assert sum(n for hour, n in by_hour.items() if 9 <= hour < 19) > 0.6 * total
    by_weekday = dict(seeded.rows(
        "SELECT extract(isodow FROM created_at AT TIME ZONE 'Asia/Tashkent')::int, count(*)"
        " FROM sim.post GROUP BY 1"
    ))  # fmt: skip
    assert by_weekday[7] < by_weekday[6] < min(by_weekday[d] for d in range(1, 6))


def test_post_ids_look_like_each_platforms_and_rise_with_time(seeded):
    lengths = dict(seeded.rows(
        "SELECT platform, array_agg(DISTINCT length(post_id)) FROM sim.post"
        " WHERE platform <> 'telegram' GROUP BY 1"
    ))  # fmt: skip
    assert lengths == {"x": [19], "facebook": [18], "instagram": [17]}
    out_of_order = seeded.value(
        "SELECT count(*) FROM (SELECT post_id::numeric < lag(post_id::numeric) OVER ("
        " PARTITION BY platform, account_external_id ORDER BY created_at, post_id::numeric) AS back"
        " FROM sim.post) AS p WHERE back"
    )
    assert out_of_order == 0
    # Telegram channels number their messages one after another.
    gaps = seeded.value(
        "SELECT count(*) FROM (SELECT post_id::bigint - lag(post_id::bigint) OVER ("
        " PARTITION BY account_external_id ORDER BY post_id::bigint) AS step"
        " FROM sim.post WHERE platform = 'telegram') AS p WHERE step <> 1"
    )
    assert gaps == 0


def test_wikipedia_world_has_redirects_langlinks_and_missing_languages(seeded):
    assert seeded.value("SELECT count(*) FROM sim.wiki_redirect") > 0
    assert seeded.value(
        "SELECT count(*) FROM sim.wiki_redirect AS r JOIN sim.wiki_page AS p"
        " ON p.lang = r.lang AND p.title = r.to_title"
    ) == seeded.value("SELECT count(*) FROM sim.wiki_redirect")
    assert seeded.value("SELECT count(*) FROM sim.wiki_langlink") > 0
    # Some registry titles lead nowhere, some pages exist that the registry does not list.
    missing = seeded.value(
        "SELECT count(*) FROM wikipedia_page AS w"
        " WHERE NOT EXISTS (SELECT 1 FROM sim.wiki_page AS p WHERE p.lang = w.lang AND p.title = w.title)"
        " AND NOT EXISTS (SELECT 1 FROM sim.wiki_redirect AS r WHERE r.lang = w.lang AND r.from_title = w.title)"
    )
    assert missing > 0
    assert (
        seeded.value("SELECT count(*) FROM sim.wiki_page")
        > seeded.value("SELECT count(*) FROM wikipedia_page") - missing
    )


# --- domain history ------------------------------------------------------------------------


def test_critical_story_responses_fall_both_before_and_after_the_24_hour_deadline(seeded):
    first_response_hours = [hours for (hours,) in seeded.rows(
        "SELECT extract(epoch FROM min(r.responded_at) - s.published_at) / 3600"
        " FROM story AS s JOIN story_institution AS si ON si.story_id = s.id"
        " LEFT JOIN story_response AS r ON r.story_id = si.story_id AND r.institution_id = si.institution_id"
        " WHERE s.is_critical GROUP BY s.id, si.institution_id, s.published_at"
    )]  # fmt: skip
    answered = [float(h) for h in first_response_hours if h is not None]
    assert any(h < 6 for h in answered)
    assert any(23 <= h < 24 for h in answered) and any(24 <= h < 25 for h in answered)
    assert any(h > 25 for h in answered)
    assert len(answered) < len(first_response_hours)  # some are never answered
    assert all(h > 0 for h in answered)
    social = seeded.value(
        "SELECT count(*) FROM story_response AS r JOIN social_account AS a ON a.id = r.account_id"
        " JOIN sim.post AS p ON p.platform = a.platform AND p.account_external_id = a.external_id"
        " AND p.post_id = r.platform_post_id AND p.created_at = r.responded_at"
        " WHERE r.channel = 'social_post'"
    )
    assert (
        social
        == seeded.value("SELECT count(*) FROM story_response WHERE channel = 'social_post'")
        > 0
    )


def test_stories_come_from_the_outlets_in_their_languages_with_example_urls(seeded):
    sources = dict(seeded.rows("SELECT source, count(*) FROM story GROUP BY 1"))
    assert {"kun.uz", "gazeta.uz", "daryo.uz"} <= set(sources)
    assert (
        seeded.value(
            "SELECT count(*) FROM story WHERE url NOT LIKE 'https://' || source || '.example/%%'"
        )
        == 0
    )
    assert 0.3 < seeded.value("SELECT avg(is_critical::int) FROM story") < 0.5
    assert (
        seeded.value(
            "SELECT count(*) FROM story AS s JOIN story_institution AS si ON si.story_id = s.id"
            " JOIN institution AS i ON i.id = si.institution_id"
            " WHERE s.language = 'ru' AND strpos(s.title, i.name_ru) > 0"
        )
        > 0
    )


def test_accreditation_decisions_take_up_to_six_days_with_some_pending_and_refused(seeded):
    decision_days = [days for (days,) in seeded.rows(
        "SELECT (decided_at AT TIME ZONE 'Asia/Tashkent')::date"
        " - (requested_at AT TIME ZONE 'Asia/Tashkent')::date FROM accreditation_request"
        " WHERE decided_at IS NOT NULL"
    )]  # fmt: skip
    assert min(decision_days) == 0 and max(decision_days) <= 6
    assert any(days > 3 for days in decision_days)
    assert seeded.value("SELECT count(*) FROM accreditation_request WHERE decided_at IS NULL") > 0
    assert seeded.value("SELECT count(*) FROM accreditation_request WHERE decision = 'refused'") > 0


def test_media_plans_have_held_cancelled_and_unheld_events(seeded):
    statuses = dict(seeded.rows("SELECT status, count(*) FROM media_event GROUP BY 1"))
    assert set(statuses) == {"planned", "held", "cancelled"}
    assert (
        seeded.value(
            "SELECT count(*) FROM media_event WHERE media_plan_id IS NULL AND status = 'held'"
        )
        > 0
    )
    assert (
        seeded.value(
            "SELECT count(*) FROM media_event WHERE held_at >= timestamptz '2025-07-01 00:00+05'"
        )
        == 0
    )
    plans = seeded.rows("SELECT DISTINCT period_start FROM media_plan ORDER BY 1")
    assert plans == [(dt.date(2025, 1, 1),)]
