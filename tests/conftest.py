"""Shared fixtures: a real PostgreSQL database, a real SMTP server, the platform simulator,
and Airflow's metadata database on the same server.

Which PostgreSQL server: ``PRESSWATCH_TEST_DB_URL`` or ``PRESSWATCH_DB_URL`` when set (the tests
create and drop their own databases on it), else the embedded server, which is started for the
session and stopped afterwards unless it was already running or another client (a second test
session, the bench) still uses it.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import psycopg
import pytest

from presswatch import db, dbserver, migrate
from presswatch.simulator import world

_ROOT = Path(__file__).resolve().parents[1]
_SESSION = uuid.uuid4().hex[:8]

# The server is settled before Airflow is imported, because Airflow reads its database URL
# from the environment at import time.
_CONFIGURED = os.environ.get("PRESSWATCH_TEST_DB_URL") or os.environ.get("PRESSWATCH_DB_URL")
_EMBEDDED_WAS_RUNNING = _CONFIGURED is None and dbserver.is_running()
SERVER_URL = _CONFIGURED or dbserver.start()
AIRFLOW_DB_URL = db.with_database(SERVER_URL, f"airflow_test_{_SESSION}")

_AIRFLOW_HOME = _ROOT / ".presswatch" / f"airflow-test-{_SESSION}"
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db.sqlalchemy_url(AIRFLOW_DB_URL),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(_AIRFLOW_HOME / "logs"),
        # The shipped DAGs, plus DAGs that exist only for tests (tests/dags), each a bundle.
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(
            [
                {
                    "name": "dags-folder",
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                    "kwargs": {},
                },
                {
                    "name": "test-dags",
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                    "kwargs": {"path": str(_ROOT / "tests" / "dags")},
                },
            ]
        ),
    }
)

pytest_plugins = ["fixtures_smtp", "fixtures_simulator", "fixtures_airflow"]

# Tables that hold reference data written by migrations: never truncated between tests.
_KEEP = {"region", "_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock",
         migrate.CHECKSUM_TABLE}  # fmt: skip


def pytest_sessionfinish(session, exitstatus):
    """Drop the session's Airflow database and stop the embedded server if the tests started it."""
    import shutil
    import sys

    if "airflow.settings" in sys.modules:  # close Airflow's pooled connections first
        sys.modules["airflow.settings"].dispose_orm()
    db.drop_database(AIRFLOW_DB_URL)
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)
    if _CONFIGURED is None and not _EMBEDDED_WAS_RUNNING and not _other_clients():
        dbserver.stop()


def _other_clients() -> list[str]:
    """The databases other clients of the embedded server are connected to (a second ``pytest``,
    ``make bench`` or ``make demo`` started in the same checkout while this session ran):
    stopping the server under them would fail their work, so it is left running for them
    (``make stop`` stops it)."""
    with psycopg.connect(db.with_database(SERVER_URL, "postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT datname FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND datname IS NOT NULL"
            "   AND pid <> pg_backend_pid()"
        ).fetchall()
    return [name for (name,) in rows]


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database for this session, created and migrated on first use."""
    db.ensure_database(AIRFLOW_DB_URL)
    from airflow.utils import db as airflow_db_utils

    airflow_db_utils.resetdb()
    return AIRFLOW_DB_URL


@pytest.fixture(scope="session")
def server_url():
    """A URL to the PostgreSQL server the tests use (no particular database)."""
    return SERVER_URL


@pytest.fixture(scope="session")
def db_url(server_url):
    """A fresh, migrated domain database for this session; exported as PRESSWATCH_DB_URL."""
    url = db.with_database(server_url, f"presswatch_test_{_SESSION}")
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
