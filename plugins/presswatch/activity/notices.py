"""The notices a day's compliance gives, written through the outbox (``notices.outbox``).

Run after ``compliance.compute_day`` for the same day, in the caller's transaction. The day is
a local calendar day; the notices are dated the next day (the run happens after midnight).

| notice | when | one per | dedup key |
|---|---|---|---|
| ``posting_lapse_weekly`` (R2) | ``day`` is a Sunday | account below the minimum in the ISO week (``posting.scope: official``: official whose accounts together are below it) | ``posting_lapse_weekly:<account id>:<ISO year>-W<week>`` (``...:official:<official id>:...``) |
| ``accreditation_overdue`` (R4) | every day | request undecided after ``max_days`` | ``accreditation_overdue:<request id>`` |
| ``account_missing_or_unverified`` (R1) | ``day`` is the last of its month | head with a required page missing or unverified | ``account_missing_or_unverified:<official id>:<YYYY-MM>`` |
| ``wikipedia_missing`` (R7) | ``day`` is the last of its month | institution with a language missing | ``wikipedia_missing:<institution id>:<YYYY-MM>`` |

A notice whose dedup key exists is not written again, so reruns and backfills never repeat
one, and an overdue request gets one notice however many days it stays overdue. Recipients
come from the registry (the head and the press secretary). A notice for an institution without
any is still written, ``undeliverable`` (see ``notices.outbox``), and counted in
``NoticeReport.undeliverable`` and ``no_recipient``; one whose institution has no head is
addressed to the position ("Head of the institution").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row

from presswatch import db
from presswatch.notices import outbox
from presswatch.notices.outbox import NoticeReport
from presswatch.settings import Settings

QUERIES = "activity/notices"

# Days an institution is given to act, from the notice's date (the samples use the same).
DEADLINE_DAYS = {
    "posting_lapse_weekly": 7,
    "accreditation_overdue": 2,
    "account_missing_or_unverified": 30,
    "wikipedia_missing": 60,
}

PROFILE_URL = {
    "facebook": "https://www.facebook.com/{handle}",
    "x": "https://x.com/{handle}",
    "instagram": "https://www.instagram.com/{handle}",
    "telegram": "https://t.me/{handle}",
}


def profile(platform: str, handle: str) -> dict[str, str]:
    shown = handle if platform == "facebook" else f"@{handle}"
    return {
        "platform": platform,
        "handle": shown,
        "url": PROFILE_URL[platform].format(handle=handle),
    }


def wiki_url(lang: str, title: str) -> str:
    return f"https://{lang}.wikipedia.org/wiki/{title.replace(' ', '_')}"


def is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


@dataclass(frozen=True)
class _Institution:
    id: int
    code: str
    language: str
    name: str  # in its language
    head_id: int | None
    head_name: str | None
    head_title: str | None


class _Writer:
    def __init__(
        self,
        conn: psycopg.Connection,
        day: dt.date,
        settings: Settings,
        send: bool,
        run: Mapping[str, str | None] | None,
        institutions: dict[int, _Institution],
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.issued_on = day + dt.timedelta(days=1)
        self.send = send
        self.run = run
        self.institutions = institutions
        self.report = NoticeReport()
        self._recipients: dict[int, list[str]] = {}

    def write(self, kind: str, dedup_key: str, institution_id: int, facts: dict[str, Any]) -> None:
        institution = self.institutions[institution_id]
        recipients = self._recipients.get(institution_id)
        if recipients is None:
            recipients = outbox.registry_recipients(self.conn, institution_id)
            self._recipients[institution_id] = recipients
        language = institution.language
        agency = self.settings.agency
        if institution.head_id is None:
            addressee = outbox.unnamed_head(language)
        else:
            addressee = {
                "full_name": institution.head_name,
                "position_title": institution.head_title,
            }
        context = {
            "deadline": self.issued_on + dt.timedelta(days=DEADLINE_DAYS[kind]),
            "addressee": addressee,
            "institution": {"name": institution.name},
            "agency": {"name": agency.name[language], "email": agency.email},
            "facts": facts,
        }
        result = outbox.write(
            self.conn,
            kind=kind,
            dedup_key=dedup_key,
            institution_id=institution_id,
            language=language,
            recipients=recipients,
            context=context,
            issued_on=self.issued_on,
            send=self.send,
            run=self.run,
        )
        self.report.count(kind, result, institution.code)


def _weekly_lapses(rows: Sequence[Any], min_posts: int) -> list[tuple[int, str, dict[str, Any]]]:
    """(institution id, dedup key, facts) per account below the minimum (posting.scope
    ``account``), or per official whose accounts together are below it (``official``), listing
    those accounts. ``rows``: the ``weekly_lapses`` query's, as named tuples."""
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        subject = f"official:{row.official_id}" if row.scope == "official" else row.account_id
        key = f"posting_lapse_weekly:{subject}:{row.iso_year}-W{row.iso_week:02d}"
        grouped.setdefault(key, []).append(row)
    lapses = []
    for key, group in grouped.items():
        first = group[0]  # what the week and the official share
        facts = {
            "week": {
                "iso_year": first.iso_year,
                "iso_week": first.iso_week,
                "start": first.week_start,
                "end": first.week_start + dt.timedelta(days=6),
            },
            "min_posts": min_posts,
            "scope": first.scope,
            "total_posts": first.posts_counted,
            "accounts": [
                {**profile(row.platform, row.handle), "posts_in_week": row.posts_in_week}
                for row in group
            ],
        }
        lapses.append((first.institution_id, key, facts))
    return lapses


def write_day_notices(
    conn: psycopg.Connection,
    day: dt.date,
    settings: Settings,
    *,
    send: bool,
    codes: Sequence[str] | None = None,
    run: Mapping[str, str | None] | None = None,
) -> NoticeReport:
    """Write the notices ``day``'s compliance gives (see the module's table)."""
    queries = db.named_queries(QUERIES)
    params = {
        "day": day,
        "tz": settings.timezone,
        "codes": list(codes) if codes else None,
        "max_days": settings.accreditation.max_days,
        "wiki_langs": list(settings.wikipedia.languages),
    }
    institutions = {
        row[0]: _Institution(*row)
        for row in conn.execute(queries["institutions"], params).fetchall()
    }
    writer = _Writer(conn, day, settings, send, run, institutions)

    if day.isoweekday() == 7:
        cursor = conn.cursor(row_factory=namedtuple_row)
        rows = cursor.execute(queries["weekly_lapses"], params).fetchall()
        for institution_id, key, facts in _weekly_lapses(rows, settings.posting.min_posts_per_week):
            writer.write("posting_lapse_weekly", key, institution_id, facts)

    max_days = settings.accreditation.max_days
    for row in conn.execute(queries["overdue_accreditations"], params).fetchall():
        institution_id, request_id, ref, name, applicant_type, outlet, requested_on = row
        facts = {
            "max_days": max_days,
            "requests": [
                {
                    "external_ref": ref,
                    "applicant_name": name,
                    "applicant_type": applicant_type,
                    "outlet": outlet,
                    "requested_on": requested_on,
                    "due_on": requested_on + dt.timedelta(days=max_days),
                    "days_pending": (day - requested_on).days,
                }
            ],
        }
        writer.write(
            "accreditation_overdue", f"accreditation_overdue:{request_id}", institution_id, facts
        )

    if is_month_end(day):
        month = {"start": day.replace(day=1), "end": day}
        for institution_id, head_id, missing, unverified in conn.execute(
            queries["account_gaps"], params
        ).fetchall():
            institution = institutions[institution_id]
            facts = {
                "month": month,
                "official": {
                    "full_name": institution.head_name,
                    "position_title": institution.head_title,
                },
                "missing": [{"platform": platform} for platform in missing],
                "unverified": [profile(*item.split(":", 1)) for item in unverified],
            }
            key = f"account_missing_or_unverified:{head_id}:{day:%Y-%m}"
            writer.write("account_missing_or_unverified", key, institution_id, facts)
        for institution_id, missing, existing in conn.execute(
            queries["wikipedia_gaps"], params
        ).fetchall():
            pages = [item.split(":", 1) for item in existing]
            facts = {
                "missing": list(missing),
                "existing": [
                    {"lang": lang, "title": title, "url": wiki_url(lang, title)}
                    for lang, title in pages
                ],
            }
            key = f"wikipedia_missing:{institution_id}:{day:%Y-%m}"
            writer.write("wikipedia_missing", key, institution_id, facts)
    return writer.report
