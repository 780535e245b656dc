"""Shared fixtures: a real PostgreSQL database, a real SMTP server, the platform simulator.

Which PostgreSQL server: ``PRESSWATCH_TEST_DB_URL`` or ``PRESSWATCH_DB_URL`` when set (any
database on that server; the tests create and drop their own), else the embedded server, which
is started for the session and stopped afterwards unless it was already running.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

# Airflow reads its configuration at import time: set it before anything imports Airflow.
_ROOT = Path(__file__).resolve().parents[1]
_AIRFLOW_HOME = _ROOT / ".presswatch" / "airflow-test"
_AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(_ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"

import psycopg  # noqa: E402
import pytest  # noqa: E402

from presswatch import db, dbserver, migrate  # noqa: E402
from presswatch.simulator import world  # noqa: E402

pytest_plugins = ["fixtures_smtp", "fixtures_simulator"]

# Tables that hold reference data written by migrations: never truncated between tests.
_KEEP = {"region", "_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock",
         migrate.CHECKSUM_TABLE}


@pytest.fixture(scope="session")
def server_url():
    """A URL to the PostgreSQL server the tests use (no particular database)."""
    configured = os.environ.get("PRESSWATCH_TEST_DB_URL") or os.environ.get("PRESSWATCH_DB_URL")
    if configured:
        yield configured
        return
    was_running = dbserver.is_running()
    url = dbserver.start()
    yield url
    if not was_running:
        dbserver.stop()


@pytest.fixture(scope="session")
def db_url(server_url):
    """A fresh, migrated domain database for this session; exported as PRESSWATCH_DB_URL."""
    url = db.with_database(server_url, f"presswatch_test_{uuid.uuid4().hex[:8]}")
    migrate.migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        world.ensure_schema(conn)
    previous = os.environ.get("PRESSWATCH_DB_URL")
    os.environ["PRESSWATCH_DB_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("PRESSWATCH_DB_URL", None)
    else:
        os.environ["PRESSWATCH_DB_URL"] = previous
    db.drop_database(url)


def truncate_all(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "SELECT schemaname, tablename FROM pg_tables"
                " WHERE schemaname IN ('public', 'sim') ORDER BY 1, 2"
            ).fetchall()
            if name not in _KEEP
        ]
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture
def clean_db(db_url):
    """The session database with every domain and simulator table emptied."""
    truncate_all(db_url)
    return db_url


@pytest.fixture
def conn(clean_db):
    """A connection to an emptied database; committed work is visible to other connections."""
    with psycopg.connect(clean_db) as connection:
        yield connection
