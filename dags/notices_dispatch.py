"""
### Notices dispatch

Sends the official notices waiting in the outbox (`notice` rows with status `pending`) by
e-mail through the Airflow SMTP connection `smtp_default`. Every pipeline (R1-R4, R7, R10)
only *writes* notices; this DAG is the one place that sends them, so a mail outage loses
nothing and a retry never sends twice.

**How**: claims due notices with `FOR UPDATE SKIP LOCKED` (two runs never take the same one),
sends each with a `Message-ID` derived from its dedup key, marks it `sent`. A temporary
failure (4xx reply) leaves it `pending` with an exponential backoff (1 min doubling, at most
6 h; `failed` after 12 attempts); a permanent rejection (5xx: unknown mailbox) marks it
`failed` with the server's reply in `last_error`. A notice left in `sending` by a dispatcher
that died is taken again after 15 minutes, as the same message.

**Suppressed** notices (written by backfills, or by manual runs without `send_notices=true`)
are never sent: they are kept for the record.

**Schedule**: every 10 minutes; there is no data interval and nothing to backfill.

**When it fails**: "cannot open an SMTP session" means the mail server is unreachable or the
`smtp_default` connection is wrong; nothing was claimed and every notice stays pending. Look
at `SELECT reference_no, status, attempts, last_error FROM notice WHERE status <> 'sent'`.

Owner: presswatch data engineering.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from presswatch.airflow_support import DEFAULT_ARGS


@dag(
    dag_id="notices_dispatch",
    schedule=CronTriggerTimetable("*/10 * * * *", timezone="Asia/Tashkent"),
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Tashkent"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "notices"],
    params={
        "batch_size": Param(
            200,
            type="integer",
            minimum=1,
            maximum=5000,
            title="Notices per run",
            description="At most this many notices are claimed and sent in one run.",
        ),  # fmt: skip
    },
)
def notices_dispatch():
    @task
    def send_pending_notices(params: dict | None = None) -> dict:
        import logging

        from presswatch import settings
        from presswatch.airflow_support import domain_url
        from presswatch.notices import dispatch

        agency = settings.get().agency
        report = dispatch.dispatch(
            domain_url(),
            lambda: dispatch.AirflowSmtpSender("smtp_default", fallback_from=agency.email),
            sender_name=agency.name[agency.language],
            batch_size=params["batch_size"],
        )
        log = logging.getLogger("presswatch.notices_dispatch")
        for error in report.errors:
            log.warning("not delivered: %s", error)
        log.info(
            "claimed %s, sent %s, retry later %s, failed %s",
            report.claimed, report.sent, report.retried, report.failed,
        )  # fmt: skip
        return {"claimed": report.claimed, "sent": report.sent,
                "retried": report.retried, "failed": report.failed}  # fmt: skip

    send_pending_notices()


notices_dispatch()
