"""Schema migrations: versioned ``sql/migrations/*.sql`` files applied by yoyo-migrations.

yoyo records applied migrations (table ``_yoyo_migration``) and never re-applies one. It keys
them by id only, so this module also records each applied file's SHA-256 and refuses to run
when an applied migration was edited or deleted: a schema change is always a new file.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from presswatch import db
from presswatch.errors import PresswatchError
from presswatch.paths import MIGRATIONS

CHECKSUM_TABLE = "_presswatch_migration_checksum"


@dataclass(frozen=True)
class MigrationReport:
    created_database: bool
    applied: list[str]
    already_applied: list[str]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _yoyo_url(url: str) -> str:
    # yoyo names its psycopg 3 backend as SQLAlchemy does: postgresql+psycopg://
    return db.sqlalchemy_url(url)


def _migration_files(directory: Path) -> dict[str, Path]:
    return {
        p.stem: p for p in sorted(directory.glob("*.sql")) if not p.name.endswith(".rollback.sql")
    }


def _verify_unchanged(conn: psycopg.Connection, files: dict[str, Path]) -> None:
    recorded = dict(
        conn.execute(
            sql.SQL("SELECT migration_id, sha256 FROM {}").format(sql.Identifier(CHECKSUM_TABLE))
        ).fetchall()
    )
    for migration_id, sha in recorded.items():
        path = files.get(migration_id)
        if path is None:
            raise PresswatchError(
                f"migration {migration_id} is applied in the database but its file is gone from "
                f"{MIGRATIONS}; restore it (migrations are never deleted)"
            )
        if _sha256(path) != sha:
            raise PresswatchError(
                f"migration {path.name} was edited after it was applied; revert the edit and "
                "put the change in a new migration file"
            )


def migrate(url: str | None = None, directory: Path = MIGRATIONS) -> MigrationReport:
    """Create the database if needed and apply every migration not yet applied."""
    from yoyo import get_backend, read_migrations

    target = url or db.domain_url()
    created = db.ensure_database(target)
    files = _migration_files(directory)
    with db.connect(target, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (migration_id text PRIMARY KEY,"
                " sha256 text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())"
            ).format(sql.Identifier(CHECKSUM_TABLE))
        )
        _verify_unchanged(conn, files)

    backend = get_backend(_yoyo_url(target))
    migrations = read_migrations(str(directory))
    try:
        with warnings.catch_warnings():
            # yoyo's psycopg 3 backend warns about its own BEGIN inside a transaction block.
            warnings.simplefilter("ignore", UserWarning)
            with backend.lock():
                pending = backend.to_apply(migrations)
                applied_ids = [m.id for m in pending]
                already = [m.id for m in migrations if m.id not in applied_ids]
                backend.apply_migrations(pending)
    except psycopg.Error as exc:
        raise PresswatchError(f"migration failed: {exc}") from exc
    finally:
        backend.connection.close()

    with db.connect(target, autocommit=True) as conn:
        conn.cursor().executemany(
            sql.SQL(
                "INSERT INTO {} (migration_id, sha256) VALUES (%s, %s)"
                " ON CONFLICT (migration_id) DO NOTHING"
            ).format(sql.Identifier(CHECKSUM_TABLE)),
            [(mid, _sha256(files[mid])) for mid in applied_ids + already if mid in files],
        )
    return MigrationReport(created_database=created, applied=applied_ids, already_applied=already)
