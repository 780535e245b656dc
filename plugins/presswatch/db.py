"""Connections to the presswatch domain database.

Which database: ``PRESSWATCH_DB_URL`` (a libpq URL, e.g.
``postgresql://postgres@127.0.0.1:5432/presswatch``) when set; otherwise the embedded server
(``presswatch.dbserver``), started on demand, database ``presswatch``. Inside Airflow the same
URL reaches tasks as the connection ``presswatch_db`` (``AIRFLOW_CONN_PRESSWATCH_DB``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import conninfo, sql

from presswatch import dbserver
from presswatch.errors import PresswatchError
from presswatch.paths import QUERIES

DOMAIN_DATABASE = "presswatch"
AIRFLOW_DATABASE = "airflow"


def configured_url() -> str | None:
    return os.environ.get("PRESSWATCH_DB_URL") or None


def server_url() -> str:
    """A URL for the server (any database on it): the configured one, else the embedded one."""
    url = configured_url()
    if url:
        return url
    return dbserver.start()


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials as ``url``, another database, as a libpq URL."""
    params = conninfo.conninfo_to_dict(url)
    params["dbname"] = dbname
    return to_url(params)


def to_url(params: dict, scheme: str = "postgresql") -> str:
    """A URL from libpq parameters; a socket directory is passed as the ``host`` query value."""
    user = quote(params.get("user") or "postgres", safe="")
    password = params.get("password")
    auth = user + (":" + quote(password, safe="") if password else "")
    host = params.get("host") or ""
    port = params.get("port")
    dbname = quote(params.get("dbname") or "postgres", safe="")
    if host.startswith("/"):
        query = f"?host={quote(host, safe='/')}" + (f"&port={port}" if port else "")
        return f"{scheme}://{auth}@/{dbname}{query}"
    netloc = host + (f":{port}" if port else "")
    return f"{scheme}://{auth}@{netloc}/{dbname}"


def sqlalchemy_url(url: str) -> str:
    """The same database as a SQLAlchemy URL with the psycopg 3 driver (for Airflow)."""
    return to_url(conninfo.conninfo_to_dict(url), scheme="postgresql+psycopg")


def domain_url() -> str:
    """The domain database's URL: ``PRESSWATCH_DB_URL`` as given, or the embedded server's."""
    return configured_url() or with_database(dbserver.start(), DOMAIN_DATABASE)


def ensure_database(url: str) -> bool:
    """Create the database that ``url`` names if the server lacks it; return True if created."""
    dbname = conninfo.conninfo_to_dict(url).get("dbname") or "postgres"
    try:
        admin = psycopg.connect(with_database(url, "postgres"), autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise PresswatchError(f"cannot reach the database server at {redact(url)}: {exc}") from exc
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if exists:
            return False
        admin.execute(
            sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(dbname)
            )
        )
        return True


def drop_database(url: str) -> None:
    dbname = conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    """A connection to the domain database (``url`` or the configured/embedded one)."""
    target = url or domain_url()
    try:
        return psycopg.connect(target, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        raise PresswatchError(f"cannot connect to {redact(target)}: {exc}") from exc


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    params = conninfo.conninfo_to_dict(url)
    if params.get("password"):
        params["password"] = "***"
    return to_url(params)


def query(name: str) -> str:
    """The text of ``sql/queries/<name>.sql`` (values are always bound, never pasted in)."""
    path = Path(QUERIES, f"{name}.sql")
    if not path.exists():
        raise PresswatchError(f"no query file {path}")
    return path.read_text(encoding="utf-8")


def named_queries(name: str) -> dict[str, str]:
    """The statements of ``sql/queries/<name>.sql``, each introduced by a ``-- name: X`` line."""
    return named_statements(query(name))


def named_statements(sql_text: str) -> dict[str, str]:
    """Split SQL text into statements, each introduced by a ``-- name: X`` line."""
    queries: dict[str, str] = {}
    current: str | None = None
    for line in sql_text.splitlines(keepends=True):
        if line.startswith("-- name:"):
            current = line.split(":", 1)[1].strip()
            queries[current] = ""
        elif current is not None:
            queries[current] += line
    return {key: text.strip() for key, text in queries.items()}
