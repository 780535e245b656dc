"""
### Critical stories, hourly (R3: an official response within one day)

Every hour this DAG reads the news about institutions, finds the critical stories, and holds
each institution to its duty to answer a critical story about it within 24 hours: it reminds
the press service 6 hours before the deadline, records the breach when the deadline passes
without an answer, and escalates to the head (and the rating agency) 24 hours later.

**Data interval**: one hour, `[H:00, H+1:00)` Asia/Tashkent
(`CronDataIntervalTimetable("0 * * * *")`). Everything is decided as of the interval's end:
a story exists for the run if it was first seen by then, a response if it was made by then.

**Tasks**
1. `ingest_portal`: new stories and responses from the monitoring portal (from its cursor).
2. `ingest_feed` (mapped, one per news feed of the registry's `feeds.csv`, named like
   `Kun.uz (kun-uz)`): a conditional GET (ETag/Last-Modified), items parsed with feedparser.
   Duplicates (the same normalised URL, or the same title from the same source) are merged.
3. `match_and_score`: a manual run's `confirm_story_ids` / `dismiss_story_ids` first; then each
   new story matched to institutions through their aliases (names in the four languages, short
   names, handles, operators' aliases) and scored for criticality with the lexicon
   (`include/lexicon/critical.yaml`); the score and the terms found are kept as the reason.
4. `plan_post_batches` / `fetch_posts` (mapped, named like `telegram 1/3 (500 accounts)`): the
   last hours of posts of the institutions with open clocks, where their answers appear.
5. `record_responses`: answers among those posts (a link to the story, or its title), the
   portal's and operators' responses; a response dated before its story or from another
   institution's account goes to `quarantine` with the reason, and the clock runs on.
6. `advance_stages`: clocks opened for new critical stories; every open clock advanced:
   `opened`, `reminder`, `breached`, `escalated`, `fulfilled`/`fulfilled_late`, `dismissed`
   (table `story_sla_event`, each stage once), in one set-based pass.
7. `write_notices`: one notice per reminder, breach and escalation, through the outbox;
   `notices_dispatch` sends them.

**Params** (the trigger form): `institution_codes` (empty: all), `dry_run` (every task rolls
back what it wrote: the sources are read and checked, the sweep and notices are computed on
what was stored before the run), `send_notices` (manual runs and backfills record notices as
`suppressed` unless it is on), `confirm_story_ids`, `dismiss_story_ids` (an operator's decision
wins over the score; also `presswatch stories confirm|dismiss ID`), `fetch_posts`, `hour` (the
local hour for a run triggered without a logical date), `batch_size`.

**Backfill** (through the scheduler; notices are recorded, not sent):

    airflow backfill create --dag-id critical_story_sla_hourly \\
        --from-date 2026-03-01T00:00:00+05:00 --to-date 2026-03-07T23:00:00+05:00 \\
        --max-active-runs 1

Hours must run in order (`--max-active-runs 1`): each hour's sweep continues from the last.
A backfill gives the same stage events as the live runs gave. It reads the portal's history
from its stored cursor; a news feed only lists its latest items, which count as seen at the end
of the backfilled hour that read them.

**When it fails**: a news feed that stays unavailable fails its own `ingest_feed` task (the
other feeds, matching and the sweep go on; its new items come with the next run). The portal
or a platform failing fails `ingest_portal` or `fetch_posts`, and `record_responses`,
`advance_stages` and `write_notices` wait: no breach is recorded on incomplete answers. Clear
the failed task once the source is back. Feed problems: `SELECT code, last_status, last_error
FROM story_feed`; bad items and rejected responses: `SELECT source, reason FROM quarantine
ORDER BY id DESC`; one story's whole history: `presswatch stories show ID`.

Owner: presswatch data engineering.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from presswatch.airflow_support import DEFAULT_ARGS, shared_params


@dag(
    dag_id="critical_story_sla_hourly",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="Asia/Tashkent"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Tashkent"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "stories", "sla"],
    params={
        **shared_params(),
        "dry_run": Param(
            False,
            type="boolean",
            title="Dry run",
            description=(
                "Every task rolls back what it wrote: the sources are read and checked, the "
                "sweep and the notices are computed on what was stored before this run."
            ),
        ),
        "confirm_story_ids": Param(
            [],
            type="array",
            items={"type": "integer"},
            title="Confirm stories as critical",
            description="Story ids an operator confirms as critical (wins over the score).",
        ),
        "dismiss_story_ids": Param(
            [],
            type="array",
            items={"type": "integer"},
            title="Dismiss stories",
            description="Story ids an operator dismisses as not critical (closes their clocks).",
        ),
        "fetch_posts": Param(
            True,
            type="boolean",
            title="Read the institutions' posts",
            description="Read the recent posts of institutions with open clocks, for answers.",
        ),
        "hour": Param(
            None,
            type=["null", "string"],
            title="Hour (runs without a date)",
            description="The local hour to sweep, e.g. 2026-03-10T14:00, when the run has no data interval.",
        ),
    },  # fmt: skip
)
def critical_story_sla_hourly():
    @task
    def ingest_portal() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.sla import hourly

        context = get_current_context()
        return hourly.portal_task(
            domain_url(), hourly.run_hour(context), params=context["params"],
            run=run_info(context),
        )  # fmt: skip

    @task
    def plan_feeds() -> list[dict]:
        from presswatch.airflow_support import domain_url
        from presswatch.sla import hourly

        return hourly.plan_feeds(domain_url())

    @task(map_index_template="{{ feed_label }}")
    def ingest_feed(feed: dict) -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.sla import hourly

        context = get_current_context()
        context["feed_label"] = feed["label"]
        return hourly.feed_task(
            domain_url(), feed, hourly.run_hour(context), params=context["params"],
            run=run_info(context),
        )  # fmt: skip

    # A news feed that is down must not stop the sweep: its stories come with a later run.
    @task(trigger_rule="all_done")
    def match_and_score() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.sla import hourly

        context = get_current_context()
        hour, params = hourly.run_hour(context), context["params"]
        decided = hourly.decisions_task(domain_url(), hour, params=params, run=run_info(context))
        return {"decisions": decided, **hourly.match_task(domain_url(), params=params)}

    @task
    def plan_post_batches() -> list[dict]:
        from presswatch.airflow_support import domain_url
        from presswatch.sla import hourly

        context = get_current_context()
        return hourly.plan_post_batches(
            domain_url(), hourly.run_hour(context), params=context["params"]
        )

    @task(map_index_template="{{ batch_label }}")
    def fetch_posts(batch: dict) -> dict:
        from presswatch.activity import daily
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.sla import hourly

        context = get_current_context()
        context["batch_label"] = batch["label"]
        return hourly.post_fetch_task(
            domain_url(), daily.Batch.from_dict(batch), hourly.run_hour(context),
            params=context["params"], run=run_info(context),
        )  # fmt: skip

    # No institution awaiting answers maps fetch_posts to nothing (skipped): still go on.
    @task(trigger_rule="none_failed")
    def record_responses() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.sla import hourly

        context = get_current_context()
        return hourly.responses_task(
            domain_url(), hourly.run_hour(context), params=context["params"],
            run=run_info(context),
        )  # fmt: skip

    @task
    def advance_stages() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.sla import hourly

        context = get_current_context()
        return hourly.sweep_task(
            domain_url(), hourly.run_hour(context), params=context["params"],
            run=run_info(context),
        )  # fmt: skip

    @task
    def write_notices() -> dict:
        from presswatch.airflow_support import domain_url, run_info
        from presswatch.notices import outbox
        from presswatch.sla import hourly

        context = get_current_context()
        return hourly.notices_task(
            domain_url(), hourly.run_hour(context), params=context["params"],
            send=outbox.should_send_in(context), run=run_info(context),
        )  # fmt: skip

    portal = ingest_portal()
    feeds = ingest_feed.expand(feed=plan_feeds())
    matched = match_and_score()
    [portal, feeds] >> matched
    batches = plan_post_batches()
    matched >> batches
    fetched = fetch_posts.expand(batch=batches)
    recorded = record_responses()
    # The portal's answers and the posts must both be in before a sweep: no breach is recorded
    # on incomplete answers.
    [fetched, portal] >> recorded
    advanced = advance_stages()
    recorded >> advanced
    advanced >> write_notices()


critical_story_sla_hourly()
