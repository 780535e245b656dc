"""``make bench``: national-scale figures, printed as a table and written to bench/results.json.

It works in a database of its own (``presswatch_bench`` on the configured or embedded server,
or ``PRESSWATCH_BENCH_DB_URL``), which it rebuilds each time. Scale: 3,000 institutions and a
year of history unless ``PRESSWATCH_BENCH_INSTITUTIONS`` / ``PRESSWATCH_BENCH_DAYS`` say
otherwise. Every simulated post is loaded into ``post`` unless ``PRESSWATCH_BENCH_LOAD_POSTS``
caps them (for quick runs; the compliance figures then see only part of the posts). Each figure
is an object with ``name``, ``value``, ``unit`` and, where a reference is asked for,
``reference`` and ``reference_unit``; later pipelines add their figures.
"""

from __future__ import annotations

import datetime as dt
import json
import os
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


def main() -> int:
    institutions = int(os.environ.get("PRESSWATCH_BENCH_INSTITUTIONS", "3000"))
    days = int(os.environ.get("PRESSWATCH_BENCH_DAYS", "365"))
    url = _bench_url()
    print(f"bench database: {db.redact(url)} ({institutions} institutions, {days} days)")
    db.drop_database(url)
    migrate.migrate(url)
    with db.connect(url, autocommit=True) as conn:
        world.ensure_schema(conn)

    figures = _seed(url, institutions, days)
    limit = os.environ.get("PRESSWATCH_BENCH_LOAD_POSTS")
    figures += _load_posts(url, int(limit) if limit else None)
    figures += _compliance(url)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
    width = max(len(f.name) for f in figures)
    print()
    for f in figures:
        reference = f"   (reference {f.reference:g} {f.reference_unit})" if f.reference else ""
        value = f"{f.value:>14,.0f}" if float(f.value).is_integer() else f"{f.value:>14,.1f}"
        print(f"  {f.name:<{width}}  {value} {f.unit}{reference}")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0
