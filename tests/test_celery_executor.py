"""``social_activity_daily`` run by Airflow's CeleryExecutor: the scheduler sends each task to a
real Redis broker, a Celery worker process started here runs it, and the result backend (a table
in the metadata database) records it.

The cluster is the one ``fixtures_airflow`` starts (api-server with the execution API,
scheduler, dag-processor), switched to the CeleryExecutor through its environment, plus
``airflow celery worker`` in a process group of its own. What shows that the worker ran the
tasks: the scheduler loaded the CeleryExecutor, and only it, and reports each task finished by
it; every task instance went to this module's queue with a Celery task id
(``external_executor_id``) that the result backend's ``celery_taskmeta`` has as SUCCESS; the
worker's log has each Celery task received and succeeded, and each task instance's workload
finished in success.

**Redis**: ``PRESSWATCH_TEST_REDIS_URL`` when set, else ``redis://127.0.0.1:6379/15``. CI has
Redis; a machine without it fails here with a message saying so (not a skip: a green run must
mean the executor was tried). Database 15, the last of Redis's default 16, keeps the test's keys
away from database 0, where Celery, ``redis-cli`` and most tools go by default. What keeps two
test sessions apart on one Redis is not the database but the queue: each session's tasks go to,
and its worker consumes only, a queue named after the session (``AIRFLOW__OPERATORS__DEFAULT_QUEUE``,
which every task's ``queue`` defaults to, and ``--queues``), and the worker's node name is the
session's too. Nothing is flushed: at the end the session's own keys, and its entries in the
keys Celery workers share, are deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import psycopg
import pytest
import redis
from fixtures_airflow import AirflowCluster, AirflowClusterError
from helpers import seed_world
from psycopg.rows import namedtuple_row

from presswatch import db

pytestmark = pytest.mark.slow

DAG_ID = "social_activity_daily"
TASHKENT = ZoneInfo("Asia/Tashkent")
# A Sunday (the end of ISO week 2026-W11: the weekly compliance and its notices are computed)
# that no other module runs: a backfill skips a logical date the session's metadata database
# already has a run for.
DAY = dt.date(2026, 3, 15)
SEED = {"institutions": 5, "seed": 23, "days": 45, "end_date": dt.date(2026, 3, 31)}

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# The queue and the worker's node name: unique per test session.
QUEUE = f"presswatch-test-{uuid.uuid4().hex[:8]}"
WORKER_CONCURRENCY = 2
WORKER_START_TIMEOUT_SECONDS = 60.0
WORKER_STOP_GRACE_SECONDS = 10.0
RESULT_TIMEOUT_SECONDS = 30.0


def redis_url() -> str:
    return os.environ.get("PRESSWATCH_TEST_REDIS_URL") or DEFAULT_REDIS_URL


class CeleryCluster(AirflowCluster):
    """The test cluster with the CeleryExecutor, and one ``airflow celery worker`` in its own
    process group, started beside the others and stopped first."""

    WORKER = "celery-worker"

    def __init__(self, *, broker_url: str, queue: str, **kwargs) -> None:
        self.queue = queue
        kwargs["extra_env"] = {
            **(kwargs.get("extra_env") or {}),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": broker_url,
            # The metadata database, the provider's default too; said here so that the
            # scheduler and the worker cannot disagree on where the results are.
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + db.sqlalchemy_url(kwargs["metadata_url"]),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
            # Every task's queue (the dag-processor serializes it) and the executor's default.
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        }
        super().__init__(**kwargs)
        self.worker_ready_seconds: float | None = None

    def start(self, *args, **kwargs) -> None:
        """The worker first (it starts while the others do), then the api-server, scheduler and
        dag-processor; returns once all are ready."""
        started = time.monotonic()
        self._spawn(
            self.WORKER,
            *("celery", "worker", "--queues", self.queue, "--concurrency", str(WORKER_CONCURRENCY)),
            *("--celery-hostname", f"{self.queue}@%h", "--skip-serve-logs"),
            # No gossip or start-up sync with other workers on the same Redis (another session's).
            *("--without-gossip", "--without-mingle", "--pid", str(self.run_dir / "worker.pid")),
        )
        super().start(*args, **kwargs)  # stops everything, the worker too, if it fails
        try:
            self._wait_worker_ready(WORKER_START_TIMEOUT_SECONDS)
        except BaseException:
            self.stop()
            raise
        self.worker_ready_seconds = time.monotonic() - started

    def _wait_worker_ready(self, timeout: float) -> None:
        """Until Celery logs the node ready (it consumes from the queue from then on)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive("starting the Celery worker")
            if re.search(rf"{re.escape(self.queue)}@\S+ ready\.", self.worker_log()):
                return
            time.sleep(0.2)
        raise AirflowClusterError(
            f"the Celery worker was not ready after {timeout:.0f} s\n" + self.diagnostics()
        )

    def worker_log(self) -> str:
        try:
            return self.log_path(self.WORKER).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def worker_pgid(self) -> int:
        return self._processes[self.WORKER].pid

    def stop_worker(self) -> tuple[float, list[psutil.Process]]:
        """SIGTERM to the worker (Celery's warm shutdown: running tasks finish, then the pool's
        processes exit), then SIGKILL to its process group and to every process it started
        that is still there after the grace time (a task's process has a group of its own).
        Returns the seconds it took and what is still running even so."""
        process = self._processes.pop(self.WORKER)
        pgid = process.pid
        started = time.monotonic()
        members = set(_group_members(pgid))
        try:
            members.update(psutil.Process(pgid).children(recursive=True))
        except psutil.NoSuchProcess:
            pass
        left: list[psutil.Process] = []
        for signum, grace in ((signal.SIGTERM, WORKER_STOP_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
            if signum == signal.SIGTERM:
                _signal(process.pid, signum)
            else:
                _signal_group(pgid, signum)
                for member in members:
                    _signal(member.pid, signum)
            deadline = time.monotonic() + grace
            while True:
                process.poll()  # reap the group leader
                left = [p for p in members | set(_group_members(pgid)) if _alive(p)]
                if not left or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            if not left:
                break
        return time.monotonic() - started, left

    def stop(self, *args, **kwargs) -> None:
        left = []
        if self.WORKER in self._processes:
            _, left = self.stop_worker()
        super().stop(*args, **kwargs)
        if left:
            raise AirflowClusterError(f"Celery worker processes still running: {left}")

    def diagnostics(self, dag_id: str | None = None, backfill_id: int | None = None) -> str:
        tail = "\n".join(self.worker_log().splitlines()[-40:]) or "(no output)"
        return (
            super().diagnostics(dag_id, backfill_id)
            + f"\n--- {self.log_path(self.WORKER)} (last lines)\n{tail}"
        )


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def _group_members(pgid: int) -> list[psutil.Process]:
    members = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and _alive(process):
                members.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _delete_own_keys(client: redis.Redis, name: str) -> None:
    """Every key with ``name`` (the queue's and the worker node's) in it, and ``name``'s entries
    in the keys that all Celery workers on this database share: the bindings, and messages
    delivered but never acknowledged (a worker killed during a task), which a worker would
    otherwise put back in the queue after the visibility timeout."""
    own = list(client.scan_iter(match=f"*{name}*"))
    if own:
        client.delete(*own)
    for key in client.scan_iter(match="_kombu.binding*", _type="set"):
        members = [m for m in client.smembers(key) if name.encode() in m]
        if members:
            client.srem(key, *members)
    for tag, value in client.hscan_iter("unacked"):
        _message, _exchange, routing_key = json.loads(value)
        if routing_key == name:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture(scope="module")
def broker() -> Iterator[redis.Redis]:
    """The Redis server of the broker URL; fails, saying how to fix it, if it does not answer.
    Afterwards deletes this session's keys (only those)."""
    url = redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
    error = None
    try:
        client.ping()
    except redis.RedisError as exc:
        error = exc
    if error is not None:  # failed here, not in the except block: no chained tracebacks
        pytest.fail(
            f"no Redis at {url} ({error}): the CeleryExecutor test needs a Redis server as its"
            " broker. Start one (`apt-get install redis-server`, or `redis-server --port 6379"
            " --bind 127.0.0.1 --daemonize yes`), or set PRESSWATCH_TEST_REDIS_URL.",
            pytrace=False,
        )
    yield client
    _delete_own_keys(client, QUEUE)
    client.close()


@pytest.fixture(scope="module")
def world(db_url, _simulator_server):
    """Five demo institutions with their history, and the Airflow connections to the simulator
    serving them (the cluster's processes start with them)."""
    return {"url": db_url, "connections": seed_world(db_url, _simulator_server.base_url, **SEED)}


@pytest.fixture(scope="module")
def celery_cluster(broker, airflow_db, db_url, world) -> Iterator[CeleryCluster]:
    """Module scope, like ``airflow_cluster``: ``dag.test()`` in other modules writes to the
    same metadata database, so the scheduler runs only while this module does. (``broker``
    first: without Redis the test fails before anything is set up.)"""
    cluster = CeleryCluster(
        broker_url=redis_url(),
        queue=QUEUE,
        metadata_url=airflow_db,
        domain_url=db_url,
        airflow_home=Path(os.environ["AIRFLOW_HOME"]),
        extra_env=world["connections"],
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def celery_tasks(cluster: CeleryCluster, run_id: str) -> list:
    """The run's task instances with their Celery task's state in the result backend, once no
    Celery task is still being recorded: a task instance is success as soon as its task says
    so to the API server, a little before the worker records the Celery task's end."""
    deadline = time.monotonic() + RESULT_TIMEOUT_SECONDS
    with psycopg.connect(cluster.metadata_url, autocommit=True, row_factory=namedtuple_row) as conn:
        while True:
            rows = conn.execute(
                "SELECT ti.task_id, ti.map_index, ti.id::text AS ti_id, ti.state, ti.queue,"
                "       ti.hostname, ti.external_executor_id AS celery_task_id,"
                "       m.status AS celery_status"
                "  FROM task_instance AS ti"
                "  LEFT JOIN celery_taskmeta AS m ON m.task_id = ti.external_executor_id"
                " WHERE ti.dag_id = %s AND ti.run_id = %s ORDER BY ti.task_id, ti.map_index",
                [DAG_ID, run_id],
            ).fetchall()
            pending = [row for row in rows if row.celery_status in (None, "PENDING", "STARTED")]
            if not pending or time.monotonic() > deadline:
                return rows
            time.sleep(0.2)


def finished_by_celery(cluster: CeleryCluster, run_id: str, count: int) -> list[tuple[str, int]]:
    """The run's tasks (task id, map index) that the scheduler logged finished in success by the
    CeleryExecutor, once there are ``count`` (it learns a task's end from the result backend,
    polled, after the task instance itself is success)."""
    finished_line = re.compile(
        rf"TaskInstance Finished: dag_id={DAG_ID}, task_id=(\w+), run_id={re.escape(run_id)},"
        r" map_index=(-?\d+), .* state=success, executor=CeleryExecutor\("
    )
    deadline = time.monotonic() + RESULT_TIMEOUT_SECONDS
    while True:
        log = cluster.log_path("scheduler").read_text(errors="replace")
        finished = sorted((task_id, int(index)) for task_id, index in finished_line.findall(log))
        if len(finished) >= count or time.monotonic() > deadline:
            return finished
        time.sleep(0.2)


def has_line(lines: list[str], *parts: str) -> bool:
    return any(all(part in line for part in parts) for line in lines)


def test_a_day_of_social_activity_runs_on_the_celery_worker(broker, celery_cluster, world):
    from airflow.utils.net import get_hostname

    cluster = celery_cluster
    started = time.monotonic()
    day = dt.datetime.combine(DAY, dt.time(), TASHKENT)

    (run,) = cluster.backfill(DAG_ID, day, day, timeout=120)

    run_seconds = time.monotonic() - started
    assert (run.state, run.run_type) == ("success", "backfill")
    tasks = celery_tasks(cluster, run.run_id)
    assert {t.task_id for t in tasks} == {
        "resolve_day", "plan_batches", "fetch_posts", "check_wikipedia", "compute_compliance",
        "write_notices",
    }  # fmt: skip
    assert [t.task_id for t in tasks].count("fetch_posts") == 4  # a batch per platform
    # Each went to this session's queue, and the worker recorded its Celery task a success.
    assert [(t.task_id, t.map_index, t.state, t.queue, t.celery_status) for t in tasks] == [
        (t.task_id, t.map_index, "success", QUEUE, "SUCCESS") for t in tasks
    ]
    assert len({t.celery_task_id for t in tasks}) == len(tasks)  # a Celery task each

    # The scheduler loaded the CeleryExecutor, and only it, and it reported every task.
    finished = finished_by_celery(cluster, run.run_id, len(tasks))
    assert finished == [(t.task_id, t.map_index) for t in tasks]
    scheduler_log = cluster.log_path("scheduler").read_text(errors="replace")
    assert re.findall(r"Loaded executor: (\S+)", scheduler_log) == [":CeleryExecutor:"]

    # The worker received each Celery task, ran its task instance and succeeded.
    worker_lines = cluster.worker_log().splitlines()
    for t in tasks:
        task = f"{t.task_id}[{t.map_index}]"
        celery_task = f"Task execute_workload[{t.celery_task_id}]"
        assert has_line(worker_lines, celery_task, "received"), task
        assert has_line(
            worker_lines, "Workload finished", "final_state=success", f"workload_id={t.ti_id}"
        ), task
        assert has_line(worker_lines, celery_task, "succeeded"), task
    # The worker's host (this machine here, the worker's own host in production).
    assert {t.hostname for t in tasks} == {get_hostname()}
    assert broker.llen(QUEUE) == 0  # nothing sent twice, nothing left unconsumed

    # The DAG did its work: the day's compliance of every institution, and the week's notices
    # recorded for a past day, not sent.
    with psycopg.connect(world["url"]) as conn:
        (institutions,) = conn.execute(
            "SELECT count(*) FROM institution_compliance_daily WHERE day = %s", [DAY]
        ).fetchone()
        notices = dict(conn.execute("SELECT status, count(*) FROM notice GROUP BY status"))
    assert institutions == SEED["institutions"]
    assert list(notices) == ["suppressed"]

    # Stopped, the worker leaves no process behind: none in its group, none it started.
    pgid = cluster.worker_pgid()
    stop_seconds, left = cluster.stop_worker()
    assert left == [], f"worker processes still running after SIGKILL: {left}"
    assert _group_members(pgid) == []
    print(
        f"\ncluster and worker ready {cluster.start_seconds:.1f} s (worker"
        f" {cluster.worker_ready_seconds:.1f} s from its start), backfill of one day"
        f" ({len(tasks)} tasks, {notices['suppressed']} notices) {run_seconds:.1f} s,"
        f" worker stopped in {stop_seconds:.1f} s"
    )
