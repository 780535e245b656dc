"""Where the project's files are, whether imported from a checkout, a test or an Airflow worker."""

from __future__ import annotations

import os
from pathlib import Path

# plugins/presswatch/paths.py -> the repository root is two folders up from the package.
ROOT = Path(__file__).resolve().parents[2]
INCLUDE = ROOT / "include"
TEMPLATES = INCLUDE / "templates"
SQL = ROOT / "sql"
MIGRATIONS = SQL / "migrations"
QUERIES = SQL / "queries"
DAGS = ROOT / "dags"
DEMO_REGISTRY = INCLUDE / "demo_registry"
SETTINGS_FILE = INCLUDE / "settings.yaml"


def state_dir() -> Path:
    """The ignored folder for everything the project creates at run time (database, logs, pids)."""
    path = Path(os.environ.get("PRESSWATCH_HOME", ROOT / ".presswatch"))
    path.mkdir(parents=True, exist_ok=True)
    return path
