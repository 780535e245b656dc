"""Airflow's services as background processes of this project, without Docker: the API server,
the scheduler, the DAG processor and the triggerer, each in its own process group under a pid
file, so that ``presswatch stop`` (``make stop``) stops them and whatever task processes they
started. ``make up`` starts all four with the UI; the bench's backfill starts the scheduler, the
DAG processor and the API server's execution API only.

Readiness is read from the metadata database (a ``job`` row of each kind with a heartbeat since
the start) and from the API server's health route: an answer in milliseconds, no token.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from presswatch import airflow_env, db, processes
from presswatch.errors import PresswatchError

START_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.5
UI_USER = "admin"
# The job kind each service records its heartbeats under.
JOB_TYPES = {
    "scheduler": "SchedulerJob",
    "dag-processor": "DagProcessorJob",
    "triggerer": "TriggererJob",
}
SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if nothing listens on it on 127.0.0.1, else a free port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise PresswatchError("no free TCP port on 127.0.0.1")


def _secrets(folder: Path) -> dict[str, str]:
    """Keys the services must share (JWTs the scheduler signs and the API server checks; the
    Fernet key of stored connections; the log server's signing key), kept in the state folder
    so that a restart keeps them, and the UI's login."""
    path = folder / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.fernet import Fernet

    values = {
        "jwt_secret": base64.b64encode(os.urandom(32)).decode(),
        "fernet_key": Fernet.generate_key().decode(),
        "api_secret_key": secrets.token_urlsafe(32),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def ui_password(folder: Path) -> str:
    """The password of the UI's ``admin`` user (SimpleAuthManager's passwords file, written with
    a random password the first time)."""
    path = folder / "simple_auth_manager_passwords.json"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({UI_USER: secrets.token_urlsafe(12)}))
        path.chmod(0o600)
    return json.loads(path.read_text())[UI_USER]


def service_environment(base_env: dict[str, str], port: int) -> dict[str, str]:
    """``base_env`` (``airflow_env.environment()`` and connections) plus what the services need
    to work together on this host: the API server's address for task processes, the shared
    keys, free log server ports, and the UI's login."""
    home = Path(base_env["AIRFLOW_HOME"])
    keys = _secrets(home)
    ui_password(home)
    return {
        **os.environ,
        **base_env,
        # Task processes report to the execution API of this API server (default: 8080).
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
        "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
        "AIRFLOW__API__SECRET_KEY": keys["api_secret_key"],
        # The log servers' default ports (8793, 8794) listen on every interface: take free ones.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{UI_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
            home / "simple_auth_manager_passwords.json"
        ),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    }


@dataclass
class LocalAirflow:
    """Airflow's services on this host. ``apps``: what the API server serves (``all``: the UI,
    the public API and the execution API; ``execution``: only what task processes call)."""

    env: dict[str, str]
    port: int
    services: Sequence[str] = SERVICES
    apps: str = "all"
    prefix: str = "airflow-"
    started_at: float = field(default=0.0, init=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return airflow_env.metadata_url(self.env["PRESSWATCH_DB_URL"])

    def _argv(self, service: str) -> list[str]:
        airflow = str(Path(sys.executable).parent / "airflow")
        if service == "api-server":
            return [airflow, "api-server", "--apps", self.apps, "--host", "127.0.0.1",
                    "--port", str(self.port)]  # fmt: skip
        return [airflow, service]

    def names(self) -> list[str]:
        return [self.prefix + service for service in self.services]

    def log_path(self, service: str) -> Path:
        return processes.log_path(self.prefix + service)

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Start every service and wait until each is ready; stop them all if one is not."""
        self.started_at = time.time()
        with self._metadata() as conn:
            (jobs_before,) = conn.execute("SELECT coalesce(max(id), 0) FROM job").fetchone()
        cwd = Path(self.env["AIRFLOW_HOME"])
        cwd.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            name = self.prefix + service
            if processes.running(name):
                raise PresswatchError(f"{name} is running already: `presswatch stop` stops it")
            processes.start(name, self._argv(service), env=self.env, cwd=cwd)
        try:
            self._wait_ready(jobs_before, timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, jobs_before: int, timeout: float) -> None:
        import requests

        health = "/api/v2/monitor/health" if self.apps == "all" else "/execution/health"
        wanted = {JOB_TYPES[s] for s in self.services if s in JOB_TYPES}
        deadline = time.monotonic() + timeout
        api_ready = "api-server" not in self.services
        jobs: set[str] = set()
        with self._metadata() as conn:
            while time.monotonic() < deadline:
                dead = self.dead_service()
                if dead:
                    raise PresswatchError(
                        f"airflow {dead} exited while starting; {self.log_path(dead)} ends with:\n"
                        + tail(self.log_path(dead))
                    )
                if not api_ready:
                    try:
                        api_ready = requests.get(self.base_url + health, timeout=2).ok
                    except requests.RequestException:
                        pass
                rows = conn.execute(
                    "SELECT DISTINCT job_type FROM job WHERE id > %s AND state = 'running'"
                    " AND latest_heartbeat IS NOT NULL",
                    [jobs_before],
                ).fetchall()
                jobs = {job_type for (job_type,) in rows}
                if api_ready and wanted <= jobs:
                    return
                time.sleep(POLL_SECONDS)
        missing = sorted(wanted - jobs) + ([] if api_ready else ["API server health"])
        raise PresswatchError(
            f"Airflow did not start within {timeout:.0f} s (not ready: {', '.join(missing)});"
            f" logs: {processes.log_path(self.prefix + 'scheduler').parent}"
        )

    def dead_service(self) -> str | None:
        """The first service whose process has ended, if any."""
        for service in self.services:
            if not processes.running(self.prefix + service):
                return service
        return None

    def stop(self) -> list[str]:
        """Stop every service (the API server last: task processes report to it)."""
        order = [s for s in self.services if s != "api-server"] + [
            s for s in self.services if s == "api-server"
        ]
        return [s for s in order if processes.stop(self.prefix + s, timeout=15.0)]

    def _metadata(self) -> psycopg.Connection:
        return psycopg.connect(self.metadata_url, autocommit=True)

    def wait_for_dags(self, dag_ids: Iterable[str], timeout: float = 120.0) -> None:
        """Until the DAG processor has serialized every DAG of ``dag_ids``."""
        wanted = set(dag_ids)
        deadline = time.monotonic() + timeout
        with self._metadata() as conn:
            while time.monotonic() < deadline:
                rows = conn.execute(
                    "SELECT DISTINCT dag_id FROM serialized_dag WHERE dag_id = ANY(%s)",
                    [sorted(wanted)],
                ).fetchall()
                if {dag_id for (dag_id,) in rows} == wanted:
                    return
                time.sleep(POLL_SECONDS)
            errors = conn.execute("SELECT filename, stacktrace FROM import_error").fetchall()
        raise PresswatchError(
            f"DAGs not parsed within {timeout:.0f} s: {', '.join(sorted(wanted))}; "
            + ("import errors:\n" + "\n".join(f"{f}: {t}" for f, t in errors) if errors else "")
        )

    def set_paused(self, dag_ids: Iterable[str], paused: bool) -> None:
        """The column the scheduler reads (what ``airflow dags pause/unpause`` set)."""
        with self._metadata() as conn:
            conn.execute(
                "UPDATE dag SET is_paused = %s WHERE dag_id = ANY(%s)", [paused, list(dag_ids)]
            )


def dag_ids() -> list[str]:
    """The project's DAGs: one per file in the DAGs folder, named after it."""
    from presswatch.paths import DAGS

    return sorted(path.stem for path in DAGS.glob("*.py") if not path.name.startswith("_"))


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def metadata_migrate(env: dict[str, str]) -> None:
    """Create and migrate Airflow's metadata database (idempotent)."""
    from presswatch.demo.run import airflow_command

    db.ensure_database(airflow_env.metadata_url(env["PRESSWATCH_DB_URL"]))
    airflow_command(env, "db", "migrate")
