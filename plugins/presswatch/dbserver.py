"""The embedded PostgreSQL server used when no database is configured.

PyPI's ``pgserver`` ships PostgreSQL 16 binaries. The data directory lives in the project's
ignored state folder (``.presswatch/pg``); the server listens on a Unix socket only, so it never
collides with a PostgreSQL already on port 5432. As root, pgserver runs the server as a system
user ``pgserver`` (created if missing) and makes the data directory's parents world-readable
(o+rx): keep the checkout somewhere that is acceptable.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from presswatch.paths import state_dir

log = logging.getLogger(__name__)


def data_dir() -> Path:
    return state_dir() / "pg" / "data"


def _import_pgserver():
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on headless machines: harmless here.
        warnings.simplefilter("ignore")
        import pgserver
        import pgserver._commands
        import pgserver.utils
    # pgserver logs every pg_ctl/initdb command line at INFO (through Airflow's handlers once
    # Airflow is imported, as in the tests); its failures raise, and are logged at ERROR.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    return pgserver


def _postmaster_info(pgdata: Path):
    PostmasterInfo = _import_pgserver().utils.PostmasterInfo  # noqa: N806 - a class

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info if info is not None and info.is_running() else None


def is_running() -> bool:
    pgdata = data_dir()
    return pgdata.exists() and _postmaster_info(pgdata) is not None


def start() -> str:
    """Start the embedded server if it is not running; return its URL without a database name."""
    pgdata = data_dir()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgserver = _import_pgserver()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # cleanup_mode=None: the server outlives this process; `presswatch stop` stops it.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    # With nothing to clean up, pgserver's exit hook only logs, often to a closed stream.
    import atexit

    atexit.unregister(server._cleanup)
    return server.get_uri("postgres")


def stop() -> bool:
    """Stop the embedded server; return False if it was not running."""
    pgdata = data_dir()
    if not pgdata.exists() or _postmaster_info(pgdata) is None:
        return False
    import os

    pg_ctl = _import_pgserver()._commands.pg_ctl
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True
