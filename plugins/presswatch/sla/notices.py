"""The notices of R3's SLA stages, written through the outbox (``presswatch.notices.outbox``).

Run after ``engine.advance`` for the same hour, in the caller's transaction. Every
``reminder``, ``breached`` and ``escalated`` event recorded by ``as_of`` without a notice gets
one, and the event keeps its key (``story_sla_event.notice_key``):

| stage | kind | to | cc | dedup key |
|---|---|---|---|---|
| ``reminder`` | ``story_sla_reminder`` | press secretary, head | | ``story_sla_reminder:<story id>:<institution id>`` |
| ``breached`` | ``story_sla_breach`` | press secretary, head | | ``story_sla_breach:<story id>:<institution id>`` |
| ``escalated`` | ``story_sla_escalation`` | head, press secretary | the agency | ``story_sla_escalation:<story id>:<institution id>`` |

Addresses come only from the registry. The letter is addressed to the press secretary, else the
head (an escalation: to the head); without a head, to the position ("Head of the institution"). An institution with no addressee at all gets the notice stored
``undeliverable``. It is written in the institution's language and dated ``as_of``'s local day.

A stage whose clock was closed (answered or dismissed) by ``as_of`` before its notice was
written gets none: the notice would ask for what was already done. Otherwise each stage's
notice exists once, however many times an hour is swept (the dedup key), and ``send``
decides whether it goes out or is stored ``suppressed`` (``outbox.should_send``: scheduled
runs send, backfills and manual runs do not unless asked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row

from presswatch import db
from presswatch.errors import PresswatchError
from presswatch.notices import outbox
from presswatch.notices.outbox import NoticeReport
from presswatch.settings import Settings

QUERIES = "sla/notices"

KIND = {
    "reminder": "story_sla_reminder",
    "breached": "story_sla_breach",
    "escalated": "story_sla_escalation",
}
# Who a stage's notice goes to (the registry's officials in these roles) ...
ROLES = {
    "reminder": ("press_secretary", "head"),
    "breached": ("press_secretary", "head"),
    "escalated": ("head", "press_secretary"),
}
# ... and who the letter is addressed to: the first of these the registry names, else the
# head's position. An escalation is the head's, even when only the press secretary receives it.
ADDRESSED_TO = {
    "reminder": ("press_secretary", "head"),
    "breached": ("press_secretary", "head"),
    "escalated": ("head",),
}
# Days the institution has to send the agency its explanation of a missed deadline.
EXPLANATION_DAYS = 2


def dedup_key(stage: str, story_id: int, institution_id: int) -> str:
    return f"{KIND[stage]}:{story_id}:{institution_id}"


def _addressee(row: Any, stage: str) -> dict[str, str]:
    people = {
        "head": (row.head_name, row.head_title),
        "press_secretary": (row.press_name, row.press_title),
    }
    for role in ADDRESSED_TO[stage]:
        name, title = people[role]
        if name is not None:
            return {"full_name": name, "position_title": title}
    return outbox.unnamed_head(row.preferred_language)


def _story_facts(row: Any, stage: str, as_of: dt.datetime) -> dict[str, Any]:
    overdue = 0
    if stage != "reminder":
        overdue = max(0, int((as_of - row.due_at).total_seconds() // 3600))
    story = {
        "title": row.title,
        "url": row.url,
        "source": row.source,
        "published_at": row.published_at,
        "due_at": row.due_at,
        "hours_overdue": overdue,
        "detected_late": row.detected_late,
    }
    if row.detected_late:
        story["first_seen_at"] = row.first_seen_at
    return story


def write_stage_notices(
    conn: psycopg.Connection,
    as_of: dt.datetime,
    settings: Settings,
    *,
    send: bool,
    codes: Sequence[str] | None = None,
    run: Mapping[str, str | None] | None = None,
) -> NoticeReport:
    """Write the notice of every SLA stage recorded by ``as_of`` that has none (see the module's
    table); ``codes``: only these institutions' stages. Returns what was written per kind."""
    if not isinstance(as_of, dt.datetime) or as_of.tzinfo is None:
        raise PresswatchError(f"as_of must be an aware datetime (the hour's end), not {as_of!r}")
    queries = db.named_queries(QUERIES)
    cursor = conn.cursor(row_factory=namedtuple_row)
    rows = cursor.execute(
        queries["stages_without_notice"],
        {"as_of": as_of, "codes": list(codes) if codes is not None else None},
    ).fetchall()

    report = NoticeReport()
    issued_on = as_of.astimezone(settings.tz).date()
    agency = settings.agency
    recipients_of: dict[tuple[int, str], list[str]] = {}
    marked: list[tuple[int, int, str, str]] = []
    for row in rows:
        stage = row.stage
        kind = KIND[stage]
        roles = ROLES[stage]
        if (row.institution_id, stage) not in recipients_of:
            recipients_of[row.institution_id, stage] = outbox.registry_recipients(
                conn, row.institution_id, roles
            )
        language = row.preferred_language
        # A reminder's deadline is the story's own (in the table); a missed one asks for an
        # explanation within EXPLANATION_DAYS.
        explain_by = (
            None if stage == "reminder" else issued_on + dt.timedelta(days=EXPLANATION_DAYS)
        )
        context = {
            "deadline": explain_by,
            "addressee": _addressee(row, stage),
            "institution": {"name": row.institution_name},
            "agency": {"name": agency.name[language], "email": agency.email},
            "facts": {
                "response_hours": settings.sla.response_hours,
                "stories": [_story_facts(row, stage, as_of)],
            },
        }
        key = dedup_key(stage, row.story_id, row.institution_id)
        result = outbox.write(
            conn,
            kind=kind,
            dedup_key=key,
            institution_id=row.institution_id,
            language=language,
            recipients=recipients_of[row.institution_id, stage],
            cc=(agency.email,) if stage == "escalated" else (),
            context=context,
            issued_on=issued_on,
            send=send,
            run=run,
        )
        report.count(kind, result, row.code)
        marked.append((row.story_id, row.institution_id, stage, key))

    if marked:
        story_ids, institution_ids, stages, keys = (
            list(column) for column in zip(*marked, strict=True)
        )
        conn.execute(
            queries["mark_noticed"],
            {
                "story_ids": story_ids,
                "institution_ids": institution_ids,
                "stages": stages,
                "notice_keys": keys,
            },
        )
    return report
