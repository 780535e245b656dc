"""
### Rating, finalize when the dispute window closes (R10)

Every morning in Tashkent this DAG makes final each provisional rating whose dispute window
has closed (on `rating.dispute_closes_on`, `rating.dispute_window_days` after the scorecards
went out), with the corrections filed in the window applied and logged (`rating_correction`),
and writes the
accountability notices (`rating_accountability`) to the heads of the institutions held
accountable: the red band and at least the lowest 5% (`rating.accountability`), naming the
failed indicators and the day the explanation is due (`rating.explanation_days`).

**Data interval**: one local day (`CronDataIntervalTimetable("0 9 * * *")`); the run ending
on day D finalizes the ratings whose window closed by D (so a backfill of past days finalizes
what live runs would have on those days); a day with no window closing does nothing.

**Sending**: scheduled runs send, but only the notices of a rating whose scorecards were sent
(a backfilled rating's accountability notices stay `suppressed`); manual runs send only with
`send_notices`.

**When it fails**: the rating's rows are recomputed from the stored facts with its stored
methodology before they are frozen; an error names the period. `presswatch rating finalize
2025-H1` does the same from the command line; `presswatch rating corrections 2025-H1` lists
the corrections log.

Owner: presswatch data engineering.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, get_current_context, task

from presswatch.airflow_support import DEFAULT_ARGS, shared_params


@dag(
    dag_id="rating_finalize_daily",
    schedule=CronDataIntervalTimetable("0 9 * * *", timezone="Asia/Tashkent"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Tashkent"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "rating"],
    params={"send_notices": shared_params()["send_notices"]},
)
def rating_finalize_daily():
    @task
    def finalize_due() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox
        from presswatch.rating import pipeline

        context = get_current_context()
        return pipeline.finalize_due_task(
            domain_url(), send_allowed=outbox.should_send_in(context), run=run_info(context),
            on=pipeline.interval_end_day(context),
        )  # fmt: skip

    finalize_due()


rating_finalize_daily()
