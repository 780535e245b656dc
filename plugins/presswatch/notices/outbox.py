"""The notices outbox: every notice is a row in ``notice``, written in the caller's transaction
(the same one as the finding that caused it), keyed by a deduplication key.

Writing a notice whose key exists is a no-op, so reruns, retries and backfills never duplicate
one. A new notice gets the next reference number of its year (``PW-2026-000123``), is
rendered in its language with that number, and is stored ``pending`` (the dispatcher sends it)
or ``suppressed`` (kept for the record, never sent: see ``should_send``).

A notice with nobody to go to (the institution has no active head or press secretary in the
registry) is still rendered and stored, ``undeliverable``, with no recipients and the reason in
``last_error``: the dispatcher never claims it, ``presswatch notices list --status
undeliverable`` shows it, and ``readdress`` (``presswatch notices readdress``) gives it the
registry's addressees once there are some, making it what it would have been (pending, or
suppressed for a backfill).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

from presswatch import db
from presswatch.errors import PresswatchError

log = logging.getLogger(__name__)

DEFAULT_ROLES = ("head", "press_secretary")
STATUSES = ("pending", "sending", "sent", "failed", "suppressed", "undeliverable")


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


@dataclass
class NoticeReport:
    """What a pipeline's notice step wrote (what crosses XCom: counts and codes)."""

    written: dict[str, int] = field(default_factory=dict)  # new notices per kind
    existing: dict[str, int] = field(default_factory=dict)  # dedup key already there
    undeliverable: dict[str, int] = field(default_factory=dict)  # new ones nobody to send to
    no_recipient: list[str] = field(default_factory=list)  # institution codes without any

    def count(self, kind: str, result: WriteResult, institution_code: str | None) -> None:
        counts = self.written if result.created else self.existing
        counts[kind] = counts.get(kind, 0) + 1
        if result.created and result.status == "undeliverable":
            self.undeliverable[kind] = self.undeliverable.get(kind, 0) + 1
        if result.status == "undeliverable" and institution_code not in self.no_recipient:
            self.no_recipient.append(institution_code)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def unnamed_head(language: str) -> dict[str, str]:
    """The addressee of a notice to an institution whose head the registry does not name: the
    position, in the notice's language ("Head of the institution")."""
    from presswatch.notices.render import FALLBACK_LANGUAGE, default_renderer

    renderer = default_renderer()
    catalog = {**renderer.catalog(FALLBACK_LANGUAGE), **renderer.catalog(language)}
    return {
        "full_name": catalog["addressee.unnamed_head.full_name"],
        "position_title": catalog["addressee.unnamed_head.position_title"],
    }


def agency_addressee(language: str) -> dict[str, str]:
    """The addressee of a notice to the agency itself (the rating's league table): its
    monitoring unit, in the notice's language."""
    from presswatch.notices.render import FALLBACK_LANGUAGE, default_renderer

    renderer = default_renderer()
    catalog = {**renderer.catalog(FALLBACK_LANGUAGE), **renderer.catalog(language)}
    return {
        "full_name": catalog["addressee.agency.full_name"],
        "position_title": catalog["addressee.agency.position_title"],
    }


def no_addressee_reason(conn: psycopg.Connection, institution_id: int | None) -> str:
    if institution_id is None:
        return "no recipients: the notice names no institution to address"
    row = conn.execute(_queries()["institution_code"], {"institution_id": institution_id})
    (code,) = row.fetchone() or (str(institution_id),)
    return f"no active head or press secretary in the registry for institution {code}"


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

    Without ``recipients`` it is stored ``undeliverable``, the reason ("no active head or press
    secretary in the registry for institution X") in ``last_error``. Runs in the caller's
    transaction: commit it together with the finding.
    """
    from presswatch.notices.render import render

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
    status_when_addressed = last_error = None
    if not recipients:
        status_when_addressed, status = status, "undeliverable"
        last_error = no_addressee_reason(conn, institution_id)
        log.warning("notice %s (%s) is undeliverable: %s", reference_no, dedup_key, last_error)
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
            "status_when_addressed": status_when_addressed,
            "last_error": last_error,
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


@dataclass(frozen=True)
class ListedNotice:
    reference_no: str
    kind: str
    status: str
    institution_code: str | None
    recipients: list[str]
    cc: list[str]
    last_error: str | None
    created_at: dt.datetime


def list_notices(
    conn: psycopg.Connection,
    *,
    status: str | None = None,
    kind: str | None = None,
    institution_code: str | None = None,
    limit: int = 50,
) -> list[ListedNotice]:
    """The newest notices matching the filters (each optional), newest first."""
    if status is not None and status not in STATUSES:
        raise PresswatchError(f"unknown notice status {status!r}; known: {', '.join(STATUSES)}")
    rows = conn.execute(
        _queries()["list"],
        {"status": status, "kind": kind, "code": institution_code, "limit": limit},
    ).fetchall()
    return [ListedNotice(*row) for row in rows]


@dataclass(frozen=True)
class Readdressed:
    reference_no: str
    kind: str
    institution_code: str | None
    status: str  # pending or suppressed: what it would have been when written
    recipients: list[str]


def readdress(
    conn: psycopg.Connection,
    *,
    codes: Sequence[str] | None = None,
    roles: Sequence[str] = DEFAULT_ROLES,
    now: dt.datetime | None = None,
) -> tuple[list[Readdressed], int]:
    """Give undeliverable notices the registry's addressees as it stands now (only ``codes``'
    institutions when given), making each what it would have been when written (pending, due
    now, or suppressed). The letter itself is not re-rendered. Returns the notices readdressed
    and how many stay undeliverable. Runs in the caller's transaction."""
    queries = _queries()
    params = {
        "codes": list(codes) if codes else None,
        "roles": list(roles),
        "now": now or dt.datetime.now(dt.UTC),
    }
    rows = conn.execute(queries["readdress"], params).fetchall()
    (remaining,) = conn.execute(queries["count_undeliverable"], params).fetchone()
    return [Readdressed(*row) for row in rows], remaining
