"""``make demo``: set everything up on embedded defaults and show what was done.

Steps: the database server (embedded unless PRESSWATCH_DB_URL is set), the domain schema,
Airflow's metadata database on the same server, the demo world (the 28 institutions of
``include/demo_registry`` with invented people, and their simulated platforms and history up to
``DEMO_END``), the platform simulator in the background, then the pipelines, each run with
``airflow dags test`` against the simulator: ``social_activity_daily`` for the last Sunday of
the demo period (weekly lapses) and its last day (a month end: monthly notices); then
``critical_story_sla_hourly`` for each hour of that last day (``presswatch.demo.sla_day``: one
process, ``dag.test()`` per hour); then ``rating_semiannual`` for the half-year the demo period
lies in, which writes the agency's report and every scorecard under ``out/reports``. The demo period is fixed, so every ``make demo`` shows the
same findings.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from presswatch import airflow_env, db, local_airflow, migrate
from presswatch.errors import PresswatchError
from presswatch.rating.periods import HalfYear

DEMO_INSTITUTIONS = 28  # the institutions of include/demo_registry
DEMO_SEED = 1
DEMO_DAYS = 60
DEMO_END = dt.date(2026, 3, 31)  # a Tuesday and a month end
DEMO_DAYS_RUN = (dt.date(2026, 3, 29), DEMO_END)  # the last Sunday, the last day
# The half-year the demo rates: the one the demo period lies in (its facts: the days the demo
# ran the daily pipeline for, and the day of critical stories).
DEMO_HALF_YEAR = HalfYear.containing(DEMO_END)
SIMULATOR_PORT = 8765
TASHKENT = dt.timezone(dt.timedelta(hours=5))


def _step(title: str) -> float:
    print(f"==> {title}", flush=True)
    return time.perf_counter()


def airflow_command(env: dict[str, str], *args: str) -> None:
    airflow = Path(sys.executable).parent / "airflow"
    result = subprocess.run(
        [str(airflow), *args], env={**os.environ, **env}, capture_output=True, text=True
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise PresswatchError(f"`airflow {' '.join(args)}` failed:\n{tail}")


def prepare(
    summary: list[tuple[str, str]], *, simulator_port: int = SIMULATOR_PORT, seed: bool = True
) -> tuple[str, dict[str, str]]:
    """The database server, the domain schema, Airflow's metadata database, the demo world
    (built again unless ``seed`` is false) and the simulator; returns the domain database's URL
    and the Airflow environment (with the simulator's connections)."""
    _step("database server")
    server = db.server_url()
    kind = "configured (PRESSWATCH_DB_URL)" if db.configured_url() else "embedded (pgserver)"
    summary.append(("PostgreSQL", f"{kind}: {db.redact(server)}"))

    _step("domain schema")
    domain = db.domain_url()
    report = migrate.migrate(domain)
    summary.append(
        (
            "domain database",
            f"{db.redact(domain)}; {len(report.applied)} migration(s) applied now, "
            f"{len(report.applied) + len(report.already_applied)} in all",
        )
    )

    _step("Airflow metadata database")
    env = airflow_env.environment(domain)
    metadata = airflow_env.metadata_url(domain)
    local_airflow.metadata_migrate(env)
    summary.append(("Airflow metadata", f"{db.redact(metadata)}; migrated"))

    if seed:
        _step("demo world")
        from presswatch.demo import generator

        with db.connect(domain) as conn:
            seeded = generator.seed(
                conn, institutions=DEMO_INSTITUTIONS, seed=DEMO_SEED, days=DEMO_DAYS,
                end_date=DEMO_END,
            )  # fmt: skip
        print(seeded.summary())
        summary.append(
            (
                "demo world",
                f"{seeded.institutions} institutions, {seeded.rows.get('official', 0)} officials, "
                f"{seeded.rows.get('social_account', 0)} social accounts; "
                f"{seeded.rows.get('sim.post', 0):,} simulated posts "
                f"{seeded.start_date}..{seeded.end_date}",
            )
        )

    _step("platform simulator")
    from presswatch import simulator

    simulator.run(port=simulator_port, background=True)
    base_url = f"http://127.0.0.1:{simulator_port}"
    with db.connect(domain) as conn:
        env.update(simulator.airflow_connections(conn, base_url))
    summary.append(("platform simulator", f"{base_url} (`make stop` stops it)"))
    return domain, env


def run_pipelines(domain: str, env: dict[str, str], summary: list[tuple[str, str]]) -> None:
    """The daily pipeline for the demo's last Sunday and last day, the SLA sweep for each hour
    of the last day, and the half-year's rating (each as ``airflow dags test``)."""
    for day in DEMO_DAYS_RUN:
        _step(f"social_activity_daily for {day} ({day:%A})")
        logical = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TASHKENT)
        run_started = time.perf_counter()
        airflow_command(env, "dags", "test", "social_activity_daily", logical.isoformat())
        summary.append(
            (
                f"social_activity_daily {day}",
                f"airflow dags test: success in {time.perf_counter() - run_started:.0f} s",
            )
        )
    with db.connect(domain) as conn:
        summary += findings(conn, DEMO_DAYS_RUN)

    _step(f"critical_story_sla_hourly for each hour of {DEMO_END} (dag.test)")
    run_started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "presswatch.demo.sla_day", DEMO_END.isoformat()],
        env={**os.environ, **env}, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise PresswatchError(f"critical_story_sla_hourly failed:\n{tail}")
    # One line per hour (Airflow's own log lines of each dag.test stay out of the summary).
    print("\n".join(line for line in result.stdout.splitlines() if line.startswith("  20")))
    summary.append(
        (
            f"critical_story_sla_hourly {DEMO_END}",
            f"24 hourly runs (dag.test): success in {time.perf_counter() - run_started:.0f} s",
        )
    )
    with db.connect(domain) as conn:
        summary += story_findings(conn, DEMO_END)

    _step(f"rating_semiannual for {DEMO_HALF_YEAR} (airflow dags test)")
    run_started = time.perf_counter()
    logical = dt.datetime.combine(DEMO_HALF_YEAR.end, dt.time(), TASHKENT)
    airflow_command(env, "dags", "test", "rating_semiannual", logical.isoformat())
    summary.append(
        (
            f"rating_semiannual {DEMO_HALF_YEAR}",
            f"airflow dags test: success in {time.perf_counter() - run_started:.0f} s",
        )
    )
    with db.connect(domain) as conn:
        summary += rating_findings(conn)


def main() -> int:
    started = time.perf_counter()
    summary: list[tuple[str, str]] = []
    domain, env = prepare(summary)
    run_pipelines(domain, env, summary)

    _step("sample notices")
    from presswatch.notices import preview

    rendered = preview.write_all()
    summary.append(
        (
            "sample notices",
            f"{sum(len(p) for p in rendered.values())} rendered in "
            f"{preview.OUT.relative_to(preview.ROOT)}/<kind>/<language>.html (and .txt):",
        )
    )
    for kind, paths in rendered.items():
        summary.append(("", f"  {kind}: {', '.join(p.name for p in paths)}"))

    print()
    print(f"presswatch demo: done in {time.perf_counter() - started:.1f} s")
    width = max(len(name) for name, _ in summary)
    for name, text in summary:
        print(f"  {name:<{width}}  {text}")
    print("  next: `make test`; `make stop` stops the simulator and the embedded database")
    return 0


def findings(conn: psycopg.Connection, days: tuple[dt.date, ...]) -> list[tuple[str, str]]:
    """What the runs found: the week's lapses account by account, and the day's summary."""
    rows: list[tuple[str, str]] = []
    sunday = max(day for day in days if day.isoweekday() == 7)
    lapses = conn.execute(
        "SELECT i.code, o.full_name, w.platform, a.handle, w.posts_in_week"
        "  FROM account_week_compliance AS w"
        "  JOIN social_account AS a ON a.id = w.account_id"
        "  JOIN institution AS i ON i.id = w.institution_id"
        "  JOIN official AS o ON o.id = w.official_id"
        " WHERE w.computed_on = %s AND NOT w.met"
        " ORDER BY w.posts_in_week, i.code, w.platform",
        [sunday],
    ).fetchall()
    accounts = conn.execute(
        "SELECT count(*) FROM account_week_compliance WHERE computed_on = %s", [sunday]
    ).fetchone()[0]
    year, week, _ = sunday.isocalendar()
    rows.append(
        (
            f"R2 lapses {year}-W{week:02d}",
            f"{len(lapses)} of {accounts} heads' accounts posted fewer than 3 times:",
        )
    )
    for code, name, platform, handle, posts in lapses[:15]:
        rows.append(("", f"  {posts} posts  {platform:<9} @{handle:<24} {name} ({code})"))
    if len(lapses) > 15:
        rows.append(("", f"  ... and {len(lapses) - 15} more (table account_week_compliance)"))
    day = max(days)
    r1, r4, r7 = conn.execute(
        "SELECT count(*) FILTER (WHERE NOT r1_ok), sum(r4_pending_overdue),"
        "       count(*) FILTER (WHERE cardinality(r7_missing_wiki_langs) > 0)"
        "  FROM institution_compliance_daily WHERE day = %s",
        [day],
    ).fetchone()
    rows.append(
        (
            f"compliance {day}",
            f"R1 not met by {r1} institutions; {r4} accreditation requests overdue; "
            f"Wikipedia pages missing for {r7} institutions",
        )
    )
    notices = conn.execute(
        "SELECT kind, count(*) FROM notice GROUP BY kind ORDER BY kind"
    ).fetchall()
    rows.append(
        (
            "notices written",
            ", ".join(f"{kind} {n}" for kind, n in notices)
            + " (suppressed: a manual run does not send; see table notice)",
        )
    )
    return rows


def story_findings(conn: psycopg.Connection, day: dt.date) -> list[tuple[str, str]]:
    """What the hourly runs found: stories, clocks by stage, and per institution its open,
    breached and escalated clocks as of the end of ``day``."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TASHKENT)
    stories, critical, merged, quarantined = conn.execute(
        "SELECT (SELECT count(*) FROM story), (SELECT count(*) FROM story WHERE is_critical),"
        "       (SELECT count(*) FROM story_item) - (SELECT count(*) FROM story),"
        "       (SELECT count(*) FROM quarantine WHERE source !~ '^registry:')"
    ).fetchone()
    rows: list[tuple[str, str]] = [
        (
            "R3 stories",
            f"{stories} stories ingested ({merged} duplicate items merged), {critical} critical;"
            f" {quarantined} bad items or responses in quarantine",
        )
    ]
    stages = conn.execute(
        "SELECT stage, count(*) FROM story_sla GROUP BY stage ORDER BY stage"
    ).fetchall()
    rows.append(("R3 clocks", ", ".join(f"{stage} {n}" for stage, n in stages) or "none"))
    per_institution = conn.execute(
        "SELECT i.code,"
        "       count(*) FILTER (WHERE sla.closed_at IS NULL) AS open,"
        "       count(*) FILTER (WHERE sla.stage = 'breached') AS breached,"
        "       count(*) FILTER (WHERE sla.stage = 'escalated') AS escalated,"
        "       count(*) FILTER (WHERE sla.stage = 'fulfilled_late') AS late"
        "  FROM story_sla AS sla JOIN institution AS i ON i.id = sla.institution_id"
        " GROUP BY i.code HAVING count(*) FILTER (WHERE sla.closed_at IS NULL) > 0"
        " ORDER BY 4 DESC, 3 DESC, 2 DESC, 1"
    ).fetchall()
    rows.append(
        (
            f"R3 as of {end:%Y-%m-%d %H:%M}",
            f"{len(per_institution)} institutions with open clocks (open / breached /"
            " escalated / answered late):",
        )
    )
    for code, open_, breached, escalated, late in per_institution[:15]:
        rows.append(("", f"  {open_:>3} / {breached:>3} / {escalated:>3} / {late:>3}  {code}"))
    if len(per_institution) > 15:
        rows.append(("", f"  ... and {len(per_institution) - 15} more (table story_sla)"))
    notices = conn.execute(
        "SELECT kind, status, count(*) FROM notice WHERE kind LIKE 'story_sla%%'"
        " GROUP BY kind, status ORDER BY kind, status"
    ).fetchall()
    rows.append(
        (
            "R3 notices",
            ", ".join(f"{kind} {n} {status}" for kind, status, n in notices) or "none",
        )
    )
    return rows


def rating_findings(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """The demo rating's outcome and where its reports are."""
    from presswatch.rating import dispute, pipeline

    window = dispute.window(conn, DEMO_HALF_YEAR)
    bands = dict(
        conn.execute(
            "SELECT coalesce(band, 'not rated'), count(*) FROM rating_result"
            " WHERE rating_id = %s GROUP BY 1",
            [window.rating_id],
        ).fetchall()
    )
    folder = pipeline.reports_dir() / f"{window.period}-v{window.version}"
    shown = sorted((folder / "scorecards").glob("*.pdf"))[:3]
    rows = [
        (
            f"rating {window.period}",
            f"version {window.version}, {window.status} until {window.closes_on}; "
            + ", ".join(f"{bands.get(b, 0)} {b}" for b in ("green", "yellow", "red", "not rated")),
        ),
        ("agency report", str(folder / "agency.pdf")),
        ("", str(folder / "agency.html")),
        ("", str(folder / "rating.csv")),
    ]
    rows += [("scorecards" if i == 0 else "", str(p)) for i, p in enumerate(shown)]
    count = len(list((folder / "scorecards").glob("*.pdf")))
    rows.append(("", f"... {count} scorecards (PDF, HTML, CSV) in {folder / 'scorecards'}"))
    return rows
