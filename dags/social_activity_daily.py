"""
### Social activity, daily (R1, R2, R4-R8)

Every night after midnight in Tashkent this DAG checks the previous local day: have the heads
of institutions their four verified pages (R1), did each page post at least 3 times in the
last 7 days and, on Mondays, in the ISO week that just ended (R2), are accreditation requests
decided within 3 days (R4), have the media pool and council their journalists and bloggers
(R5, R6), do the Wikipedia pages (R7) and the apps (R8) exist.

**Data interval**: one local day, `[D 00:00, D+1 00:00)` Asia/Tashkent
(`CronDataIntervalTimetable("0 0 * * *")`). The run for `D` starts at `D+1 00:00`.

**Tasks**
1. `plan_batches`: the active accounts in scope, split per platform into batches.
2. `fetch_posts` (mapped, one per batch, named like `facebook 2/18 (500 accounts)`): reads new
   posts and account facts from the platform and loads them (COPY + upsert). Only the part of
   the period the day needs (its 7-day window) that is not stored yet is asked for: a rerun or a
   backfill over fetched days sends no request for posts.
3. `check_wikipedia`: whether each institution's pages exist in uz, ru and en.
4. `compute_compliance`: the day's rows in `account_compliance_daily`,
   `account_week_compliance` (Sundays) and `institution_compliance_daily`, replaced in SQL.
5. `write_notices`: weekly posting lapses (per account, Sundays; per head with
   `posting.scope: official`, whose accounts then count together), overdue accreditation
   requests (per request), missing or unverified pages and missing Wikipedia languages (per
   month, on its last day), through the outbox; `notices_dispatch` sends them.

**Params** (manual runs; scheduled runs use the defaults): `institution_codes` (empty: all),
`platforms`, `dry_run` (every task rolls back what it wrote: the platforms are read and checked,
then compliance and notices are computed on the posts stored before the run, since the fetched
ones were not kept; counts are in the task logs), `send_notices` (manual runs and backfills
write notices as `suppressed` unless this is true), `day` (the local day for a run triggered
without a logical date), `batch_size`.

**Backfill** (through the scheduler; notices are recorded, not sent):

    airflow backfill create --dag-id social_activity_daily \\
        --from-date 2026-04-01 --to-date 2026-06-30 --max-active-runs 1

A backfill gives the same compliance rows as the live runs gave: each day is computed on the
registry as it was that day and on the verified flags the live run of that day read (both kept
with their days in the registry's history, migration 0014); a backfill reads no platform facts
(the platforms give only today's), and keeps a Wikipedia check already recorded for a day.

**When it fails**: a platform that stays down after retries fails its own `fetch_posts`
tasks ("facebook: GET /v21.0/... failed 5 times; last: HTTP 503"); the other platforms load,
and compliance and notices wait (they never run on incomplete posts). Clear the failed task
once the platform is back. An account that cannot be read does not fail the task: see
`SELECT platform, handle, last_fetch_error FROM social_account WHERE last_fetch_error IS NOT NULL`.
Malformed items are in `quarantine`.

Owner: presswatch data engineering.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from presswatch.airflow_support import DEFAULT_ARGS, shared_params

PLATFORMS = ["facebook", "x", "instagram", "telegram"]


@dag(
    dag_id="social_activity_daily",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="Asia/Tashkent"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Tashkent"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "social", "compliance"],
    params={
        **shared_params(),
        "platforms": Param(
            PLATFORMS,
            type="array",
            items={"type": "string", "enum": PLATFORMS},
            title="Platforms",
            description="Fetch only these platforms.",
        ),
        "dry_run": Param(
            False,
            type="boolean",
            title="Dry run",
            description=(
                "Every task rolls back what it wrote: the platforms are read, compliance and "
                "notices are computed on the posts stored before this run."
            ),
        ),
        "day": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Day (runs without a date)",
            description="The local day to check when the run has no data interval.",
        ),
    },  # fmt: skip
)
def social_activity_daily():
    @task
    def resolve_day() -> str:
        """The local day this run checks: its data interval's start in Tashkent."""
        from presswatch.activity import daily

        return daily.run_day(get_current_context()).isoformat()

    @task
    def plan_batches(day: str) -> list[dict]:
        from presswatch import db
        from presswatch.activity import daily
        from presswatch.airflow_support import domain_url

        params = get_current_context()["params"]
        with db.connect(domain_url()) as conn:
            batches = daily.plan_batches(
                conn, params["platforms"], params["institution_codes"], params["batch_size"]
            )
        return [batch.as_dict() for batch in batches]

    @task(map_index_template="{{ batch_label }}")
    def fetch_posts(batch: dict, day: str) -> dict:
        import datetime as dt

        from presswatch.activity import daily
        from presswatch.airflow_support import domain_url, run_info

        context = get_current_context()
        context["batch_label"] = batch["label"]
        return daily.fetch_task(
            domain_url(), daily.Batch.from_dict(batch), dt.date.fromisoformat(day),
            params=context["params"], run=run_info(context),
        )  # fmt: skip

    @task
    def check_wikipedia(day: str) -> dict:
        import datetime as dt

        from presswatch.activity import daily
        from presswatch.airflow_support import domain_url, run_info

        context = get_current_context()
        return daily.wikipedia_task(
            domain_url(), dt.date.fromisoformat(day), params=context["params"],
            run=run_info(context),
        )  # fmt: skip

    @task
    def compute_compliance(day: str) -> dict:
        import datetime as dt

        from presswatch.activity import daily
        from presswatch.airflow_support import domain_url

        context = get_current_context()
        return daily.compliance_task(
            domain_url(), dt.date.fromisoformat(day), params=context["params"]
        )

    @task
    def write_notices(day: str) -> dict:
        import datetime as dt

        from presswatch.activity import daily
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox

        context = get_current_context()
        return daily.notices_task(
            domain_url(), dt.date.fromisoformat(day), params=context["params"],
            send=outbox.should_send_in(context), run=run_info(context),
        )  # fmt: skip

    day = resolve_day()
    fetched = fetch_posts.partial(day=day).expand(batch=plan_batches(day))
    wiki = check_wikipedia(day)
    computed = compute_compliance(day)
    [fetched, wiki] >> computed
    computed >> write_notices(day)


social_activity_daily()
