"""``make bench``: national-scale figures, printed as a table and written to bench/results.json.

It works in a database of its own (``presswatch_bench`` on the configured or embedded server,
or ``PRESSWATCH_BENCH_DB_URL``), which it rebuilds each time. Scale: 3,000 institutions and a
year of history unless ``PRESSWATCH_BENCH_INSTITUTIONS`` / ``PRESSWATCH_BENCH_DAYS`` say
otherwise. Each figure is an object with ``name``, ``value``, ``unit`` and, where a reference
is asked for, ``reference`` and ``reference_unit``; later pipelines add their figures.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import asdict, dataclass

from presswatch import db, migrate
from presswatch.paths import ROOT
from presswatch.simulator import world

RESULTS = ROOT / "bench" / "results.json"
# A fixed period, so that figures from different days compare.
END_DATE = dt.date(2026, 6, 30)


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


def _load_posts(url: str, limit: int) -> list[Figure]:
    """Posts loaded per second through ``ingest.load_posts`` (staging COPY + upsert into the
    indexed ``post`` table), against a raw COPY of the same rows into an unindexed table."""
    from collections import namedtuple

    from presswatch import ingest

    post = namedtuple("post", "platform_post_id posted_at permalink text_excerpt")
    with db.connect(url) as conn:
        rows = conn.execute(
            "SELECT a.id, p.post_id, p.created_at, NULL, left(p.text, %s)"
            "  FROM sim.post AS p JOIN social_account AS a"
            "    ON a.platform = p.platform AND a.external_id = p.account_external_id"
            " LIMIT %s",
            [ingest.EXCERPT_LENGTH, limit],
        ).fetchall()
        conn.execute(
            "CREATE TABLE bench_raw_post (account_id bigint, platform_post_id text,"
            " posted_at timestamptz, permalink text, text_excerpt text)"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor().copy("COPY bench_raw_post FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        raw_rate = len(rows) / (time.perf_counter() - started)
        conn.execute("DROP TABLE bench_raw_post")
        conn.execute("TRUNCATE post")
        conn.commit()
        started = time.perf_counter()
        report = ingest.load_posts(conn, ((r[0], post(*r[1:])) for r in rows))
        conn.commit()
        load_rate = len(rows) / (time.perf_counter() - started)
    assert report.inserted == len(rows), report
    return [
        Figure(
            "posts_loaded_per_second", round(load_rate), "posts/s",
            reference=round(raw_rate), reference_unit="posts/s (raw COPY, unindexed table)",
        ),
        Figure("posts_loaded_sample", len(rows), "posts"),
    ]  # fmt: skip


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
    figures += _load_posts(url, int(os.environ.get("PRESSWATCH_BENCH_LOAD_POSTS", "1000000")))

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
