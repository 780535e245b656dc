"""``make bench``: national-scale figures, printed as a table and written to bench/results.json.

It works in a database of its own (``presswatch_bench`` on the configured or embedded server,
or ``PRESSWATCH_BENCH_DB_URL``), which it rebuilds each time. Scale: 3,000 institutions and a
year of history unless ``PRESSWATCH_BENCH_INSTITUTIONS`` / ``PRESSWATCH_BENCH_DAYS`` say
otherwise. Every simulated post is loaded into ``post`` unless ``PRESSWATCH_BENCH_LOAD_POSTS``
caps them (for quick runs; the compliance figures then see only part of the posts). Each figure
is an object with ``name``, ``value``, ``unit`` and, where a reference is asked for,
``reference`` and ``reference_unit``; later pipelines add their figures.
``PRESSWATCH_BENCH_ONLY=ui,backfill`` runs only those steps again on the world an earlier run
left, and replaces their figures in the results.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from typing import NamedTuple

import psycopg

from presswatch import db, migrate
from presswatch.paths import ROOT
from presswatch.simulator import world

RESULTS = ROOT / "bench" / "results.json"
# A fixed period, so that figures from different days compare.
END_DATE = dt.date(2026, 6, 30)
SUNDAY = dt.date(2026, 6, 28)  # compliance also writes the week that ends on it
WEEKDAY = dt.date(2026, 6, 30)  # a Tuesday
LOAD_ROUNDS = 2
RELOAD_SAMPLE = 500_000


class BenchPost(NamedTuple):
    platform_post_id: str
    posted_at: dt.datetime
    permalink: str | None
    text_excerpt: str | None


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    reference: float | None = None
    reference_unit: str | None = None


def _bench_url() -> str:
    return os.environ.get("PRESSWATCH_BENCH_DB_URL") or db.with_database(
        db.server_url(), "presswatch_bench"
    )


def _seed(url: str, institutions: int, days: int) -> list[Figure]:
    from presswatch.demo import generator

    with db.connect(url) as conn:
        started = time.perf_counter()
        report = generator.seed(
            conn, institutions=institutions, seed=1, days=days, end_date=END_DATE
        )
        seconds = time.perf_counter() - started
        accounts = conn.execute("SELECT count(*) FROM social_account").fetchone()[0]
        posts = conn.execute("SELECT count(*) FROM sim.post").fetchone()[0]
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    print(report.summary())
    return [
        Figure("demo_seed_institutions", institutions, "institutions"),
        Figure("demo_seed_accounts", accounts, "accounts"),
        Figure("demo_seed_posts", posts, "posts"),
        Figure("demo_seed_seconds", round(seconds, 1), "s"),
        Figure("demo_seed_database_size", round(size / 2**20), "MiB"),
    ]


def _checkpoint(conn: psycopg.Connection) -> None:
    """Write out what earlier steps left in the buffers and the WAL, so that the step timed
    next pays for its own writes only."""
    conn.execute("CHECKPOINT")


def _load_posts(url: str, limit: int | None) -> list[Figure]:
    """Posts loaded per second through ``ingest.load_posts`` into the empty ``post`` table
    (indexed), against a raw COPY of the same rows into an unindexed table; then a sample
    loaded again (every post stored already: the staged merge, which writes nothing).

    Both rates count the same work: the rows (and the loader's post objects) are read from the
    simulator before the clock starts, both are text COPYs from Python that end in a commit,
    and both start from a checkpoint. Each is the best of ``LOAD_ROUNDS`` rounds, which damps
    the noise of other work on the machine. The posts come account by account, as the daily
    fetch delivers them."""
    from presswatch.activity import ingest

    with db.connect(url) as conn:
        rows = conn.execute(
            "SELECT a.id, p.post_id, p.created_at, NULL, left(p.text, %s)"
            "  FROM sim.post AS p JOIN social_account AS a"
            "    ON a.platform = p.platform AND a.external_id = p.account_external_id"
            " ORDER BY a.id, p.created_at LIMIT %s",
            [ingest.EXCERPT_LENGTH, limit],
        ).fetchall()
        posts = [(row[0], BenchPost(*row[1:])) for row in rows]
        raw_seconds, load_seconds = [], []
        for _ in range(LOAD_ROUNDS):
            raw_seconds.append(_raw_copy(conn, rows))
            conn.execute("TRUNCATE post")
            conn.commit()
            _checkpoint(conn)
            started = time.perf_counter()
            loaded = ingest.load_posts(conn, posts)
            conn.commit()
            load_seconds.append(time.perf_counter() - started)
            assert loaded.inserted == len(posts), loaded

        sample = posts[:RELOAD_SAMPLE]
        _checkpoint(conn)
        started = time.perf_counter()
        reloaded = ingest.load_posts(conn, sample)
        conn.commit()
        reload_seconds = time.perf_counter() - started
        assert reloaded.unchanged == len(sample), reloaded
    load_rate, raw_rate = len(posts) / min(load_seconds), len(posts) / min(raw_seconds)
    print(
        f"loaded {len(posts):,} posts in {_seconds(load_seconds)};"
        f" raw COPY in {_seconds(raw_seconds)}; {len(sample):,} loaded again in"
        f" {reload_seconds:.1f} s"
    )
    return [
        Figure(
            "posts_loaded_per_second", round(load_rate), "posts/s",
            reference=round(raw_rate), reference_unit="posts/s (raw COPY, unindexed table)",
        ),
        Figure("posts_loaded_share_of_raw_copy", round(100 * load_rate / raw_rate), "%"),
        Figure("posts_loaded", len(posts), "posts"),
        Figure("posts_reloaded_per_second", round(len(sample) / reload_seconds), "posts/s"),
        Figure("posts_reloaded_sample", len(sample), "posts"),
    ]  # fmt: skip


def _raw_copy(conn: psycopg.Connection, rows: list[tuple]) -> float:
    """Seconds to COPY ``rows`` into a new unindexed table and commit."""
    conn.execute(
        "CREATE TABLE bench_raw_post (account_id bigint, platform_post_id text,"
        " posted_at timestamptz, permalink text, text_excerpt text)"
    )
    conn.commit()
    _checkpoint(conn)
    started = time.perf_counter()
    with conn.cursor().copy("COPY bench_raw_post FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    conn.commit()
    seconds = time.perf_counter() - started
    conn.execute("DROP TABLE bench_raw_post")
    conn.commit()
    return seconds


def _seconds(rounds: list[float]) -> str:
    return " / ".join(f"{seconds:.1f}" for seconds in rounds) + " s"


def _compliance(url: str) -> list[Figure]:
    """Seconds for one day's compliance (``compliance.compute_day``, commit included) on the
    loaded year of posts: a Sunday, which also writes the week's rows, and a weekday."""
    from presswatch.activity import compliance

    with db.connect(url, autocommit=True) as conn:
        # The state autovacuum keeps a live database in: statistics and the visibility map
        # (the counts are index-only scans) are up to date after the bulk load.
        conn.execute("VACUUM (ANALYZE) post")
        _checkpoint(conn)
    figures = []
    with db.connect(url) as conn:
        for name, day in (
            ("compliance_day_seconds", SUNDAY),
            ("compliance_weekday_seconds", WEEKDAY),
        ):
            started = time.perf_counter()
            written = compliance.compute_day(conn, day)
            conn.commit()
            seconds = time.perf_counter() - started
            print(f"compliance for {day:%a %Y-%m-%d}: {seconds:.2f} s, rows written {written}")
            figures.append(
                Figure(name, round(seconds, 2), "s", reference=3, reference_unit="s (target)")
            )
    return figures


# --- R3: the hourly sweep and story ingestion -------------------------------------------------

SLA_STORIES = 100_000
SLA_CRITICAL_SHARE = 0.4
SLA_SWEEP_AT = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)  # the end of the timed hour
INGEST_ITEMS = 10_000
INGEST_DUPLICATE_SHARE = 0.1  # items that repeat another's story under a tracking-laden URL


def _sla_world(url: str, stories: int) -> list[Figure]:
    """A year of stories (``sql/bench/sla.sql``): matches, critical scores, answers; the clocks
    brought up to the hour before the timed one by one catch-up sweep."""
    from presswatch.settings import get
    from presswatch.sla import engine, notices

    settings = get()
    queries = db.named_statements((ROOT / "sql" / "bench" / "sla.sql").read_text())
    params = {
        "stories": stories, "seed": 1, "critical_share": SLA_CRITICAL_SHARE,
        "period_start": SLA_SWEEP_AT - dt.timedelta(days=365), "period_end": SLA_SWEEP_AT,
    }  # fmt: skip
    with db.connect(url) as conn:
        started = time.perf_counter()
        demo = db.named_statements((ROOT / "sql" / "demo" / "prepare.sql").read_text())
        conn.execute(demo["functions"])  # pg_temp.demo_unit, the demo's hash of keys and seed
        for name in ("stories", "insert_stories", "insert_matches", "insert_responses"):
            conn.execute(queries[name], params)
        conn.commit()
        built = time.perf_counter() - started
        catch_up_at = SLA_SWEEP_AT - dt.timedelta(hours=1)
        started = time.perf_counter()
        engine.advance(conn, catch_up_at, settings)
        conn.commit()
        caught_up = time.perf_counter() - started
        started = time.perf_counter()
        backlog = notices.write_stage_notices(conn, catch_up_at, settings, send=False)
        conn.commit()
        backlog_seconds = time.perf_counter() - started
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM story), (SELECT count(*) FROM story_sla),"
            "       (SELECT count(*) FROM story_sla WHERE closed_at IS NULL),"
            "       (SELECT count(*) FROM story_sla_event)"
        ).fetchone()
    with db.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) story, story_institution, story_response, story_sla,"
                     " story_sla_event")  # fmt: skip
        _checkpoint(conn)
    print(
        f"R3 world: {counts[0]:,} stories, {counts[1]:,} clocks ({counts[2]:,} open),"
        f" {counts[3]:,} stage events; built in {built:.1f} s, caught up in {caught_up:.1f} s;"
        f" the backlog's notices in {backlog_seconds:.1f} s ({backlog.as_dict()})"
    )
    return [
        Figure("sla_stories", counts[0], "stories"),
        Figure("sla_clocks", counts[1], "clocks"),
        Figure("sla_open_clocks", counts[2], "clocks"),
        Figure("sla_catch_up_sweep_seconds", round(caught_up, 1), "s"),
        Figure("sla_catch_up_notices_seconds", round(backlog_seconds, 1), "s"),
    ]


def _sla_sweep(url: str) -> list[Figure]:
    """One hourly sweep on the year: clocks opened for the hour's critical stories and every
    open clock advanced (``engine.advance``, commit included), beside
    one sequential scan of the open clocks' table; then the hour's notices, for information."""
    from presswatch.settings import get
    from presswatch.sla import engine, notices

    settings = get()
    with db.connect(url) as conn:
        conn.execute("SET enable_indexscan = off")
        conn.execute("SET enable_bitmapscan = off")
        started = time.perf_counter()
        conn.execute(
            "SELECT count(*), max(due_at) FROM story_sla WHERE closed_at IS NULL"
        ).fetchone()
        scan_seconds = time.perf_counter() - started
        conn.rollback()
        conn.execute("RESET ALL")
        started = time.perf_counter()
        report = engine.advance(conn, SLA_SWEEP_AT, settings)
        conn.commit()
        sweep_seconds = time.perf_counter() - started
        started = time.perf_counter()
        written = notices.write_stage_notices(conn, SLA_SWEEP_AT, settings, send=False)
        conn.commit()
        notice_seconds = time.perf_counter() - started
    print(
        f"sweep as of {SLA_SWEEP_AT:%Y-%m-%d %H:%M}Z: {sweep_seconds:.3f} s ({report.as_dict()});"
        f" one seq scan of story_sla {scan_seconds:.3f} s; notices {notice_seconds:.2f} s"
        f" ({written})"
    )
    return [
        Figure(
            "sla_sweep_seconds", round(sweep_seconds, 3), "s",
            reference=round(scan_seconds, 3),
            reference_unit="s (one sequential scan of story_sla; target: sweep < 1 s)",
        ),
        Figure("sla_hour_notices_seconds", round(notice_seconds, 2), "s"),
    ]  # fmt: skip


def _bench_items(conn: psycopg.Connection, count: int) -> list:
    """``count`` feed items about the registry's institutions, in the four languages, with
    texts of ~1,500 characters; a share repeats another item's story (tracking parameters)."""
    import random

    from presswatch.demo import people
    from presswatch.sla.items import StoryItem

    rng = random.Random(1)
    names = conn.execute(
        "SELECT name_uz_latn, name_uz_cyrl, name_ru, name_en FROM institution ORDER BY id"
    ).fetchall()
    languages = ("uz-Latn", "uz-Cyrl", "ru", "en")
    published = SLA_SWEEP_AT - dt.timedelta(hours=1)
    items = []
    for n in range(count):
        if items and rng.random() < INGEST_DUPLICATE_SHARE:
            original = rng.choice(items)
            items.append(
                StoryItem(**{**original.__dict__, "feed_code": "bench", "item_key": f"dup-{n}",
                             "url": original.url + "?utm_source=telegram&utm_medium=social"})
            )  # fmt: skip
            continue
        index = rng.randrange(4)
        critical = rng.random() < 0.4
        titles = people.CRITICAL_TITLES if critical else people.ROUTINE_TITLES
        title = rng.choice(titles[index]).replace("{name}", rng.choice(names)[index])
        summary = people.STORY_SUMMARIES[index][0 if critical else 1]
        body = " ".join([summary] * 25)[:1500]
        items.append(
            StoryItem(
                feed_code="bench", item_key=f"item-{n}", url=f"https://bench-news.example/{n}",
                title=f"{title} ({n})", source="bench-news.example",
                published_at=published + dt.timedelta(seconds=n % 3600),
                first_seen_at=published + dt.timedelta(seconds=n % 3600 + 60),
                language=languages[index], summary=summary, body=body,
            )
        )  # fmt: skip
    return items


def _story_ingest(url: str) -> list[Figure]:
    """10,000 feed items ingested (COPY + merge of duplicates), matched to institutions and
    scored (``stories.ingest`` + ``matching.match_and_score``, commit included), beside a raw
    COPY of the same items into an unindexed table."""
    from presswatch.settings import get
    from presswatch.sla import matching, stories
    from presswatch.sla.items import FeedFetch

    settings = get()
    with db.connect(url) as conn:
        conn.execute(
            "INSERT INTO story_feed (code, kind, name, url) VALUES"
            " ('bench', 'rss', 'Bench news', 'https://bench-news.example/rss')"
            " ON CONFLICT (code) DO NOTHING"
        )
        matching.refresh_aliases(conn)
        conn.commit()
        items = _bench_items(conn, INGEST_ITEMS)
        raw_seconds = _raw_copy_items(conn, items)
        target = stories.feed(conn, "bench")
        _checkpoint(conn)
        started = time.perf_counter()
        ingested = stories.ingest(conn, target, FeedFetch(items=items), seen_at=SLA_SWEEP_AT)
        matched = matching.match_and_score(conn, settings)
        conn.commit()
        seconds = time.perf_counter() - started
        found = conn.execute(
            "SELECT count(DISTINCT si.story_id), count(*) FROM story_institution AS si"
            " JOIN story AS s ON s.id = si.story_id WHERE s.feed_id = %s",
            [target.id],
        ).fetchone()
    print(
        f"ingested and matched {len(items):,} items in {seconds:.2f} s (raw COPY {raw_seconds:.2f} s):"
        f" {ingested.new_stories:,} stories, {ingested.merged:,} merged; {found[0]:,} stories"
        f" matched to {found[1]:,} institutions; {matched}"
    )
    return [
        Figure(
            "stories_ingest_match_seconds", round(seconds, 2), "s",
            reference=round(raw_seconds, 3),
            reference_unit=f"s (raw COPY of the {len(items):,} items; target: < 10 s)",
        ),
        Figure("stories_ingested_items", len(items), "items"),
    ]  # fmt: skip


def _raw_copy_items(conn: psycopg.Connection, items: list) -> float:
    conn.execute(
        "CREATE TABLE bench_raw_item (item_key text, url text, title text, source text,"
        " language text, summary text, body text, published_at timestamptz,"
        " first_seen_at timestamptz)"
    )
    conn.commit()
    _checkpoint(conn)
    started = time.perf_counter()
    with conn.cursor().copy("COPY bench_raw_item FROM STDIN") as copy:
        for i in items:
            copy.write_row((i.item_key, i.url, i.title, i.source, i.language, i.summary, i.body,
                            i.published_at, i.first_seen_at))  # fmt: skip
    conn.commit()
    seconds = time.perf_counter() - started
    conn.execute("DROP TABLE bench_raw_item")
    conn.commit()
    return seconds


# --- R10: the semiannual rating ---------------------------------------------------------------

RATING_PERIOD = "2026-H1"  # the half-year that ends with END_DATE


def _rating(url: str) -> list[Figure]:
    """The half-year 2026-H1's rating (``rating.compute`` for every institution, commit
    included), beside one sequential scan of the half-year's posts in one process (target:
    within twice that); each the best of three rounds.

    The facts it reads are written set-based (``sql/bench/rating.sql``): a row per institution
    and day of the half-year and a row per head's account and ISO week, the weeks counted from
    the stored posts, as the half-year's daily compliance runs would have stored them (the rows
    of the days compliance computed above are replaced, with the same facts where the rating
    reads them). Running ``compliance.compute_day`` for each of the 181 days instead would take
    minutes (a second or two a day) and time nothing the rating does. The accreditation
    requests, media plans and events are the demo seed's, the clocks ``_sla_world``'s.

    The scan runs without parallel workers because the rating cannot have any: its statements
    write (into temporary tables), and PostgreSQL plans no parallel query for a statement that
    writes. With workers the scan is faster by up to the number of cores; that time is printed
    for information."""
    from presswatch.rating import compute
    from presswatch.rating.periods import HalfYear
    from presswatch.settings import get

    settings = get()
    period = HalfYear.parse(RATING_PERIOD)
    assert HalfYear.containing(END_DATE) == period, "the bench's year must end with the period"
    queries = db.named_statements((ROOT / "sql" / "bench" / "rating.sql").read_text())
    params = {
        "first_day": period.start, "end_day": period.end, "tz": settings.timezone,
        "platforms": list(settings.posting.required_platforms),
        "require_verified": settings.posting.require_verified,
        "wiki_langs": list(settings.wikipedia.languages),
        "min_posts": settings.posting.min_posts_per_week, "scope": settings.posting.scope,
        "settings_sha256": settings.sha256(),
    }  # fmt: skip
    with db.connect(url) as conn:
        started = time.perf_counter()
        for name in ("delete_institution_days", "delete_head_account_weeks"):
            conn.execute(queries[name], params)
        days = conn.execute(queries["institution_days"], params).rowcount
        weeks = conn.execute(queries["head_account_weeks"], params).rowcount
        conn.commit()
        facts_seconds = time.perf_counter() - started
        stories, clocks, requests, events = conn.execute(
            queries["half_year_counts"], params
        ).fetchone()
    with db.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) institution_compliance_daily, account_week_compliance")
        _checkpoint(conn)
    interval = period.interval(settings.timezone)
    # Best of three rounds, each from no rating of the period, for the rating and its reference
    # alike: one round moves by a third on this kind of machine.
    rounds, scans = [], []
    for _ in range(3):
        with db.connect(url) as conn:
            conn.execute("DELETE FROM notice WHERE kind LIKE 'rating%%'")
            conn.execute("DELETE FROM rating WHERE period = %s", [period.label])
            conn.commit()
        with db.connect(url, autocommit=True) as conn:
            _checkpoint(conn)
        with db.connect(url) as conn:
            posts, scan_seconds = _scan_posts(conn, interval, workers=False)
            scans.append(scan_seconds)
            started = time.perf_counter()
            report = compute.compute(conn, None, period)
            conn.commit()
            rounds.append(time.perf_counter() - started)
    with db.connect(url) as conn:
        _, parallel_scan_seconds = _scan_posts(conn, interval, workers=True)
    seconds, scan_seconds = min(rounds), min(scans)
    print(
        f"rating {period.label}: {seconds:.2f} s ({report.rated:,} of {report.institutions:,}"
        f" institutions rated, {report.held_accountable:,} held accountable); one seq scan of"
        f" the half-year's {posts:,} posts {scan_seconds:.2f} s ({parallel_scan_seconds:.2f} s"
        f" with parallel workers); facts written in {facts_seconds:.1f} s ({days:,} institution"
        f" days, {weeks:,} account weeks; {stories:,} stories, {clocks:,} clocks,"
        f" {requests:,} accreditation requests, {events:,} planned events in the half-year)"
    )
    return [
        Figure(
            "rating_sql_seconds", round(seconds, 2), "s",
            reference=round(scan_seconds, 3),
            reference_unit="s (one sequential scan of the half-year's posts, one process;"
                           " target: within 2x)",
        ),
        Figure("rating_institutions_rated", report.rated, "institutions"),
        Figure("rating_half_year_posts", posts, "posts"),
        Figure("rating_half_year_stories", stories, "stories"),
        Figure("rating_half_year_clocks", clocks, "clocks"),
        Figure("rating_half_year_institution_days", days, "rows"),
        Figure("rating_half_year_account_weeks", weeks, "rows"),
        Figure("rating_facts_seconds", round(facts_seconds, 1), "s"),
    ]  # fmt: skip


def _scan_posts(
    conn: psycopg.Connection, interval: tuple[dt.datetime, dt.datetime], *, workers: bool
) -> tuple[int, float]:
    """The posts in ``interval`` counted by a sequential scan (no index), and its seconds."""
    conn.execute("SET LOCAL enable_indexscan = off")
    conn.execute("SET LOCAL enable_bitmapscan = off")
    if not workers:
        conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    started = time.perf_counter()
    posts = conn.execute(
        "SELECT count(*) FROM post WHERE posted_at >= %s AND posted_at < %s", interval
    ).fetchone()[0]
    seconds = time.perf_counter() - started
    conn.rollback()
    return posts, seconds


def _rating_dag(url: str) -> list[Figure]:
    """The whole ``rating_semiannual`` run for 2026-H1 on the bench world, from no rating to
    every scorecard issued (3,000 notices with their PDFs) and the reports written to a folder:
    ``airflow dags test`` (one process: the tasks one after another, the scorecards rendered by
    ``rating.render_processes`` processes), Airflow's start included. The rating ``_rating``
    stored is removed first, so that the run computes it again."""
    from presswatch import airflow_env, local_airflow
    from presswatch.demo.run import airflow_command

    env = airflow_env.environment(url)
    reports = ROOT / ".presswatch" / "bench-reports"
    shutil.rmtree(reports, ignore_errors=True)
    env["PRESSWATCH_REPORTS_DIR"] = str(reports)
    local_airflow.metadata_migrate(env)
    with db.connect(url) as conn:
        conn.execute("DELETE FROM notice WHERE kind LIKE 'rating%%'")
        conn.execute("DELETE FROM rating WHERE period = %s", [RATING_PERIOD])
        conn.commit()
    with db.connect(url, autocommit=True) as conn:
        _checkpoint(conn)
    from presswatch.rating.periods import HalfYear

    # `airflow dags test` runs the data interval that ends at the date it is given.
    end = dt.datetime.combine(
        HalfYear.parse(RATING_PERIOD).end, dt.time(), dt.timezone(dt.timedelta(hours=5))
    )
    started = time.perf_counter()
    airflow_command(env, "dags", "test", "rating_semiannual", end.isoformat())
    seconds = time.perf_counter() - started
    with db.connect(url) as conn:
        notices, documents, size = conn.execute(
            "SELECT (SELECT count(*) FROM notice WHERE kind = 'rating_scorecard'),"
            " count(*), coalesce(sum(length(content)), 0) FROM rating_document"
        ).fetchone()
    files = sum(1 for p in reports.rglob("*") if p.is_file())
    print(
        f"rating_semiannual {RATING_PERIOD}: {seconds:.0f} s (airflow dags test); {notices:,}"
        f" scorecard notices, {documents:,} documents ({size / 2**20:.0f} MiB), {files:,} files"
        f" in {reports}"
    )
    return [
        Figure(
            "rating_dag_seconds", round(seconds, 1), "s",
            reference=120, reference_unit="s (target)",
        ),
        Figure("rating_scorecards_issued", notices, "notices"),
        Figure("rating_documents_size", round(size / 2**20), "MiB"),
    ]  # fmt: skip


def _ui_pages(url: str) -> list[Figure]:
    """The presswatch view's pages made from the bench world (``presswatch.ui.bench``): the
    league table's first page of the rating ``_rating_dag`` issued, the SLA board as of the last
    sweep, and the page of the institution with the most clocks; target under 1 s each."""
    from presswatch.ui import bench as ui_bench

    measured = ui_bench.page_seconds(url)
    print(f"presswatch view pages: {measured}")
    target = {"reference": ui_bench.TARGET_SECONDS, "reference_unit": "s (target)"}
    return [
        Figure(name, measured[name], "s", **target)
        for name in (
            "ui_league_page_seconds",
            "ui_sla_board_seconds",
            "ui_institution_page_seconds",
        )
    ]


# --- backfill through the scheduler ---------------------------------------------------------

BACKFILL_FROM = dt.date(2026, 6, 1)
BACKFILL_TO = END_DATE  # 30 days, inclusive
# What the README recommends for a backfill over days whose posts are stored: one fetch task per
# platform (they send no request), instead of one per 500 accounts (~76 a day here).
BACKFILL_CONF = {"batch_size": 10_000}
BACKFILL_PARALLEL_RUNS = 4
BACKFILL_TIMEOUT_SECONDS = 3600
COMPLIANCE_CHECKSUM = """
SELECT md5(string_agg(row_text, ',' ORDER BY row_text)) FROM (
    SELECT c::text AS row_text FROM institution_compliance_daily AS c
     WHERE c.day BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT a::text FROM account_compliance_daily AS a WHERE a.day BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT w::text FROM account_week_compliance AS w
     WHERE w.computed_on BETWEEN %(first)s AND %(last)s
) AS rows"""


def _tashkent_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.timezone(dt.timedelta(hours=5)))


def _backfill(url: str, *, days: int, posts_complete: bool) -> list[Figure]:
    """``airflow backfill create`` of ``social_activity_daily`` for the 30 days of June 2026,
    executed by a real scheduler (LocalExecutor, ``parallelism`` 4, as ``make up`` runs it)
    on the bench world, timed from the command to the last run's end; once one day after
    another (``--max-active-runs 1``, the command the DAG's docs give), then again over the same
    days with ``BACKFILL_PARALLEL_RUNS`` runs at a time (``--reprocess-behavior completed``),
    which must leave the same compliance rows. Reference: one ``airflow dags test`` of the day
    before (one process, Airflow's start included).

    The loaded posts are the simulator's every post, so each account's fetch coverage is set to
    the bench year, and its facts are marked read, as after live runs: the fetch tasks find
    every day stored and send no request (what a backfill over fetched days does); the
    Wikipedia checks go to the simulator. The reference is a live run's work: it also reads
    every account's facts from the platforms (the simulator)."""
    from presswatch import airflow_env, local_airflow, processes, simulator

    if not posts_complete:
        print("backfill: skipped (PRESSWATCH_BENCH_LOAD_POSTS loads only part of the posts)")
        return []
    with db.connect(url) as conn:
        # As after a year of live runs: every post fetched, the facts read (a backfill reads
        # an account's facts only if no run ever did).
        conn.execute(
            "UPDATE social_account SET covered_from = %s, covered_until = %s,"
            " facts_checked_at = coalesce(facts_checked_at, %s)",
            [_tashkent_midnight(END_DATE - dt.timedelta(days=days - 1)),
             _tashkent_midnight(END_DATE + dt.timedelta(days=1)),
             _tashkent_midnight(END_DATE + dt.timedelta(days=1))],
        )  # fmt: skip
        conn.commit()
    sim_port = local_airflow.free_port()
    sim_name = "bench-simulator"
    processes.start(
        sim_name,
        processes.python_argv("-m", "presswatch.cli", "simulator", "--port", str(sim_port)),
        env={**os.environ, "PRESSWATCH_DB_URL": url},
    )
    env = airflow_env.environment(url)
    cluster = None
    try:
        base_url = f"http://127.0.0.1:{sim_port}"
        deadline = time.monotonic() + 30
        while not simulator._healthy(base_url):
            if time.monotonic() > deadline or not processes.running(sim_name):
                raise RuntimeError(f"bench simulator did not start; {processes.log_path(sim_name)}")
            time.sleep(0.2)
        with db.connect(url) as conn:
            env.update(simulator.airflow_connections(conn, base_url))
        local_airflow.metadata_migrate(env)
        from presswatch.demo.run import airflow_command

        conf = json.dumps(BACKFILL_CONF)
        # `airflow dags test DATE` makes a run whose logical date is DATE (the day before's
        # interval): a day whose run would not take the backfill's first logical date.
        reference_day = BACKFILL_FROM - dt.timedelta(days=2)
        started = time.perf_counter()
        logical = _tashkent_midnight(reference_day + dt.timedelta(days=1)).isoformat()
        airflow_command(env, "dags", "test", "social_activity_daily", logical, "--conf", conf)
        reference = time.perf_counter() - started
        print(f"airflow dags test social_activity_daily {reference_day}: {reference:.1f} s")

        port = local_airflow.free_port()
        service_env = local_airflow.service_environment(env, port)
        service_env["AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE"] = "False"  # only the backfill runs
        cluster = local_airflow.LocalAirflow(
            env=service_env, port=port, services=("api-server", "scheduler", "dag-processor"),
            apps="execution", prefix="bench-airflow-",
        )  # fmt: skip
        cluster.start()
        cluster.wait_for_dags(["social_activity_daily"])
        cluster.set_paused(["social_activity_daily"], False)
        dates = ["--from-date", _tashkent_midnight(BACKFILL_FROM).isoformat(),
                 "--to-date", _tashkent_midnight(BACKFILL_TO).isoformat()]  # fmt: skip
        runs = (BACKFILL_TO - BACKFILL_FROM).days + 1
        checksum_params = {"first": BACKFILL_FROM, "last": BACKFILL_TO}

        sequential, tasks = _timed_backfill(cluster, service_env, [*dates, "--max-active-runs",
                                            "1", "--dag-run-conf", conf], runs)  # fmt: skip
        with db.connect(url) as conn:
            first_rows = conn.execute(COMPLIANCE_CHECKSUM, checksum_params).fetchone()[0]
        parallel, _ = _timed_backfill(
            cluster, service_env,
            [*dates, "--max-active-runs", str(BACKFILL_PARALLEL_RUNS), "--dag-run-conf", conf,
             "--reprocess-behavior", "completed"],
            runs,
        )  # fmt: skip
        with db.connect(url) as conn:
            second_rows = conn.execute(COMPLIANCE_CHECKSUM, checksum_params).fetchone()[0]
        if first_rows != second_rows:
            raise RuntimeError("the second backfill changed the compliance rows of its days")
    finally:
        if cluster is not None:
            cluster.stop()
        processes.stop(sim_name)
    print(
        f"backfill of {runs} days: {sequential:.0f} s one run at a time ({tasks} task instances),"
        f" {parallel:.0f} s with {BACKFILL_PARALLEL_RUNS} runs at a time (same compliance rows);"
        f" one day by `airflow dags test`: {reference:.1f} s"
    )
    return [
        Figure("backfill_30_days_seconds", round(sequential), "s",
               reference=round(reference, 1), reference_unit="s (airflow dags test of one day)"),
        Figure("backfill_30_days_task_instances", tasks, "task instances"),
        Figure(f"backfill_30_days_{BACKFILL_PARALLEL_RUNS}_runs_at_a_time_seconds",
               round(parallel), "s"),
    ]  # fmt: skip


def _timed_backfill(cluster, env: dict[str, str], args: list[str], runs: int) -> tuple[float, int]:
    """Seconds from ``airflow backfill create`` to the end of its last run, and its task
    instances; every run must succeed."""
    from presswatch.demo.run import airflow_command

    with psycopg.connect(cluster.metadata_url, autocommit=True) as conn:
        _wait_backfills_completed(conn)
        (before,) = conn.execute("SELECT coalesce(max(id), 0) FROM backfill").fetchone()
        started = time.perf_counter()
        airflow_command(env, "backfill", "create", "--dag-id", "social_activity_daily", *args)
        (backfill_id,) = conn.execute(
            "SELECT id FROM backfill WHERE id > %s ORDER BY id DESC LIMIT 1", [before]
        ).fetchone()
        not_created = conn.execute(
            "SELECT logical_date, exception_reason FROM backfill_dag_run"
            " WHERE backfill_id = %s AND dag_run_id IS NULL",
            [backfill_id],
        ).fetchall()
        if not_created:
            raise RuntimeError(f"backfill {backfill_id} created no run for {not_created}")
        deadline = time.monotonic() + BACKFILL_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            states = [state for (state,) in conn.execute(
                "SELECT state FROM dag_run WHERE backfill_id = %s", [backfill_id]).fetchall()]  # fmt: skip
            if "failed" in states:
                raise RuntimeError(f"backfill {backfill_id}: a run failed; see the task logs")
            if len(states) == runs and all(state == "success" for state in states):
                break
            if cluster.dead_service():
                raise RuntimeError(f"airflow {cluster.dead_service()} exited during the backfill")
            time.sleep(0.5)
        else:
            raise RuntimeError(f"backfill {backfill_id} not done in {BACKFILL_TIMEOUT_SECONDS} s")
        seconds = time.perf_counter() - started
        (tasks,) = conn.execute(
            "SELECT count(*) FROM task_instance ti JOIN dag_run dr USING (dag_id, run_id)"
            " WHERE dr.backfill_id = %s",
            [backfill_id],
        ).fetchone()
    return seconds, tasks


def _wait_backfills_completed(conn: psycopg.Connection, timeout: float = 90.0) -> None:
    """Airflow allows one unfinished backfill per DAG; the scheduler marks one completed some
    seconds after its last run."""
    deadline = time.monotonic() + timeout
    while conn.execute("SELECT count(*) FROM backfill WHERE completed_at IS NULL").fetchone()[0]:
        if time.monotonic() > deadline:
            raise RuntimeError("an earlier backfill is still not completed")
        time.sleep(0.5)


def main() -> int:
    institutions = int(os.environ.get("PRESSWATCH_BENCH_INSTITUTIONS", "3000"))
    days = int(os.environ.get("PRESSWATCH_BENCH_DAYS", "365"))
    url = _bench_url()
    print(f"bench database: {db.redact(url)} ({institutions} institutions, {days} days)")
    # Airflow's metadata of the bench's runs, made again each time (no run of an earlier bench
    # stands in the way of the backfill).
    os.environ.setdefault("PRESSWATCH_AIRFLOW_DB_URL", db.with_database(url, "airflow_bench"))
    db.drop_database(os.environ["PRESSWATCH_AIRFLOW_DB_URL"])
    only = [step for step in os.environ.get("PRESSWATCH_BENCH_ONLY", "").split(",") if step]
    if only:
        return _only(url, only, days)
    db.drop_database(url)
    migrate.migrate(url)
    with db.connect(url, autocommit=True) as conn:
        world.ensure_schema(conn)

    figures = _seed(url, institutions, days)
    limit = os.environ.get("PRESSWATCH_BENCH_LOAD_POSTS")
    figures += _load_posts(url, int(limit) if limit else None)
    figures += _compliance(url)
    figures += _sla_world(url, int(os.environ.get("PRESSWATCH_BENCH_STORIES", SLA_STORIES)))
    figures += _sla_sweep(url)
    figures += _story_ingest(url)
    figures += _rating(url)
    figures += _rating_dag(url)
    figures += _ui_pages(url)
    figures += _backfill(url, days=days, posts_complete=not limit)

    _write(figures)
    return 0


# Steps that can run again alone on the world an earlier full run left (PRESSWATCH_BENCH_ONLY).
ONLY_STEPS = ("ui", "backfill")


def _only(url: str, steps: list[str], days: int) -> int:
    """``PRESSWATCH_BENCH_ONLY=ui,backfill``: those steps again on the bench world an earlier
    ``make bench`` left (and its issued rating); their figures replace theirs in the results."""
    unknown = sorted(set(steps) - set(ONLY_STEPS))
    if unknown:
        raise SystemExit(f"PRESSWATCH_BENCH_ONLY: unknown steps {unknown}; known: {ONLY_STEPS}")
    figures: list[Figure] = []
    if "ui" in steps:
        figures += _ui_pages(url)
    if "backfill" in steps:
        figures += _backfill(url, days=days, posts_complete=True)
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    by_name = {f.name: f for f in figures}
    merged = [by_name.pop(row["name"], None) or Figure(**row) for row in kept]
    _write(merged + list(by_name.values()))
    return 0


def _write(figures: list[Figure]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
    width = max(len(f.name) for f in figures)
    print()
    for f in figures:
        reference = f"   (reference {f.reference:g} {f.reference_unit})" if f.reference else ""
        if float(f.value).is_integer():
            value = f"{f.value:>14,.0f}"
        else:
            value = f"{f.value:>14,.1f}" if f.value >= 1 else f"{f.value:>14,.3f}"
        print(f"  {f.name:<{width}}  {value} {f.unit}{reference}")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
