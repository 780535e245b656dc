"""The notices outbox: every notice is a row in ``notice``, written in the caller's transaction
(the same one as the finding that caused it), keyed by a deduplication key.

Writing a notice whose key exists is a no-op, so reruns, retries and backfills never duplicate
one. A new notice gets the next reference number of its year (``PW-2026-000123``), is
rendered in its language with that number, and is stored ``pending`` (the dispatcher sends it)
or ``suppressed`` (kept for the record, never sent: see ``should_send``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from presswatch import db
from presswatch.errors import PresswatchError

log = logging.getLogger(__name__)

DEFAULT_ROLES = ("head", "press_secretary")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class WriteResult:
    notice_id: int
    reference_no: str
    created: bool  # False: a notice with this key already existed and was left as it was
    status: str


def _queries() -> dict[str, str]:
    return db.named_queries("notices/outbox")


def should_send(run_type: str | None, params: Mapping[str, Any] | None) -> bool:
    """Whether notices created by this run go out.

    Scheduled runs send. Backfills, manual runs and ``airflow dags test`` send only when run
    with the param ``send_notices=true``: an operator replaying the past must ask for e-mail.
    """
    value = getattr(run_type, "value", run_type)
    if value == "scheduled":
        return True
    return bool((params or {}).get("send_notices", False))


def should_send_in(context: Mapping[str, Any]) -> bool:
    """``should_send`` for the Airflow run of a task's context."""
    dag_run = context.get("dag_run")
    return should_send(getattr(dag_run, "run_type", None), context.get("params"))


def registry_recipients(
    conn: psycopg.Connection, institution_id: int, roles: Sequence[str] = DEFAULT_ROLES
) -> list[str]:
    """The institution's addressees from the registry (active officials in ``roles``)."""
    rows = conn.execute(
        _queries()["registry_recipients"],
        {"institution_id": institution_id, "roles": list(roles)},
    ).fetchall()
    return [email for (email,) in rows]


def write(
    conn: psycopg.Connection,
    *,
    kind: str,
    dedup_key: str,
    institution_id: int | None,
    language: str,
    recipients: Sequence[str],
    context: Mapping[str, Any],
    issued_on: dt.date,
    send: bool,
    cc: Sequence[str] = (),
    attachments: Iterable[Attachment] = (),
    run: Mapping[str, str | None] | None = None,
    now: dt.datetime | None = None,
) -> WriteResult:
    """Write one notice unless its ``dedup_key`` exists; return what is stored.

    Runs in the caller's transaction: commit it together with the finding.
    """
    from presswatch.notices.render import render

    if not recipients:
        raise PresswatchError(
            f"notice {dedup_key}: no recipients (the registry has no active addressee)"
        )
    queries = _queries()
    conn.execute(queries["lock_key"], {"dedup_key": dedup_key})
    existing = conn.execute(queries["existing"], {"dedup_key": dedup_key}).fetchone()
    if existing:
        return WriteResult(existing[0], existing[1], created=False, status=existing[2])

    (reference_no,) = conn.execute(queries["next_reference"], {"year": issued_on.year}).fetchone()
    rendered = render(
        kind, language, {**context, "reference_no": reference_no, "issued_on": issued_on}
    )
    if rendered.fallbacks:  # a shipped language should have none (tests list them)
        log.warning(
            "notice %s (%s, %s) fell back to English for: %s",
            reference_no, kind, language, ", ".join(rendered.fallbacks),
        )  # fmt: skip
    status = "pending" if send else "suppressed"
    run = run or {}
    (notice_id,) = conn.execute(
        queries["insert"],
        {
            "kind": kind,
            "dedup_key": dedup_key,
            "institution_id": institution_id,
            "language": language,
            "reference_no": reference_no,
            "recipients": list(recipients),
            "cc": list(cc),
            "subject": rendered.subject,
            "body_html": rendered.html,
            "body_text": rendered.text,
            "status": status,
            "airflow_dag_id": run.get("airflow_dag_id"),
            "airflow_run_id": run.get("airflow_run_id"),
            "airflow_run_type": run.get("airflow_run_type"),
            "now": now or dt.datetime.now(dt.UTC),
        },
    ).fetchone()
    for attachment in attachments:
        conn.execute(
            queries["insert_attachment"],
            {
                "notice_id": notice_id,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "content": attachment.content,
            },
        )
    return WriteResult(notice_id, reference_no, created=True, status=status)
