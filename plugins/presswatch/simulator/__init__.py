"""The platform simulator: Facebook/Instagram Graph, X API v2, the Telegram Bot API, t.me
channel pages and MediaWiki, and the story sources (the monitoring portal's JSON API and the
news sites' RSS/Atom feeds), in their real wire formats, served on one local port from the
``sim`` schema, with faults injected on request (see ``presswatch.simulator.app``).

``presswatch simulator [--port P] [--background]`` runs it; ``create_app()`` gives the app for
in-process use (the tests run it in a thread).
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from presswatch.errors import PresswatchError

START_TIMEOUT_SECONDS = 60.0
LOG_TAIL_LINES = 15


def create_app(database_url: str | None = None):
    """The simulator's FastAPI app (imported lazily: the CLI's ``--help`` must stay instant)."""
    from presswatch.simulator.app import create_app as create

    return create(database_url)


# Airflow connection id -> (path on the simulator, credential the simulator accepts). The feeds'
# "path" is the template the feed connector puts each feed's own host and path into.
_CONNECTIONS = {
    "presswatch_facebook": ("/graph", "sim-token"),
    "presswatch_x": ("/x", "sim-bearer"),
    "presswatch_telegram": ("/telegram", "123456:sim-token"),
    "presswatch_tme": ("/tme", ""),
    "presswatch_wikipedia": ("/wiki/{lang}", ""),
    "presswatch_portal": ("/portal", "sim-portal-token"),
    "presswatch_feeds": ("/feeds/{host}{path}", ""),
}


def airflow_connections(
    conn: Any, base_url: str, tuning: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Airflow connections (``AIRFLOW_CONN_*`` variables) pointing every connector at the
    simulator at ``base_url``, which serves the database of ``conn``. Instagram's business
    discovery goes through one of the simulated Instagram accounts. ``tuning``: connection
    extras for every connector (``timeout``, ``max_retries``, ``throttle_wait``)."""
    (own_ig_user_id,) = conn.execute(
        "SELECT min(external_id) FROM sim.account WHERE platform = 'instagram'"
    ).fetchone()
    variables = {}
    for conn_id, (path, credential) in _CONNECTIONS.items():
        extra = dict(tuning or {})
        if conn_id == "presswatch_facebook":
            extra["own_ig_user_id"] = own_ig_user_id
        value = {"conn_type": "http", "host": base_url + path, "password": credential,
                 "extra": extra}  # fmt: skip
        variables[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(value)
    return variables


def run(host: str = "127.0.0.1", port: int = 8765, background: bool = False) -> None:
    """Serve until interrupted or, with ``background``, start detached and return once it
    answers (``presswatch stop`` stops it)."""
    if background:
        _start_in_background(host, port)
    else:
        _serve_in_foreground(host, port)


def _serve_in_foreground(host: str, port: int) -> None:
    import uvicorn

    from presswatch import db
    from presswatch.simulator import world

    database_url = db.domain_url()
    try:
        with db.connect(database_url, autocommit=True) as conn:
            # Creating the empty schema (idempotent) lets a fresh database serve "not found".
            world.ensure_schema(conn)
    except PresswatchError as exc:
        raise PresswatchError(f"{exc} (run `presswatch db migrate` or `make demo` first)") from exc
    _require_free_port(host, port)
    print(f"simulator serving http://{host}:{port} from {db.redact(database_url)}; Ctrl-C stops it")
    uvicorn.run(create_app(database_url), host=host, port=port, log_level="warning")


def _start_in_background(host: str, port: int) -> None:
    from presswatch import processes
    from presswatch.paths import state_dir

    base_url = f"http://{host}:{port}"
    if _healthy(base_url):
        print(f"simulator already running at {base_url}")
        return
    _require_free_port(host, port)
    pid = processes.start(
        "simulator",
        processes.python_argv(
            "-m", "presswatch.cli", "simulator", "--host", host, "--port", str(port)
        ),
    )
    log_path = state_dir() / "run" / "simulator.log"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if _healthy(base_url):
            print(f"simulator running at {base_url} (pid {pid}); `presswatch stop` stops it")
            return
        if _exited(pid):
            raise PresswatchError(
                f"the simulator exited while starting; {log_path} ends with:\n{_tail(log_path)}"
            )
        time.sleep(0.2)
    raise PresswatchError(
        f"the simulator (pid {pid}) did not answer {base_url}/_sim/health within "
        f"{START_TIMEOUT_SECONDS:.0f} s; see {log_path} (if one already runs on another port, "
        "`presswatch stop` it first)"
    )


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_sim/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _exited(pid: int) -> bool:
    """Whether ``pid`` has ended; reaps it when it is our child (else it would linger as a
    zombie that still answers ``kill(pid, 0)``)."""
    try:
        finished_pid, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        # Started by an earlier command (its pid file was still live): not ours to reap.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return finished_pid == pid


def _require_free_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PresswatchError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
            ) from exc


def _tail(path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join(lines[-LOG_TAIL_LINES:])
