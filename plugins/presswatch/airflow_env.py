"""The environment Airflow runs in for this project: its home, folders and metadata database on
the same PostgreSQL server as the domain database, and the ``presswatch_db`` connection."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from psycopg import conninfo

from presswatch import db
from presswatch.paths import DAGS, ROOT, state_dir


def metadata_url(domain_url: str) -> str:
    """Airflow's metadata database: ``PRESSWATCH_AIRFLOW_DB_URL`` when set, else the database
    ``airflow`` on the domain database's server."""
    return os.environ.get("PRESSWATCH_AIRFLOW_DB_URL") or db.with_database(
        domain_url, db.AIRFLOW_DATABASE
    )


def environment(domain_url: str | None = None) -> dict[str, str]:
    """Variables to run ``airflow ...`` against this project (added to os.environ by callers)."""
    domain = domain_url or db.domain_url()
    metadata = metadata_url(domain)
    params = conninfo.conninfo_to_dict(domain)
    connection = {
        "conn_type": "postgres",
        "host": params.get("host") or "127.0.0.1",
        "port": int(params.get("port") or 5432),
        "login": params.get("user") or "postgres",
        "password": params.get("password") or "",
        "schema": params.get("dbname") or db.DOMAIN_DATABASE,
    }
    venv_bin = str(Path(sys.executable).parent)
    return {
        "AIRFLOW_HOME": str(state_dir() / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # LocalExecutor starts this many worker processes; the default (32) is ~4.6 GB.
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db.sqlalchemy_url(metadata),
        "AIRFLOW_CONN_PRESSWATCH_DB": json.dumps(connection),
        "PRESSWATCH_DB_URL": domain,
        # `airflow standalone` starts its parts by calling `airflow` from PATH.
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
    }


def shell_exports(env: dict[str, str]) -> str:
    import shlex

    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in env.items())
