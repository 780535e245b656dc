"""A real Airflow for tests that need the scheduler: ``airflow api-server`` (execution API),
``airflow scheduler`` (LocalExecutor) and ``airflow dag-processor`` as subprocesses of the venv's
``airflow``, each in its own process group, on the session's metadata and domain databases.

Use the module-scoped ``airflow_cluster`` fixture::

    def test_backfill_matches_live_runs(airflow_cluster, clean_db):
        runs = airflow_cluster.backfill(
            "social_activity_daily",
            pendulum.datetime(2026, 3, 1, tz="Asia/Tashkent"),  # first logical date
            pendulum.datetime(2026, 3, 14, tz="Asia/Tashkent"),  # last, inclusive
            max_active_runs=1,  # one day after another
        )
        assert [(r.state, r.run_type) for r in runs] == [("success", "backfill")] * 14

The processes get the environment of the test process when they start (PRESSWATCH_DB_URL is the
session's domain database). A module whose tasks need Airflow connections (the simulator,
SMTP) overrides ``airflow_cluster_env``::

    @pytest.fixture(scope="module")
    def airflow_cluster_env(_simulator_server, _smtp_server):
        return {"AIRFLOW_CONN_SMTP_DEFAULT": _smtp_server.connection_uri(), ...}

Module scope, not session scope: ``dag.test()`` (other test modules) writes its run into the
same metadata database, and the DAGs it writes are unpaused (the test process runs Airflow's
unit-test config); a scheduler running then would queue the same task instances to its
executor, and tasks would run twice. So the processes live only while the module that asked for
them runs, every DAG is paused when they start (and runs an earlier module left unfinished are
failed: see ``_pause_and_end_earlier_runs``), and the scheduler creates no scheduled runs
(``use_job_schedule=False``): it runs only what the test creates.

A module that needs only the API server, with the public API, the UI and plugins (the
presswatch view's browser tests), asks for that part alone::

    cluster = AirflowCluster(metadata_url=..., domain_url=..., airflow_home=...,
                             api_apps="all", components=("api-server",))
    cluster.launch()   # returns at once: prepare data while the server starts
    ...
    cluster.wait_until_ready()

Polling reads the metadata tables (``dag_run``, ``task_instance``, ``backfill``, ``job``,
``serialized_dag``, ``import_error``) with psycopg: an answer in milliseconds, no token, and
exactly what the scheduler committed. The CLI would cost ~3-7 s a call (it imports Airflow),
and the REST API needs the public API app (~10 s more CPU at start) and a token. Backfills are
created with ``airflow backfill create``, the command operators run; pausing is one column.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg
import pytest
import requests

from presswatch.paths import state_dir

VENV_BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 90.0
STOP_GRACE_SECONDS = 3.0
STOP_TIMEOUT_SECONDS = 10.0
CLI_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.5
LOG_TAIL_LINES = 40
TERMINAL_RUN_STATES = ("success", "failed")
COMPONENTS = ("api-server", "scheduler", "dag-processor")
# What each component records in the `job` table once it runs (the api-server records none).
COMPONENT_JOBS = {"scheduler": "SchedulerJob", "dag-processor": "DagProcessorJob"}


class AirflowClusterError(AssertionError):
    """Airflow did not do what a test waited for; the message says what it was doing."""


@dataclasses.dataclass(frozen=True)
class RunResult:
    """One DAG run as the scheduler left it (datetimes in UTC)."""

    run_id: str
    logical_date: dt.datetime | None
    data_interval_start: dt.datetime | None
    data_interval_end: dt.datetime | None
    state: str
    run_type: str
    start_date: dt.datetime | None
    end_date: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class TaskInstanceResult:
    run_id: str
    task_id: str
    map_index: int
    state: str | None
    try_number: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no file)"
    return "\n".join(text.splitlines()[-lines:])


def _readable(line: str) -> str:
    """A task log line (Airflow 3 writes JSON lines) as 'time level event', with the error."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict):
        return line
    text = f"{record.get('timestamp', '')} {record.get('level', '')} {record.get('event', '')}"
    if record.get("error_detail"):
        text += f" {json.dumps(record['error_detail'])[:3000]}"
    return text


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def _iso(value: dt.datetime) -> str:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(
            f"backfill dates must be timezone-aware datetimes (in the DAG's timezone), got {value!r}"
        )
    return value.isoformat()


class AirflowCluster:
    """api-server, scheduler and dag-processor, each in its own process group.

    ``api_apps``: what the api-server serves (``airflow api-server --apps``): ``execution`` by
    default (what workers call), ``all`` for the public API, the UI and the plugins' apps too.
    ``components``: which of ``COMPONENTS`` to run (all by default).
    """

    def __init__(
        self,
        *,
        metadata_url: str,
        domain_url: str,
        airflow_home: Path,
        extra_env: Mapping[str, str] | None = None,
        api_apps: str = "execution",
        components: Sequence[str] = COMPONENTS,
    ) -> None:
        unknown = sorted(set(components) - set(COMPONENTS))
        if unknown or not components:
            raise ValueError(f"components must be some of {COMPONENTS}, not {list(components)}")
        self.api_apps = api_apps
        self.components = tuple(name for name in COMPONENTS if name in components)
        self.metadata_url = metadata_url
        self.domain_url = domain_url
        self.airflow_home = Path(airflow_home)
        self.airflow_home.mkdir(parents=True, exist_ok=True)
        # One folder per cluster: two modules in a session each get their own process logs.
        self.run_dir = Path(tempfile.mkdtemp(prefix="cluster-", dir=self.airflow_home))
        self.task_log_folder = Path(
            os.environ.get("AIRFLOW__LOGGING__BASE_LOG_FOLDER", self.airflow_home / "logs")
        )
        self.api_port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.api_port}"
        self.env = self._environment(dict(extra_env or {}))
        self._processes: dict[str, subprocess.Popen] = {}
        self.start_seconds: float | None = None

    # -- environment ---------------------------------------------------------------------------

    def _environment(self, extra_env: dict[str, str]) -> dict[str, str]:
        from cryptography.fernet import Fernet

        config_file = self.run_dir / "airflow.cfg"
        # Each process would otherwise write a default airflow.cfg into the shared AIRFLOW_HOME
        # at start, three at once; every setting the cluster needs is in the environment.
        config_file.write_text("# Settings: environment variables, see tests/fixtures_airflow.py\n")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("PYTEST_") and key != "PYTHONDONTWRITEBYTECODE"
        }
        env.update(
            {
                "PATH": str(VENV_BIN) + os.pathsep + os.environ.get("PATH", ""),
                # Each process imports Airflow (~5 s of CPU when compiling it from source, as
                # when the venv has no bytecode and PYTHONDONTWRITEBYTECODE is set; ~2 s from
                # bytecode): keep compiled bytecode in the ignored state folder.
                "PYTHONPYCACHEPREFIX": str(state_dir() / "pycache"),
                "AIRFLOW_CONFIG": str(config_file),
                # Unit-test mode (set for the test process by conftest.py) makes the idle
                # scheduler loop without sleeping (~80% of a CPU), gives each process its own
                # random JWT secret and Fernet key, and creates DAGs unpaused.
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                # LocalExecutor starts this many worker processes. 4 runs a 14-day backfill of
                # one-task runs in ~12 s on 2 CPUs, 2 in ~22 s.
                "AIRFLOW__CORE__PARALLELISM": "4",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",  # the test unpauses
                "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
                # Workers report task state to the execution API of this api-server (default:
                # localhost:8080, "Connection refused"), with JWTs that the scheduler signs and
                # the api-server checks: the same secret for both.
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
                # Without it: "Invalid auth token" on the task's first call.
                "AIRFLOW__API_AUTH__JWT_SECRET": base64.b64encode(os.urandom(32)).decode(),
                # Signs log requests to the workers' log server (random per process if unset).
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
                # The scheduler's log server listens on every interface, by default on 8793
                # (the triggerer's on 8794): a free port each, so that two test sessions, or a
                # test session and `make demo`, do not compete for them.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
                # Tests create their runs (backfills, triggers); the scheduler must not add a
                # scheduled run of its own when a DAG is unpaused (catchup=False still creates
                # the latest interval's run).
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                # Every file is parsed at the start; a file added later (a test writing a DAG)
                # is found within ~2 s instead of the default 300 s.
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "2",
                "AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL": "1",
                "PRESSWATCH_DB_URL": self.domain_url,
            }
        )
        env.update(extra_env)
        return env

    # -- processes -----------------------------------------------------------------------------

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def _spawn(self, name: str, *args: str) -> None:
        with open(self.log_path(name), "ab") as log:
            self._processes[name] = subprocess.Popen(
                [str(VENV_BIN / "airflow"), *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=self.run_dir,
                start_new_session=True,
            )

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        self.launch()
        self.wait_until_ready(timeout)

    def launch(self) -> None:
        """Start the processes and return at once (``wait_until_ready`` waits for them)."""
        self._launched_at = time.monotonic()
        self._pause_and_end_earlier_runs()
        with self._metadata() as conn:
            (self._jobs_before,) = conn.execute("SELECT coalesce(max(id), 0) FROM job").fetchone()
        if "api-server" in self.components:
            # By default only the execution API (what workers call): the public API and UI
            # would add ~10 s of CPU to the start (825 FastAPI routes), and the tests read the
            # database instead.
            self._spawn(
                "api-server",
                *("api-server", "--apps", self.api_apps, "--host", "127.0.0.1"),
                *("--port", str(self.api_port)),
            )
        for name in ("scheduler", "dag-processor"):
            if name in self.components:
                self._spawn(name, name)

    def wait_until_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Until every process ``launch`` started is ready; if one is not, stop them all."""
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - self._launched_at

    @property
    def health_url(self) -> str:
        """What the api-server answers once up: the public API's health when it serves it."""
        if {"all", "core"} & set(self.api_apps.split(",")):
            return f"{self.base_url}/api/v2/monitor/health"
        return f"{self.base_url}/execution/health"

    def _pause_and_end_earlier_runs(self) -> None:
        """DAGs that ``dag.test()`` created earlier in the session are unpaused; pause them, so
        the scheduler runs only what the test unpauses. Runs an earlier module left unfinished
        (a test that failed or timed out while its cluster ran them, a ``dag.test()`` cut
        short) are failed and their backfills closed: this scheduler would otherwise adopt their
        queued tasks as orphans, and once the test unpauses their DAG run them on this module's
        world, adding a day the test did not ask for to its results."""
        with self._metadata() as conn:
            conn.execute("UPDATE dag SET is_paused = true WHERE NOT is_paused")
            conn.execute(
                "UPDATE task_instance SET state = 'failed'"
                " WHERE state IN ('scheduled', 'queued', 'running', 'up_for_retry',"
                "                 'up_for_reschedule', 'deferred', 'restarting')"
            )
            conn.execute("UPDATE dag_run SET state = 'failed' WHERE state IN ('queued', 'running')")
            conn.execute("UPDATE backfill SET completed_at = now() WHERE completed_at IS NULL")

    def _check_alive(self, doing: str) -> None:
        for name, process in self._processes.items():
            if process.poll() is not None:
                raise AirflowClusterError(
                    f"airflow {name} exited with {process.returncode} while {doing}\n"
                    + self.diagnostics()
                )

    def _wait_ready(self, timeout: float) -> None:
        """Until the api-server answers its health URL and the scheduler and dag-processor
        this cluster started have each recorded a heartbeat in the ``job`` table."""
        deadline = time.monotonic() + timeout
        api_ready = "api-server" not in self.components
        expected = {COMPONENT_JOBS[name] for name in self.components if name in COMPONENT_JOBS}
        jobs: set[str] = set()
        with self._metadata() as conn:
            while time.monotonic() < deadline:
                self._check_alive("starting")
                if not api_ready:
                    try:
                        api_ready = requests.get(self.health_url, timeout=2).ok
                    except (requests.ConnectionError, requests.Timeout):
                        pass
                rows = conn.execute(
                    "SELECT DISTINCT job_type FROM job WHERE id > %s AND state = 'running'"
                    " AND latest_heartbeat IS NOT NULL",
                    [self._jobs_before],
                ).fetchall()
                jobs = {job_type for (job_type,) in rows}
                if api_ready and expected <= jobs:
                    return
                time.sleep(POLL_SECONDS)
        raise AirflowClusterError(
            f"Airflow was not ready after {timeout:.0f} s ({self.health_url} answering:"
            f" {api_ready}, running jobs: {sorted(jobs)})\n" + self.diagnostics()
        )

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM every process group (and any descendant that left its group), SIGKILL what
        is left after ``grace`` seconds; fail if anything still runs after that.

        Each part has done its shutdown (job row closed, server stopped) well within the grace
        time; what takes longer is Python's final garbage collection (~7 s for the
        api-server), which nothing needs.
        """
        descendants: set[psutil.Process] = set()
        for process in self._processes.values():
            try:
                descendants.update(psutil.Process(process.pid).children(recursive=True))
            except psutil.NoSuchProcess:
                pass
        groups = [process.pid for process in self._processes.values()]
        left: list[int] = []
        for signum, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, STOP_TIMEOUT_SECONDS)):
            for pgid in groups:
                _signal_group(pgid, signum)
            for child in descendants:
                _signal_process(child, signum)
            deadline = time.monotonic() + wait
            while True:
                for process in self._processes.values():
                    process.poll()  # reap the group leaders
                left = [pgid for pgid in groups if _group_alive(pgid)]
                left += [child.pid for child in descendants if _alive(child)]
                if not left or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            if not left:
                break
        self._processes.clear()
        if left:
            raise AirflowClusterError(f"Airflow processes still running after SIGKILL: {left}")

    # -- metadata database ---------------------------------------------------------------------

    @contextmanager
    def _metadata(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(self.metadata_url, autocommit=True, connect_timeout=10) as conn:
            yield conn

    def airflow(self, *args: str, timeout: float = CLI_TIMEOUT_SECONDS) -> str:
        """Run ``airflow ARGS`` with the cluster's environment; its output, or an error with it."""
        result = subprocess.run(
            [str(VENV_BIN / "airflow"), *args],
            env=self.env,
            cwd=self.run_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AirflowClusterError(
                f"`airflow {' '.join(args)}` exited with {result.returncode}:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def wait_for_dag(self, dag_id: str, timeout: float = 60.0) -> None:
        """Wait until the dag-processor has parsed and serialized ``dag_id``; fail at once on an
        import error in a file named after it."""
        deadline = time.monotonic() + timeout
        with self._metadata() as conn:
            while time.monotonic() < deadline:
                self._check_alive(f"waiting for DAG {dag_id}")
                found = conn.execute(
                    "SELECT 1 FROM serialized_dag s JOIN dag d USING (dag_id)"
                    " WHERE s.dag_id = %s AND NOT d.is_stale",
                    [dag_id],
                ).fetchone()
                if found:
                    return
                errors = self.import_errors(conn)
                own = {f: e for f, e in errors.items() if Path(f).stem == dag_id}
                if own:
                    raise AirflowClusterError(
                        f"DAG {dag_id} does not import:\n" + "\n".join(own.values())
                    )
                time.sleep(POLL_SECONDS)
            errors = self.import_errors(conn)
        raise AirflowClusterError(
            f"DAG {dag_id} was not serialized within {timeout:.0f} s; import errors:"
            f" {json.dumps(errors, indent=1) if errors else 'none'}\n" + self.diagnostics()
        )

    def import_errors(self, conn: psycopg.Connection | None = None) -> dict[str, str]:
        """File name -> traceback of every DAG file that failed to import."""
        if conn is None:
            with self._metadata() as conn:
                return self.import_errors(conn)
        rows = conn.execute("SELECT filename, stacktrace FROM import_error").fetchall()
        return {filename: stacktrace for filename, stacktrace in rows}

    def unpause(self, dag_id: str) -> None:
        """Unpause ``dag_id``: the column the scheduler reads, set directly (what ``airflow dags
        unpause`` does, without the ~5 s that starting the CLI costs)."""
        self._set_paused(dag_id, False)

    def pause(self, dag_id: str) -> None:
        self._set_paused(dag_id, True)

    def _set_paused(self, dag_id: str, paused: bool) -> None:
        with self._metadata() as conn:
            updated = conn.execute(
                "UPDATE dag SET is_paused = %s WHERE dag_id = %s", [paused, dag_id]
            ).rowcount
        if updated != 1:
            raise AirflowClusterError(f"no DAG {dag_id} in the metadata database")

    def runs(self, dag_id: str, *, backfill_id: int | None = None) -> list[RunResult]:
        """The DAG's runs (of one backfill when given), by logical date."""
        query = (
            "SELECT run_id, logical_date, data_interval_start, data_interval_end, state,"
            " run_type, start_date, end_date FROM dag_run WHERE dag_id = %s"
        )
        params: list = [dag_id]
        if backfill_id is not None:
            query += " AND backfill_id = %s"
            params.append(backfill_id)
        with self._metadata() as conn:
            rows = conn.execute(query + " ORDER BY logical_date, run_id", params).fetchall()
        return [
            RunResult(
                run_id=row[0],
                logical_date=_utc(row[1]),
                data_interval_start=_utc(row[2]),
                data_interval_end=_utc(row[3]),
                state=row[4],
                run_type=row[5],
                start_date=_utc(row[6]),
                end_date=_utc(row[7]),
            )
            for row in rows
        ]

    def task_instances(
        self, dag_id: str, run_id: str | None = None, *, backfill_id: int | None = None
    ) -> list[TaskInstanceResult]:
        """The DAG's task instances (of one run, or of one backfill's runs, when given)."""
        query = (
            "SELECT ti.run_id, ti.task_id, ti.map_index, ti.state, ti.try_number"
            " FROM task_instance ti JOIN dag_run dr USING (dag_id, run_id) WHERE ti.dag_id = %s"
        )
        params: list = [dag_id]
        if run_id is not None:
            query += " AND ti.run_id = %s"
            params.append(run_id)
        if backfill_id is not None:
            query += " AND dr.backfill_id = %s"
            params.append(backfill_id)
        query += " ORDER BY dr.logical_date, ti.task_id, ti.map_index"
        with self._metadata() as conn:
            rows = conn.execute(query, params).fetchall()
        return [TaskInstanceResult(*row) for row in rows]

    def task_log(self, dag_id: str, run_id: str, task_id: str, *, map_index: int = -1) -> str:
        """The task's log file(s) for every attempt, oldest first ('' if none was written)."""
        folder = (
            self.task_log_folder / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        )
        if map_index >= 0:
            folder /= f"map_index={map_index}"
        files = sorted(folder.glob("attempt=*.log"), key=lambda p: p.stat().st_mtime)
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in files)

    # -- backfills -----------------------------------------------------------------------------

    def backfill(
        self,
        dag_id: str,
        from_date: dt.datetime,
        to_date: dt.datetime,
        *,
        conf: Mapping | None = None,
        max_active_runs: int | None = None,
        reprocess_behavior: str | None = None,
        run_backwards: bool = False,
        expect_success: bool = True,
        timeout: float = 180.0,
    ) -> list[RunResult]:
        """``airflow backfill create`` for ``[from_date, to_date]`` (logical dates, inclusive;
        aware datetimes, e.g. local midnights in the DAG's timezone), then wait until every run
        of that backfill is success or failed. Returns them by logical date.

        The DAG is awaited and unpaused first (the scheduler runs no run of a paused DAG).
        Airflow gives a backfill its own ``max_active_runs`` (10 unless given): the DAG's is
        not applied, so pass ``max_active_runs=1`` when runs must go one day after another.
        With ``expect_success`` (the default) a task going up for retry (the shared default
        args retry after minutes) or a failed run ends the wait at once with an error that
        holds the task logs and process logs; without it, failed runs are returned like others.
        """
        self.wait_for_dag(dag_id)
        self.unpause(dag_id)
        self._wait_previous_backfill_completed(dag_id)
        with self._metadata() as conn:
            (before,) = conn.execute("SELECT coalesce(max(id), 0) FROM backfill").fetchone()
        args = ["backfill", "create", "--dag-id", dag_id]
        args += ["--from-date", _iso(from_date), "--to-date", _iso(to_date)]
        if conf is not None:
            args += ["--dag-run-conf", json.dumps(conf)]
        if max_active_runs is not None:
            args += ["--max-active-runs", str(max_active_runs)]
        if reprocess_behavior is not None:
            args += ["--reprocess-behavior", reprocess_behavior]
        if run_backwards:
            args.append("--run-backwards")
        output = self.airflow(*args)
        with self._metadata() as conn:
            row = conn.execute(
                "SELECT id FROM backfill WHERE dag_id = %s AND id > %s ORDER BY id DESC LIMIT 1",
                [dag_id, before],
            ).fetchone()
            if row is None:
                raise AirflowClusterError(f"`airflow backfill create` made no backfill:\n{output}")
            (backfill_id,) = row
            not_created = conn.execute(
                "SELECT logical_date, exception_reason FROM backfill_dag_run"
                " WHERE backfill_id = %s AND dag_run_id IS NULL ORDER BY logical_date",
                [backfill_id],
            ).fetchall()
        if not_created:
            # e.g. 'already exists' for a date that has a run: say so rather than let a count
            # of runs fail without a reason.
            raise AirflowClusterError(
                f"backfill {backfill_id} of {dag_id} created no run for: "
                + ", ".join(f"{_utc(date).isoformat()} ({reason})" for date, reason in not_created)
                + " (pass reprocess_behavior='completed' to rerun them)"
            )
        return self.wait_for_backfill(
            dag_id, backfill_id, timeout=timeout, expect_success=expect_success
        )

    def wait_for_backfill(
        self, dag_id: str, backfill_id: int, *, timeout: float = 180.0, expect_success: bool = True
    ) -> list[RunResult]:
        """Wait until every run of the backfill is success or failed; see ``backfill``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(f"running backfill {backfill_id} of {dag_id}")
            runs = self.runs(dag_id, backfill_id=backfill_id)
            if expect_success:
                failed = [f"run {run.run_id} failed" for run in runs if run.state == "failed"]
                failed += [
                    f"{ti.run_id} {ti.task_id}[{ti.map_index}] failed and waits for a retry"
                    for ti in self.task_instances(dag_id, backfill_id=backfill_id)
                    if ti.state == "up_for_retry"
                ]
                if failed:
                    raise AirflowClusterError(
                        f"backfill {backfill_id} of {dag_id}: {failed[0]}\n"
                        + self.diagnostics(dag_id, backfill_id)
                    )
            if runs and all(run.state in TERMINAL_RUN_STATES for run in runs):
                return runs
            time.sleep(POLL_SECONDS)
        raise AirflowClusterError(
            f"backfill {backfill_id} of {dag_id} did not finish within {timeout:.0f} s\n"
            + self.diagnostics(dag_id, backfill_id)
        )

    def _wait_previous_backfill_completed(self, dag_id: str, timeout: float = 45.0) -> None:
        """Airflow allows one unfinished backfill per DAG, and the scheduler marks one complete
        only every 30 s after its last run ended."""
        deadline = time.monotonic() + timeout
        with self._metadata() as conn:
            while time.monotonic() < deadline:
                (open_backfills,) = conn.execute(
                    "SELECT count(*) FROM backfill WHERE dag_id = %s AND completed_at IS NULL",
                    [dag_id],
                ).fetchone()
                if not open_backfills:
                    return
                time.sleep(POLL_SECONDS)
        raise AirflowClusterError(
            f"an earlier backfill of {dag_id} is still open after {timeout:.0f} s"
            " (a run still queued or running?)\n" + self.diagnostics(dag_id)
        )

    # -- diagnostics ---------------------------------------------------------------------------

    def diagnostics(self, dag_id: str | None = None, backfill_id: int | None = None) -> str:
        """Process log tails, and for a DAG its runs, task states and unfinished tasks' logs."""
        parts = []
        if dag_id is not None:
            try:
                runs = self.runs(dag_id, backfill_id=backfill_id)
                tis = self.task_instances(dag_id, backfill_id=backfill_id)
            except psycopg.Error as exc:
                parts.append(f"(cannot read the metadata database: {exc})")
            else:
                parts.append("runs:\n" + "\n".join(f"  {r.run_id} {r.state}" for r in runs))
                parts.append(
                    "task instances:\n"
                    + "\n".join(
                        f"  {t.run_id} {t.task_id}[{t.map_index}] {t.state} try {t.try_number}"
                        for t in tis
                    )
                )
                unfinished = [t for t in tis if t.state != "success"]
                unfinished.sort(key=lambda t: t.state not in ("failed", "up_for_retry"))
                for ti in unfinished[:3]:
                    log = self.task_log(dag_id, ti.run_id, ti.task_id, map_index=ti.map_index)
                    lines = [_readable(line) for line in log.splitlines()[-LOG_TAIL_LINES:]]
                    tail = "\n".join(lines) or "(no log)"
                    parts.append(f"log of {ti.run_id} {ti.task_id} ({ti.state}):\n{tail}")
        for name in self.components:
            parts.append(f"--- {self.log_path(name)} (last lines)\n{_tail(self.log_path(name))}")
        return "\n".join(parts)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_process(process: psutil.Process, signum: int) -> None:
    try:
        process.send_signal(signum)
    except psutil.Error:
        pass


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _group_alive(pgid: int) -> bool:
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.Error):
            continue
    return False


@contextmanager
def running_airflow(
    metadata_url: str,
    domain_url: str,
    extra_env: Mapping[str, str] | None = None,
    **options,
) -> Iterator[AirflowCluster]:
    """An Airflow cluster for the duration of the block (stopped even when the block fails);
    ``options``: ``api_apps``, ``components`` (see ``AirflowCluster``)."""
    cluster = AirflowCluster(
        metadata_url=metadata_url,
        domain_url=domain_url,
        airflow_home=Path(os.environ["AIRFLOW_HOME"]),
        extra_env=extra_env,
        **options,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def airflow_cluster_env() -> dict[str, str]:
    """Extra environment for the cluster's processes (e.g. ``AIRFLOW_CONN_*``); override it in a
    module to give its tasks connections."""
    return {}


@pytest.fixture(scope="module")
def airflow_cluster(airflow_db, db_url, airflow_cluster_env) -> Iterator[AirflowCluster]:
    """A running api-server, scheduler and dag-processor (LocalExecutor) for this module."""
    with running_airflow(airflow_db, db_url, airflow_cluster_env) as cluster:
        yield cluster
