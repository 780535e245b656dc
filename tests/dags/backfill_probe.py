"""
### Backfill probe (tests only)

Proves that a backfill run by the scheduler gets the local Tashkent day as its data interval and
that what it writes is recorded, not sent. Used by `tests/test_backfill_scheduler.py` through the
`airflow_cluster` fixture; not shipped in `dags/`.

**Data interval**: one local day, `[D 00:00, D+1 00:00)` Asia/Tashkent, the schedule of
`social_activity_daily` (`CronDataIntervalTimetable("0 0 * * *")`).

**Writes**: one notice per run through the outbox, keyed `backfill_probe:<D>` (the local date of
the data interval start), addressed to the first institution of the registry, with the run's
identifiers; `send` comes from the run (`outbox.should_send_in`), so a backfill writes it
`suppressed` unless run with `send_notices=true`.

**Backfill**:

    airflow backfill create --dag-id backfill_probe \\
        --from-date 2026-03-01T00:00:00+05:00 --to-date 2026-03-14T00:00:00+05:00

**When it fails**: the task log says why. An institution without addressees in the registry gets
its notice stored `undeliverable`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from presswatch.airflow_support import DEFAULT_ARGS

TIMEZONE = "Asia/Tashkent"


@dag(
    dag_id="backfill_probe",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "test"],
    params={"send_notices": Param(False, type="boolean")},
)
def backfill_probe():
    @task
    def write_notice() -> dict:
        from presswatch import db
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox
        from presswatch.notices.samples import sample_context

        context = get_current_context()
        day = pendulum.instance(context["data_interval_start"]).in_timezone(TIMEZONE).date()
        with db.connect(domain_url()) as conn:
            (institution_id,) = conn.execute("SELECT min(id) FROM institution").fetchone()
            result = outbox.write(
                conn,
                kind="posting_lapse_weekly",
                dedup_key=f"backfill_probe:{day.isoformat()}",
                institution_id=institution_id,
                language="en",
                recipients=outbox.registry_recipients(conn, institution_id),
                context=sample_context("posting_lapse_weekly", "en"),
                issued_on=day,
                send=outbox.should_send_in(context),
                run=run_info(context),
            )
            conn.commit()
        return {"day": day.isoformat(), "status": result.status}

    write_notice()


backfill_probe()
