"""``presswatch demo seed``: a deterministic demo world at any scale.

1. The registry: ``registry_writer`` writes the first N demo institutions with their people,
   accounts and facts as a registry folder, and the real importer loads it (so the demo goes
   through the same validation as any registry; registry rows are upserted, never duplicated).
2. The simulated platforms (schema ``sim``): an account per registry account (a few missing or
   deleted), posts following each account's habit, Wikipedia pages, redirects and links.
3. The simulated story sources (schema ``sim``): news stories about the institutions in the
   monitoring portal and in the outlets' RSS and Atom feeds, and the institutions' responses,
   as posts on the simulated platforms and as the portal's records.
4. Activity history in the domain tables: accreditation requests, media plans and events.

Steps 2 to 4 are set-based SQL (``sql/demo/*.sql``) whose every random choice is a hash of
stable keys and the seed, so the same arguments give the same database, whatever the plans.
A rerun replaces the simulated world and the activity it generated, in one transaction. The
domain ``post`` and story tables (``story``, ``story_institution``, ``story_response``...) are
left alone: filling them from the platforms and the story sources is the pipelines' job.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

from presswatch import db, registry
from presswatch.demo import people
from presswatch.demo.registry_writer import DemoRegistry, build_registry
from presswatch.errors import PresswatchError
from presswatch.paths import SQL
from presswatch.simulator import world

TASHKENT = ZoneInfo("Asia/Tashkent")
DEMO_SQL = SQL / "demo"
HABITS = ("diligent", "regular", "borderline", "irregular", "silent")

# What the report counts, in the order it shows them.
REGISTRY_TABLES = (
    "institution", "official", "social_account", "wikipedia_page", "mobile_app",
    "media_pool_member", "public_council_member", "story_feed",
)  # fmt: skip
SIM_TABLES = ("sim.account", "sim.post", "sim.wiki_page", "sim.wiki_redirect", "sim.wiki_langlink")
STORY_SOURCE_TABLES = ("sim.portal_story", "sim.portal_response", "sim.feed", "sim.feed_item")
HISTORY_TABLES = ("accreditation_request", "media_plan", "media_event")


@dataclass
class SeedReport:
    institutions: int
    seed: int
    start_date: dt.date
    end_date: dt.date
    registry: registry.ImportReport
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows after the seed
    habits: dict[str, int] = field(default_factory=dict)  # posting habit -> live sim accounts
    accounts_not_on_platform: int = 0
    stories: int = 0  # in the portal, a feed or both
    critical_stories: int = 0
    seconds: float = 0.0
    phase_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def summary(self) -> str:
        def counts(tables: tuple[str, ...]) -> str:
            return ", ".join(f"{table} {self.rows.get(table, 0):,}" for table in tables)

        habits = ", ".join(f"{habit} {self.habits.get(habit, 0):,}" for habit in HABITS)
        phases = ", ".join(f"{name} {secs:.1f}s" for name, secs in self.phase_seconds.items())
        return "\n".join(
            [
                f"demo seed {self.seed}: {self.institutions:,} institutions, {self.days} days "
                f"{self.start_date}..{self.end_date}, {self.seconds:.1f} s ({phases})",
                self.registry.summary().splitlines()[0],
                f"registry tables: {counts(REGISTRY_TABLES)}",
                f"simulated platforms: {counts(SIM_TABLES)}; "
                f"{self.accounts_not_on_platform:,} registry accounts not on their platform",
                f"posting habits: {habits}",
                f"story sources: {counts(STORY_SOURCE_TABLES)} "
                f"({self.stories:,} stories, {self.critical_stories:,} critical)",
                f"history: {counts(HISTORY_TABLES)}",
            ]
        )


def default_end_date() -> dt.date:
    """Yesterday in Tashkent: the last whole day."""
    return dt.datetime.now(TASHKENT).date() - dt.timedelta(days=1)


def _statements(name: str) -> dict[str, str]:
    """The statements of ``sql/demo/<name>.sql``, each introduced by a ``-- name: X`` line."""
    return db.named_statements((DEMO_SQL / f"{name}.sql").read_text(encoding="utf-8"))


def _texts() -> dict[str, list]:
    """The wording the SQL picks from: names, outlets, titles, in the four languages."""
    return {
        "male_names": list(people.MALE_NAMES),
        "female_names": list(people.FEMALE_NAMES),
        "surnames": [people.surname(stem, female=False) for stem in people.SURNAME_STEMS],
        "surnames_ascii": [
            people.slug(people.surname(stem, female=False)) for stem in people.SURNAME_STEMS
        ],
        "outlets": list(people.OUTLETS),
        "blog_platforms": list(people.BLOG_PLATFORMS),
        "post_texts": people.POST_TEXTS,
        "response_texts": people.RESPONSE_TEXTS,
        "critical_titles": people.CRITICAL_TITLES,
        "routine_titles": people.ROUTINE_TITLES,
        "ru_genitive_critical_titles": people.RUSSIAN_GENITIVE_CRITICAL_TITLES,
        "ru_genitive_routine_titles": people.RUSSIAN_GENITIVE_ROUTINE_TITLES,
        "name_joiners": people.NAME_JOINERS,
        "story_summaries": people.STORY_SUMMARIES,
        "story_sources": [source for source, _ in people.STORY_SOURCES],
        "story_languages": [language for _, language in people.STORY_SOURCES],
        "outlet_domains": list(people.OUTLET_NAMES),
        "outlet_names": list(people.OUTLET_NAMES.values()),
        "language_paths": [people.LANGUAGE_PATHS[language] for language in people.LANGUAGES],
        **_feeds(),
        "event_kinds": list(people.EVENT_KINDS),
        "event_kind_titles": people.EVENT_KIND_TITLES,
        "event_topics": people.EVENT_TOPICS,
    }


def _feeds() -> dict[str, list]:
    """The outlets' feeds as aligned arrays, and the two that carry a deliberately bad item."""
    feeds = people.STORY_FEEDS
    return {
        "feed_codes": [feed.code for feed in feeds],
        "feed_hosts": [feed.outlet for feed in feeds],
        "feed_paths": [feed.path for feed in feeds],
        "feed_formats": [feed.format for feed in feeds],
        "feed_languages": [feed.language for feed in feeds],
        "feed_titles": [feed.name for feed in feeds],
        "feed_declared_languages": [feed.declared_language for feed in feeds],
        "feed_writes_zone": [feed.writes_zone for feed in feeds],
        "feed_guid_is_link": [feed.guid_is_link for feed in feeds],
        "no_date_feed": people.NO_DATE_FEED,
        "html_title_feed": people.HTML_TITLE_FEED,
    }


def seed(
    conn: psycopg.Connection,
    institutions: int,
    seed: int,
    days: int,
    end_date: dt.date | None = None,
    registry_out: Path | None = None,
) -> SeedReport:
    """Fill the database with the demo world (see the module doc); return what it holds.

    ``registry_out``: where to write the registry CSV files (default: a temporary folder).
    """
    if institutions < 1 or days < 1:
        raise PresswatchError("demo seed needs at least one institution and one day")
    started = time.perf_counter()
    end_date = end_date or default_end_date()
    start_date = end_date - dt.timedelta(days=days - 1)
    phases: dict[str, float] = {}

    demo_registry = build_registry(institutions)
    if registry_out is not None:
        import_report = _import(conn, demo_registry, Path(registry_out))
    else:
        with tempfile.TemporaryDirectory(prefix="presswatch-demo-registry-") as folder:
            import_report = _import(conn, demo_registry, Path(folder) / "demo_registry")
        # The folder is gone: name what it held instead.
        import_report.folder = f"(generated, {len(demo_registry.institutions)} institutions)"
    phases["registry"] = time.perf_counter() - started

    params = {
        "seed": seed,
        "start_date": start_date,
        "end_date": end_date,
        "days": days,
        "period_end": dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(), TASHKENT),
        **_texts(),
    }
    report = SeedReport(
        institutions=len(demo_registry.institutions),
        seed=seed,
        start_date=start_date,
        end_date=end_date,
        registry=import_report,
    )
    with conn.transaction():
        _prepare(conn, demo_registry)
        phase_started = time.perf_counter()
        _simulated_platforms(conn, params, report)
        phases["simulated platforms"] = time.perf_counter() - phase_started
        phase_started = time.perf_counter()
        _story_sources(conn, params)
        phases["story sources"] = time.perf_counter() - phase_started
        phase_started = time.perf_counter()
        _history(conn, params)
        phases["history"] = time.perf_counter() - phase_started
        _count(conn, report)
    conn.commit()
    report.phase_seconds = phases
    report.seconds = time.perf_counter() - started
    return report


def _import(
    conn: psycopg.Connection, demo_registry: DemoRegistry, folder: Path
) -> registry.ImportReport:
    demo_registry.write(folder)
    report = registry.import_folder(conn, folder)
    if report.quarantined:
        # The demo registry is generated to be valid: a rejected row is a bug here.
        reasons = "; ".join(report.reasons[:5])
        raise PresswatchError(
            f"the demo registry has {report.quarantined} invalid row(s): {reasons}"
        )
    return report


def _run(
    conn: psycopg.Connection, file: str, name: str, params: dict | None = None
) -> psycopg.Cursor:
    return conn.execute(_statements(file)[name], params)


def _prepare(conn: psycopg.Connection, demo_registry: DemoRegistry) -> None:
    world.ensure_schema(conn)
    world.clear(conn)
    for name in ("functions", "settings", "institution_list", "clear_history"):
        _run(conn, "prepare", name)
    with conn.cursor().copy(
        "COPY demo_institution (code, tier, ordinal, name_ru_genitive) FROM STDIN"
    ) as copy:
        for ordinal, inst in enumerate(demo_registry.institutions, start=1):
            copy.write_row((inst.code, inst.tier, ordinal, people.russian_genitive(inst.name_ru)))
    _run(conn, "prepare", "institutions")


def _simulated_platforms(conn: psycopg.Connection, params: dict, report: SeedReport) -> None:
    for name in ("accounts", "account_index", "insert_accounts"):
        _run(conn, "sim_accounts", name, params if name == "accounts" else None)
    conn.execute("ANALYZE demo_account")
    report.habits = dict(_run(conn, "sim_accounts", "habits").fetchall())
    report.accounts_not_on_platform = conn.execute(
        "SELECT count(*) FROM demo_account WHERE NOT on_platform"
    ).fetchone()[0]
    _run(conn, "sim_posts", "posting_days", params)
    with _post_keys_deferred(conn):
        _run(conn, "sim_posts", "posts", params)
    for name in ("pages", "insert_pages", "insert_redirects", "insert_langlinks"):
        _run(conn, "sim_wiki", name, params if name == "pages" else None)


@contextmanager
def _post_keys_deferred(conn: psycopg.Connection) -> Iterator[None]:
    """Drop sim.post's keys and indexes for a bulk insert and rebuild them afterwards.

    The definitions are read from the catalog, so whatever ``world.sql`` declares comes back
    exactly; it all happens inside the caller's transaction.
    """
    keys = _run(conn, "sim_posts", "post_keys").fetchall()
    for what, name, _ in reversed(keys):
        if what == "constraint":
            conn.execute(
                sql.SQL("ALTER TABLE sim.post DROP CONSTRAINT {}").format(sql.Identifier(name))
            )
        else:
            conn.execute(sql.SQL("DROP INDEX sim.{}").format(sql.Identifier(name)))
    yield
    for what, name, definition in keys:
        if what == "constraint":
            # The definition is the server's own rendering of the constraint it just dropped.
            conn.execute(
                sql.SQL("ALTER TABLE sim.post ADD CONSTRAINT {} {}").format(
                    sql.Identifier(name), sql.SQL(definition)
                )
            )
        else:
            conn.execute(sql.SQL(definition))


def _story_sources(conn: psycopg.Connection, params: dict) -> None:
    _run(conn, "stories", "stories", params)
    conn.execute("ANALYZE demo_story")
    for name in ("insert_portal_stories", "insert_feeds", "insert_feed_items", "responses",
                 "insert_response_posts", "insert_portal_responses"):  # fmt: skip
        _run(conn, "stories", name, params)


def _history(conn: psycopg.Connection, params: dict) -> None:
    _run(conn, "accreditation", "requests", params)
    _run(conn, "media_plans", "plans", params)
    _run(conn, "media_plans", "events", params)
    for table in ("sim.account", "sim.post") + STORY_SOURCE_TABLES:
        conn.execute(f"ANALYZE {table}")


def _count(conn: psycopg.Connection, report: SeedReport) -> None:
    for table in REGISTRY_TABLES + SIM_TABLES + STORY_SOURCE_TABLES + HISTORY_TABLES:
        # Table names come from the constants above, never from input.
        report.rows[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    # The seed's own list of stories (a temporary table until the commit): some are only in
    # the portal, some only in a feed.
    report.stories, report.critical_stories = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_critical) FROM demo_story"
    ).fetchone()
