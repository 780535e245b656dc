"""Helpers shared by test modules (fixtures live in conftest.py and fixtures_*.py)."""

from __future__ import annotations


def run_dag(dag, **kwargs):
    """``dag.test()`` with retries off: a failing task fails the test at once, not after the
    production retry delays."""
    for task in dag.tasks:
        task.retries = 0
    return dag.test(**kwargs)


# Connector extras for tests against the simulator: short timeouts and waits, few retries.
FAST_CONNECTORS = {"timeout": 5, "max_retries": 3, "throttle_wait": 0.05}


def seed_world(url: str, simulator_url: str, **seed) -> dict[str, str]:
    """Empty the database, seed the demo world (``presswatch.demo.generator.seed``'s arguments)
    and return the Airflow connections (``AIRFLOW_CONN_*``) to the simulator serving it."""
    from conftest import truncate_all

    from presswatch import db
    from presswatch.demo import generator
    from presswatch.simulator import airflow_connections

    truncate_all(url)
    with db.connect(url) as conn:
        generator.seed(conn, **seed)
        return airflow_connections(conn, simulator_url, FAST_CONNECTORS)


DAILY_PARAMS = {"institution_codes": [], "platforms": ["facebook", "x", "instagram", "telegram"],
                "dry_run": False, "batch_size": 500}  # fmt: skip


def fetch_day(url: str, day, run: dict) -> list[dict]:
    """``social_activity_daily``'s fetch tasks for ``day`` (one per batch of 500), with the
    connectors the tasks build from the Airflow connections; their reports."""
    from presswatch import db
    from presswatch.activity import daily

    with db.connect(url) as conn:
        batches = daily.plan_batches(conn, DAILY_PARAMS["platforms"], None, 500)
    return [daily.fetch_task(url, b, day, params=DAILY_PARAMS, run=run) for b in batches]


def run_daily_days(url: str, days, *, run: dict, send: bool) -> None:
    """``social_activity_daily`` for each of ``days`` as its tasks do it (fetch per batch of
    500, Wikipedia, compliance, notices); ``run`` is the run the tasks are told they belong to."""
    from presswatch.activity import daily

    for day in days:
        fetch_day(url, day, run)
        daily.wikipedia_task(url, day, params=DAILY_PARAMS, run=run)
        daily.compliance_task(url, day, params=DAILY_PARAMS)
        daily.notices_task(url, day, params=DAILY_PARAMS, send=send, run=run)


def differences(found: dict[str, list], expected: dict[str, list]) -> str:
    """The rows that differ, table by table (a readable failure message; '' when none)."""
    lines = []
    for name in expected:
        extra = [row for row in found[name] if row not in expected[name]]
        missing = [row for row in expected[name] if row not in found[name]]
        for label, rows in (("not in the live runs", extra), ("only in the live runs", missing)):
            lines += [f"{name} {label}: {row}" for row in rows[:8]]
    return "\n".join(lines)
