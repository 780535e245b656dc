"""
### Rating, semiannual (R10)

On 1 January and 1 July in Tashkent this DAG rates every institution's press service for the
half-year just ended: nine indicators (R1-R9) from the stored daily compliance, SLA clocks,
accreditation requests and media-plan events, a score 0-100, a rank (ties share it), a band
(green 71-100, yellow 55-71, red below 55 by default) and the change from the previous
half-year, each indicator with its evidence. The rating stores the exact settings it used
(its methodology, by sha256): a settings change never rewrites it.

**Data interval**: one half-year, `[1 Jan, 1 Jul)` or `[1 Jul, 1 Jan)` Asia/Tashkent
(`CronDataIntervalTimetable("0 0 1 1,7 *")`). The run for 2026-H1 starts on 1 July 2026.

**Tasks**
1. `compute_rating`: the rating, `provisional` (`rating`, `rating_result`, `rating_indicator`).
   A rerun with the same settings writes nothing; a `final` rating is never rewritten.
2. `open_dispute_window`: the rating stays provisional `rating.dispute_window_days` (10) days
   from the day its scorecards are issued; corrections are filed with `presswatch rating
   dispute` meanwhile. A rerun does not move it.
3. `plan_scorecards`: the rated institutions in batches.
4. `issue_scorecards` (mapped, named like `institutions 1-1000 of 3000`): each institution's
   scorecard in its language (HTML, PDF, CSV, kept in `rating_document`), and a
   `rating_scorecard` notice with the PDF attached.
5. `write_reports`: the agency's league table (HTML, PDF) and every result (CSV), then all the
   documents written under `PRESSWATCH_REPORTS_DIR` (default `out/reports/<period>-v<version>/`).
   Documents are rendered only when what they show changed: a rerun renders none. The league
   table also goes to the agency (settings `agency.email`) as a `rating_league_table` notice
   with its PDF and the CSV attached, once when provisional and once when final.
6. `finalize_due`: ratings whose window has closed become final with their corrections applied,
   and their accountability notices (`rating_accountability`) are written. The daily DAG
   `rating_finalize_daily` does the same every day, so a rating is final the day its window
   closes.

**Params** (manual runs): `period` (e.g. `2025-H1`: re-issue a past period's rating and
reports; notices already written are not written again), `dry_run` (compute and log, roll
back, nothing else), `send_notices` (manual runs and backfills record notices as `suppressed`
unless this is on; their accountability notices then stay suppressed too), `new_version`
(publish a new methodology version beside a published rating after a settings change),
`institution_codes` (scorecards and reports only for these).

**Backfill** (through the scheduler; no e-mail about the past):

    airflow backfill create --dag-id rating_semiannual \\
        --from-date 2025-01-01 --to-date 2026-01-01

A backfill gives the ratings live runs gave: the same facts (the daily compliance rows, the
registry's history) and the same methodology give identical rows.

**When it fails**: `compute_rating` refusing "has a published rating ... computed with other
settings" means the settings changed since the period was rated: restore them, or run with
`new_version`. `presswatch rating reproduce 2025-H1` recomputes a stored rating from the
stored facts and says what differs. Notices with nobody to send to are `undeliverable`
(`presswatch notices list --status undeliverable`).

Owner: presswatch data engineering.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from presswatch.airflow_support import DEFAULT_ARGS, shared_params


@dag(
    dag_id="rating_semiannual",
    schedule=CronDataIntervalTimetable("0 0 1 1,7 *", timezone="Asia/Tashkent"),
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Tashkent"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "rating"],
    params={
        **{k: v for k, v in shared_params().items() if k != "batch_size"},
        "period": Param(
            None,
            type=["null", "string"],
            pattern=r"^[0-9]{4}-H[12]$",
            title="Period",
            description="The half-year to rate, e.g. 2025-H1; empty: the run's data interval.",
        ),
        "dry_run": Param(
            False,
            type="boolean",
            title="Dry run",
            description="Compute the rating and log it, then roll back: nothing is written.",
        ),
        "new_version": Param(
            False,
            type="boolean",
            title="New methodology version",
            description="After a settings change: publish a new version beside the published one.",
        ),
    },  # fmt: skip
)
def rating_semiannual():
    @task
    def compute_rating() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.rating import pipeline

        context = get_current_context()
        return pipeline.compute_task(
            domain_url(), pipeline.run_period(context), params=context["params"],
            run=run_info(context),
        )  # fmt: skip

    @task
    def plan_scorecards(rating: dict) -> list[dict]:
        from presswatch.airflow_support import domain_url
        from presswatch.rating import pipeline

        if rating["dry_run"]:
            return []  # nothing stored: the mapped and later tasks are skipped
        params = get_current_context()["params"]
        return pipeline.plan_scorecards(
            domain_url(), rating["rating_id"], params["institution_codes"]
        )

    @task(map_index_template="{{ batch_label }}")
    def issue_scorecards(batch: dict) -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox
        from presswatch.rating import pipeline

        context = get_current_context()
        context["batch_label"] = batch["label"]
        return pipeline.scorecards_task(
            domain_url(), batch, send=outbox.should_send_in(context), run=run_info(context)
        )

    @task
    def open_dispute_window(rating: dict) -> dict | None:
        from presswatch.airflow_support import domain_url
        from presswatch.notices import outbox
        from presswatch.rating import pipeline

        if rating["dry_run"]:
            return None
        context = get_current_context()
        return pipeline.open_window_task(
            domain_url(), rating["rating_id"], send=outbox.should_send_in(context)
        )

    @task
    def write_reports(rating: dict) -> dict | None:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox
        from presswatch.rating import pipeline

        if rating["dry_run"]:
            return None
        context = get_current_context()
        codes = context["params"]["institution_codes"] or None
        return pipeline.reports_task(
            domain_url(), rating["rating_id"], codes=codes, run=run_info(context),
            # The league table goes to the agency only for a run of the whole registry.
            notify=None if codes else outbox.should_send_in(context),
        )  # fmt: skip

    @task
    def finalize_due() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox
        from presswatch.rating import pipeline

        context = get_current_context()
        if context["params"]["dry_run"]:
            return {"finalized": []}
        return pipeline.finalize_due_task(
            domain_url(), send_allowed=outbox.should_send_in(context), run=run_info(context)
        )

    rating = compute_rating()
    # The window opens first: the scorecards state the last day corrections are taken.
    plan = plan_scorecards(rating)
    open_dispute_window(rating) >> plan
    issue_scorecards.expand(batch=plan) >> write_reports(rating) >> finalize_due()


rating_semiannual()
