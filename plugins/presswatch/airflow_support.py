"""What every presswatch DAG shares: default args, the failure callback, the database URL.

Imported by DAG files at parse time, so it must stay light: no database, no network, and no
heavy imports at module level.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

log = logging.getLogger(__name__)

OWNER = "presswatch-data"
DOMAIN_CONN_ID = "presswatch_db"


def log_failure(context) -> None:
    """Say in one line which task of which run failed and why, for the on-call engineer."""
    ti = context.get("task_instance") or context.get("ti")
    exception = context.get("exception")
    log.error(
        "presswatch task failed: dag=%s task=%s run=%s try=%s: %s",
        getattr(ti, "dag_id", "?"),
        getattr(ti, "task_id", "?"),
        getattr(ti, "run_id", "?"),
        getattr(ti, "try_number", "?"),
        exception,
    )


DEFAULT_ARGS = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": dt.timedelta(minutes=15),
    "execution_timeout": dt.timedelta(hours=1),
    "on_failure_callback": log_failure,
}


def shared_params() -> dict:
    """The params every pipeline's trigger form has, alike: which institutions, whether to send
    notices, how many accounts per fetch task. (``dry_run`` says what it means per DAG.)"""
    from airflow.sdk import Param

    return {
        "institution_codes": Param(
            [],
            type="array",
            items={"type": "string"},
            title="Institution codes",
            description="Only these institutions (registry codes); empty for all.",
        ),
        "send_notices": Param(
            False,
            type="boolean",
            title="Send notices",
            description="Manual runs and backfills record notices as suppressed unless this is on.",
        ),
        "batch_size": Param(
            500,
            type="integer",
            minimum=1,
            maximum=10000,
            title="Accounts per fetch task",
        ),
    }


def domain_url() -> str:
    """The domain database URL inside a task: the Airflow connection ``presswatch_db`` if it is
    defined (AIRFLOW_CONN_PRESSWATCH_DB or the metadata database), else PRESSWATCH_DB_URL or
    the embedded server (presswatch.db.domain_url)."""
    from presswatch import db

    if os.environ.get("PRESSWATCH_DB_URL"):
        return db.domain_url()
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(DOMAIN_CONN_ID)
    except AirflowNotFoundException:
        log.info("no Airflow connection %r; using the default database", DOMAIN_CONN_ID)
        return db.domain_url()
    params = {
        "host": conn.host,
        "port": conn.port,
        "user": conn.login,
        "password": conn.password,
        "dbname": conn.schema or db.DOMAIN_DATABASE,
    }
    return db.to_url({k: v for k, v in params.items() if v not in (None, "")})


def run_info(context) -> dict[str, str | None]:
    """The identifiers of the Airflow run that writes a row (stored with notices and findings)."""
    dag_run = context.get("dag_run")
    run_type = getattr(dag_run, "run_type", None)
    return {
        "airflow_dag_id": getattr(dag_run, "dag_id", None),
        "airflow_run_id": getattr(dag_run, "run_id", None),
        "airflow_run_type": getattr(run_type, "value", run_type),
    }
