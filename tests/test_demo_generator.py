"""The demo generator: a deterministic, realistic registry and activity at any scale."""

from __future__ import annotations

import datetime as dt
import filecmp
import re
import unicodedata
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml
from psycopg import sql

from presswatch import db, migrate, registry, settings
from presswatch.demo import catalogue, generator, people
from presswatch.demo.people import latin_to_cyrillic
from presswatch.demo.registry_writer import (
    COLUMNS,
    build_registry,
    select_institutions,
    write_demo_registry,
)
from presswatch.paths import DEMO_REGISTRY, ROOT
from presswatch.text import normalize_uz_latin

INSTITUTIONS = 40
DAYS = 60
END = dt.date(2025, 6, 30)  # a Monday: the period 2025-05-02..06-30 holds 8 whole ISO weeks

# Columns filled with now() by the registry importer: the only ones that may differ between
# two runs with the same arguments.
IMPORT_TIMESTAMPS = ("created_at", "updated_at")
REGISTRY_TABLES = generator.REGISTRY_TABLES
CONTENT_TABLES = (
    REGISTRY_TABLES
    + generator.SIM_TABLES
    + generator.STORY_SOURCE_TABLES
    + generator.HISTORY_TABLES
)
DOMAIN_STORY_TABLES = ("story", "story_institution", "story_response")


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
    for table in ("sim.account", "sim.post", "accreditation_request", "sim.portal_story",
                  "sim.portal_response", "sim.feed_item"):  # fmt: skip
        assert second[table] != first[table], table
    assert second["sim.feed"] == first["sim.feed"]  # the outlets' feeds are the same


def test_seed_leaves_the_domain_story_tables_to_the_pipeline(conn):
    institution_id = (
        registry.import_folder(conn, DEMO_REGISTRY)
        and conn.execute("SELECT id FROM institution WHERE code = 'justice'").fetchone()[0]
    )
    (story_id,) = conn.execute(
        "INSERT INTO story (source, external_id, url, canonical_url, title, title_key,"
        " published_at, first_seen_at) VALUES ('kun.uz', 'k1', 'https://kun.uz/1',"
        " 'https://kun.uz/1', 'A', 'a', now(), now()) RETURNING id"
    ).fetchone()
    conn.execute(
        "INSERT INTO story_institution (story_id, institution_id, match_method)"
        " VALUES (%s, %s, 'manual')",
        [story_id, institution_id],
    )
    conn.commit()
    before = contents(conn, DOMAIN_STORY_TABLES)

    seed(conn)

    assert contents(conn, DOMAIN_STORY_TABLES) == before
    assert conn.execute("SELECT count(*) FROM sim.portal_story").fetchone()[0] > 0


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


def test_demo_registry_lists_one_feed_per_outlet_and_language_on_the_outlets_domain(seeded):
    rows = build_registry(5).rows["feeds.csv"]

    assert rows == build_registry(300).rows["feeds.csv"]  # the same at every scale
    assert sorted((urlsplit(url).hostname, language) for _, _, url, language, _ in rows) == (
        sorted(set(people.STORY_SOURCES))
    )
    assert len({code for code, *_ in rows}) == len(rows)
    assert all(url.startswith("https://") and active is True for _, _, url, _, active in rows)
    stored = seeded.rows("SELECT code, url, language, kind FROM story_feed ORDER BY code")
    assert stored == sorted((code, url, language, "rss") for code, _, url, language, _ in rows)


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


# --- the story sources --------------------------------------------------------------------

# Every (story, institution) answered, with the story's tone and the hours from its publication
# to the first response: the portal's records and the response posts, whose story is the URL in
# their text.
FIRST_RESPONSES = """
WITH story AS (
    SELECT url, tone, published_at FROM sim.portal_story
),
post_response AS (
    SELECT substring(p.text FROM 'https://[^ ]+') AS story_url, i.code AS institution_code,
           p.created_at AS responded_at
      FROM sim.post AS p
      JOIN social_account AS a ON a.platform = p.platform AND a.external_id = p.account_external_id
      JOIN institution AS i ON i.id = a.institution_id
     WHERE p.text LIKE '%%https://%%'
),
response AS (
    SELECT story_url, institution_code, responded_at FROM sim.portal_response
    UNION ALL
    SELECT story_url, institution_code, responded_at FROM post_response
)
SELECT s.url, s.tone,
       extract(epoch FROM min(r.responded_at) - s.published_at) / 3600 AS first_response_hours
  FROM story AS s
  LEFT JOIN response AS r ON r.story_url = s.url
 GROUP BY s.url, s.tone, s.published_at, r.institution_code
"""


def test_critical_story_responses_fall_both_before_and_after_the_24_hour_deadline(seeded):
    critical = [hours for _, tone, hours in seeded.rows(FIRST_RESPONSES) if tone == "negative"]
    answered = [float(hours) for hours in critical if hours is not None]
    assert any(h < 6 for h in answered)
    assert any(23 <= h < 24 for h in answered) and any(24 <= h < 25 for h in answered)
    assert any(h > 25 for h in answered)
    assert all(h > 0 for h in answered)
    assert len(answered) < len(critical)  # some are never answered


def test_response_posts_link_to_their_story_or_name_its_title(seeded):
    # Response posts are stamped at half a second, which no regular post is.
    texts = [text for (text,) in seeded.rows(
        "SELECT text FROM sim.post"
        " WHERE mod(extract(microseconds FROM created_at)::bigint, 1000000) = 500000"
    )]  # fmt: skip
    assert len(texts) > 100
    urls = {url for (url,) in seeded.rows(
        "SELECT url FROM sim.portal_story UNION SELECT link FROM sim.feed_item"
    )}  # fmt: skip
    titles = {title for (title,) in seeded.rows(
        "SELECT title FROM sim.portal_story UNION SELECT title FROM sim.feed_item"
    )}  # fmt: skip
    linked = [t for t in texts if t.split(": ", 1)[1] in urls]
    named = [t for t in texts if t.split(": ", 1)[1] in titles]
    assert len(linked) + len(named) == len(texts)
    assert len(named) > 0 and len(linked) > 2 * len(named)


def test_portal_records_responses_off_social_networks_and_some_posts(seeded):
    channels = dict(seeded.rows("SELECT channel, count(*) FROM sim.portal_response GROUP BY 1"))
    assert set(channels) == {"social_post", "website", "press_release", "statement",
                             "media_comment"}  # fmt: skip
    # A recorded post is the post itself: its permalink, account and time.
    unmatched = seeded.value(
        "SELECT count(*) FROM sim.portal_response AS r WHERE r.channel = 'social_post'"
        " AND NOT EXISTS (SELECT 1 FROM sim.post AS p JOIN sim.account AS a"
        " ON a.platform = p.platform AND a.external_id = p.account_external_id"
        " WHERE p.platform = r.account_platform AND a.handle = r.account_handle"
        " AND r.url LIKE '%%' || p.post_id AND p.created_at = r.responded_at)"
    )
    assert unmatched == 0
    response_posts = seeded.value(
        "SELECT count(*) FROM sim.post"
        " WHERE mod(extract(microseconds FROM created_at)::bigint, 1000000) = 500000"
    )
    assert 0 < channels["social_post"] < response_posts
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.portal_response AS r WHERE r.story_portal_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM sim.portal_story AS s"
            " WHERE s.portal_id = r.story_portal_id AND s.url = r.story_url)"
        )
        == 0
    )
    assert (
        seeded.value("SELECT count(*) FROM sim.portal_response WHERE story_portal_id IS NULL") > 0
    )  # responses to stories only in a feed
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.portal_response WHERE recorded_at < responded_at"
            " OR recorded_at >= timestamptz '2025-07-01 00:00+05'"
        )
        == 0
    )


def test_portal_stories_come_from_the_outlets_in_their_languages_some_tagged(seeded):
    sources = dict(seeded.rows("SELECT source_domain, count(*) FROM sim.portal_story GROUP BY 1"))
    assert {"kun.uz", "gazeta.uz", "daryo.uz"} <= set(sources)
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.portal_story"
            " WHERE url NOT LIKE 'https://' || source_domain || '/%%'"
        )
        == 0
    )
    assert 0.3 < seeded.value("SELECT avg((tone = 'negative')::int) FROM sim.portal_story") < 0.5
    tagged = seeded.value(
        "SELECT avg((cardinality(institution_codes) > 0)::int) FROM sim.portal_story"
    )
    assert 0.2 < tagged < 0.4
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.portal_story AS s, unnest(s.institution_codes) AS tag (code)"
            " WHERE NOT EXISTS (SELECT 1 FROM institution AS i WHERE i.code = tag.code)"
        )
        == 0
    )
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.portal_story WHERE collected_at <= published_at"
            " OR collected_at > published_at + interval '30 minutes'"
        )
        == 0
    )


def test_titles_name_institutions_in_the_story_language_some_two_some_inflected(seeded):
    languages = {language for (language,) in seeded.rows(
        "SELECT DISTINCT s.language FROM sim.portal_story AS s JOIN institution AS i"
        " ON strpos(s.title, CASE s.language WHEN 'uz-Latn' THEN i.name_uz_latn"
        "                    WHEN 'uz-Cyrl' THEN i.name_uz_cyrl WHEN 'ru' THEN i.name_ru"
        "                    ELSE i.name_en END) > 0"
    )}  # fmt: skip
    assert languages == {"uz-Latn", "uz-Cyrl", "ru", "en"}
    assert seeded.value("SELECT count(*) FROM sim.portal_story WHERE title LIKE '%%{%%'") == 0
    # Both a department and its parent: "A va B", "A и B".
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.portal_story AS s JOIN institution AS i ON true"
            " JOIN institution AS p ON p.id = i.parent_id"
            " WHERE strpos(s.title, i.name_uz_latn || ' va ' || p.name_uz_latn) > 0"
            "    OR strpos(s.title, i.name_ru || ' и ' || p.name_ru) > 0"
            "    OR strpos(s.title, i.name_en || ' and ' || p.name_en) > 0"
        )
        > 0
    )
    # Uzbek with a case suffix on the name, Russian in the genitive.
    assert (
        seeded.value(
            "SELECT count(*) FROM sim.portal_story AS s JOIN institution AS i"
            " ON strpos(s.title, i.name_uz_latn || 'ga ') > 0 OR strpos(s.title, i.name_uz_latn || 'da ') > 0"
        )
        > 0
    )
    genitive = [title for (title,) in seeded.rows(
        "SELECT title FROM sim.portal_story WHERE language = 'ru'"
        " AND (title LIKE '%%Министерства %%' OR title LIKE '%%Хокимията %%')"
    )]  # fmt: skip
    assert genitive and all("Министерство " not in t for t in genitive)


# An institution name free of trigger words, per language, for the titles' {name}.
SAMPLE_NAMES = {"uz-Latn": "Adliya vazirligi", "uz-Cyrl": "Адлия вазирлиги",
                "ru": "Министерство юстиции", "en": "Ministry of Justice"}  # fmt: skip
RUSSIAN_GENITIVE_SAMPLE = "Министерства юстиции"


def _contains(keys: list[str], term: list[str], prefix: bool) -> bool:
    """Whether ``term``'s keys are next to each other in ``keys``; with ``prefix`` (a '*' term),
    its last key needs only begin the key there."""
    *head, last = term
    return any(
        keys[i : i + len(head)] == head
        and (keys[i + len(head)].startswith(last) if prefix else keys[i + len(head)] == last)
        for i in range(len(keys) - len(term) + 1)
    )


def _lexicon_scores(conn, titles: list[tuple[str, str]]) -> list[float]:
    """Each (language, title)'s lexicon score, found as the pipeline finds terms: next to each
    other on the match keys of presswatch_match_keys, plain or stemmed; a '*' term on whole
    words, its last word beginning the title's. A term in both Uzbek scripts counts once."""
    lexicon = yaml.safe_load((ROOT / "include" / "lexicon" / "critical.yaml").read_text())
    terms = []  # (category, term languages, weight, term)
    for name, category in lexicon["categories"].items():
        for language, words in category["terms"].items():
            group = ("uz-Latn", "uz-Cyrl") if language.startswith("uz") else (language,)
            terms += [(name, group, category["weight"], word) for word in words]

    def keys(texts: list[str]) -> list[tuple[list[str], list[str], list[str]]]:
        return conn.execute(
            "SELECT presswatch_match_keys(t, 'plain'), presswatch_match_keys(t, 'stem'),"
            "       presswatch_match_keys(t, 'word')"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS u (t, n) ORDER BY n",
            [texts],
        ).fetchall()

    term_keys = keys([term.rstrip("*") for *_, term in terms])
    scores = []
    for (language, _), title_keys in zip(titles, keys([t for _, t in titles]), strict=True):
        found = {}
        for (category, group, weight, term), term_ways in zip(terms, term_keys, strict=True):
            if language not in group:
                continue
            if term.endswith("*"):
                hit = _contains(title_keys[2], term_ways[2], prefix=True)
            else:
                hit = any(
                    _contains(title_keys[way], term_ways[way], prefix=False) for way in (0, 1)
                )
            if hit:
                found[(category, tuple(term_ways[0]))] = weight
        scores.append(sum(found.values()))
    return scores


def _filled(templates: list[list[str]]) -> list[tuple[str, str]]:
    return [
        (language, template.replace("{name}", SAMPLE_NAMES[language]))
        for language, row in zip(people.LANGUAGES, templates, strict=True)
        for template in row
    ]


def test_critical_titles_carry_trigger_words_and_routine_titles_none(conn):
    threshold = settings.get().stories.critical_threshold
    critical = _filled(people.CRITICAL_TITLES) + [
        ("ru", t.replace("{name}", RUSSIAN_GENITIVE_SAMPLE))
        for t in people.RUSSIAN_GENITIVE_CRITICAL_TITLES
    ]
    routine = _filled(people.ROUTINE_TITLES) + [
        ("ru", t.replace("{name}", RUSSIAN_GENITIVE_SAMPLE))
        for t in people.RUSSIAN_GENITIVE_ROUTINE_TITLES
    ]

    critical_scores = _lexicon_scores(conn, critical)
    routine_scores = _lexicon_scores(conn, routine)

    assert [
        t for t, score in zip(critical, critical_scores, strict=True) if score < threshold
    ] == []
    assert [t for t, score in zip(routine, routine_scores, strict=True) if score > 0] == []
    assert all("{name}" in t for row in people.CRITICAL_TITLES + people.ROUTINE_TITLES for t in row)


def test_outlet_feeds_carry_a_share_of_the_stories_under_the_same_urls(seeded):
    feeds = seeded.rows("SELECT host, path, format, language FROM sim.feed ORDER BY host, path")
    assert feeds == sorted(
        (f.outlet, f.path, f.format, f.declared_language) for f in people.STORY_FEEDS
    )
    in_both = seeded.value(
        "SELECT count(*) FROM sim.feed_item AS f JOIN sim.portal_story AS s ON s.url = f.link"
    )
    items = seeded.value("SELECT count(*) FROM sim.feed_item")
    stories = seeded.value("SELECT count(*) FROM sim.portal_story")
    assert 0.3 * stories < in_both < items
    assert items - in_both > 0.05 * stories  # some stories are only in a feed


def test_feed_items_are_written_the_outlets_way_with_two_deliberately_bad(seeded):
    dates = dict(seeded.rows(
        "SELECT host || path, array_agg(pub_date ORDER BY listed_at DESC) FROM sim.feed_item"
        " GROUP BY 1"
    ))  # fmt: skip
    assert all(d.endswith(" +0500") for d in dates["kun.uz/news/rss"])
    assert all(re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d", d)
               for d in dates["xabar.uz/kr/rss"])  # fmt: skip
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00", d)
               for d in dates["spot.uz/ru/feed/atom"])  # fmt: skip
    assert dates["daryo.uz/feed/"][0] is None  # the newest item: no date
    assert seeded.value("SELECT count(*) FROM sim.feed_item WHERE pub_date IS NULL") == 1
    scripted = seeded.rows("SELECT host, path FROM sim.feed_item WHERE title LIKE '%%<script>%%'")
    assert scripted == [("kun.uz", "/ru/news/rss")]


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
