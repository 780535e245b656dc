"""
### Notice probe (tests only)

Writes one notice through the outbox from inside a real Airflow task, so tests can check that
the run type and the `send_notices` param decide whether it is sent. Not shipped in `dags/`.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from presswatch.airflow_support import DEFAULT_ARGS


@dag(
    dag_id="notice_probe",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Tashkent"),
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "test"],
    params={
        "send_notices": Param(False, type="boolean"),
        "dedup_key": Param("probe", type="string"),
    },
)
def notice_probe():
    @task
    def write_notice() -> str:
        from presswatch import db
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox
        from presswatch.notices.samples import sample_context

        context = get_current_context()
        with db.connect(domain_url()) as conn:
            (institution_id,) = conn.execute("SELECT min(id) FROM institution").fetchone()
            result = outbox.write(
                conn,
                kind="posting_lapse_weekly",
                dedup_key=context["params"]["dedup_key"],
                institution_id=institution_id,
                language="en",
                recipients=outbox.registry_recipients(conn, institution_id),
                context=sample_context("posting_lapse_weekly", "en"),
                issued_on=dt.date(2026, 3, 2),
                send=outbox.should_send_in(context),
                run=run_info(context),
            )
            conn.commit()
        return result.status

    write_notice()


notice_probe()
