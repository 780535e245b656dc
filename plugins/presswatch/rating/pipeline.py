"""The semiannual rating's steps (R10), as the DAGs ``rating_semiannual`` and
``rating_finalize_daily`` run them; each takes the domain database URL and plain values, so a
test or the CLI runs them the same way.

1. ``compute_task``: the half-year's rating (provisional; a rerun with the same methodology
   changes nothing, a final one is never rewritten). ``dry_run`` rolls it back.
2. ``open_window_task``: the dispute window opens on the day the scorecards are issued
   (``rating.dispute_window_days``), and records whether they are really sent; first, so that
   the scorecards state the window's last day.
3. ``plan_scorecards`` / ``scorecards_task`` (mapped over batches of institutions): each rated
   institution's scorecard, in its language, rendered (``rating.render_processes`` processes)
   and stored, and a ``rating_scorecard`` notice with its PDF attached as each is stored
   (committed a few at a time; deduplicated per period, version and institution: a rerun or a
   backfill never writes one twice).
4. ``reports_task``: the agency's league table and every scorecard as files (HTML, PDF, CSV)
   under the reports folder (``PRESSWATCH_REPORTS_DIR``, default ``out/reports``), and the
   league table to the agency.
5. ``finalize_due_task``: every provisional rating whose window has closed becomes final with
   its corrections applied, and its accountability notices (``rating_accountability``) are
   written: sent only when its scorecards were sent (a backfill's never are, unless asked).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg

from presswatch import db
from presswatch import settings as settings_module
from presswatch.notices import outbox
from presswatch.paths import ROOT
from presswatch.rating import compute, dispute
from presswatch.rating.periods import HalfYear
from presswatch.settings import Settings

log = logging.getLogger(__name__)

QUERIES = "rating/notices"
DEFAULT_REPORTS = ROOT / "out" / "reports"
SCORECARD_BATCH = 1000  # each batch starts its render processes once


def reports_dir() -> Path:
    return Path(os.environ.get("PRESSWATCH_REPORTS_DIR") or DEFAULT_REPORTS)


def run_period(context: Mapping[str, Any], settings: Settings | None = None) -> HalfYear:
    """The half-year a run rates: the ``period`` param if given (an operator re-issuing a past
    period), else the run's data interval (the half-year just ended), else the last half-year
    ended before today."""
    settings = settings or settings_module.get()
    chosen = (context.get("params") or {}).get("period")
    if chosen:
        return HalfYear.parse(chosen)
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None and start != end:
        return HalfYear.of_interval(start, end, settings.timezone)
    return HalfYear.last_ended_before(today(settings))


def interval_end_day(context: Mapping[str, Any], settings: Settings | None = None) -> dt.date:
    """The local day a run's data interval ends on, else today (the day a daily finalize run
    finalizes as of; not ``activity.daily.run_day``, the day a compliance run checks)."""
    settings = settings or settings_module.get()
    end = context.get("data_interval_end")
    return end.astimezone(settings.tz).date() if end is not None else today(settings)


def today(settings: Settings | None = None) -> dt.date:
    settings = settings or settings_module.get()
    return dt.datetime.now(settings.tz).date()


def compute_task(
    url: str,
    period: HalfYear,
    *,
    params: Mapping[str, Any],
    run: Mapping[str, str | None],
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Compute the period's rating; with ``dry_run`` roll it back (the result is logged)."""
    dry_run = bool(params.get("dry_run"))
    # One transaction, committed at the end, or rolled back for a dry run.
    with db.connect(url) as conn, conn.transaction(force_rollback=dry_run):
        report = compute.compute(
            conn, settings, period, run_id=run.get("airflow_run_id"),
            new_version=bool(params.get("new_version")),
        )  # fmt: skip
        for difference in report.differences[:20]:
            log.info("differs from the stored rating: %s", difference)
    if dry_run:
        log.info("dry run: the rating was computed and rolled back")
    result = report.as_dict()
    result["dry_run"] = dry_run
    log.info(
        "%s v%s (%s): %s; %s institutions, %s rated, %s held accountable",
        report.period, report.version, report.status, report.action, report.institutions,
        report.rated, report.held_accountable,
    )  # fmt: skip
    return result


def plan_scorecards(
    url: str, rating_id: int, codes: Sequence[str] | None, batch_size: int = SCORECARD_BATCH
) -> list[dict[str, Any]]:
    """The rated institutions in batches, each named for the UI ("institutions 1-1000 of 3000")."""
    with db.connect(url) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                db.named_queries(QUERIES)["rated"],
                {"rating_id": rating_id, "codes": list(codes) if codes else None},
            )
        ]
    batches = []
    for first in range(0, len(ids), batch_size):
        chunk = ids[first : first + batch_size]
        label = f"institutions {first + 1}-{first + len(chunk)} of {len(ids)}"
        batches.append({"rating_id": rating_id, "institution_ids": chunk, "label": label})
    return batches


def _addressees(
    conn: psycopg.Connection,
    rating_id: int,
    institution_ids: Sequence[int] | None,
    *,
    accountable_only: bool = False,
) -> list[Any]:
    return conn.execute(
        db.named_queries(QUERIES)["addressees"],
        {
            "rating_id": rating_id,
            "institution_ids": list(institution_ids) if institution_ids is not None else None,
            "accountable_only": accountable_only,
        },
    ).fetchall()


def _write_notices(
    conn: psycopg.Connection,
    kind: str,
    rating_id: int,
    institution_ids: Sequence[int] | None,
    *,
    issued_on: dt.date,
    deadline: dt.date | None,
    send: bool,
    run: Mapping[str, str | None],
    settings: Settings,
) -> tuple[outbox.NoticeReport, int]:
    """One notice of ``kind`` per institution (rated; held accountable for the accountability
    notice), in its language, with its scorecard PDF attached: the stored one, rendered first
    if it is missing or stale. An institution whose notice exists already is passed over (a
    rerun renders and writes nothing). Returns the notices and the documents rendered."""
    from presswatch.rating import report as report_module

    data = report_module.load(conn, rating_id)
    period, version = data.period, data.version
    agency = settings.agency
    notices = outbox.NoticeReport()
    rows = _addressees(
        conn, rating_id, institution_ids, accountable_only=kind == "rating_accountability"
    )
    # The notices are written as their scorecards are stored, while the next ones are being
    # rendered (by worker processes: the parent's time is the notices'). The scorecard notices
    # are committed a few at a time, with their documents: the reference counter, which
    # parallel batches share, is locked from a notice to the next commit, not through the
    # batch's rendering. The accountability notices stay in the finalization's transaction.
    keys = {code: f"{kind}:{period}:v{version}:{code}" for _, code, *_ in rows}
    existing = {
        key
        for (key,) in conn.execute(
            db.named_queries(QUERIES)["existing_notices"], {"dedup_keys": list(keys.values())}
        )
    }
    by_id = {row[0]: row for row in rows}
    documents = report_module.Documents(conn, data)
    try:
        processes = report_module.render_processes(settings.rating.render_processes)
        for ready in documents.stored_scorecards(list(by_id), processes):
            for inst_id in ready:
                _, code, language, name, head_id, head_name, head_title = by_id[inst_id]
                if keys[code] in existing:
                    notices.existing[kind] = notices.existing.get(kind, 0) + 1
                    continue
                pdf_name = documents.scorecard_names(data.by_id[inst_id])[0]
                addressee = (
                    outbox.unnamed_head(language)
                    if head_id is None
                    else {"full_name": head_name, "position_title": head_title}
                )
                result = outbox.write(
                    conn,
                    kind=kind,
                    dedup_key=keys[code],
                    institution_id=inst_id,
                    language=language,
                    recipients=outbox.registry_recipients(conn, inst_id),
                    context={
                        "deadline": deadline,
                        "addressee": addressee,
                        "institution": {"name": name},
                        "agency": {"name": agency.name[language], "email": agency.email},
                        "facts": report_module.notice_facts(data, inst_id),
                    },
                    issued_on=issued_on,
                    send=send,
                    attachments=[
                        outbox.Attachment(f"{period}-v{version}-{code}.pdf", "application/pdf",
                                          documents.content(pdf_name))
                    ],
                    run=run,
                )  # fmt: skip
                notices.count(kind, result, code)
            if kind == "rating_scorecard":
                conn.commit()
    finally:
        documents.close()
    return notices, documents.rendered


def scorecards_task(
    url: str,
    batch: Mapping[str, Any],
    *,
    send: bool,
    run: Mapping[str, str | None],
    issued_on: dt.date | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The scorecard notices of one batch of institutions, committed a few at a time with their
    scorecards (a rerun writes the ones missing)."""
    settings = settings or settings_module.get()
    issued_on = issued_on or today(settings)
    with db.connect(url) as conn:
        window = dispute.window_of(conn, batch["rating_id"])
        closes_on = window.closes_on or issued_on + dt.timedelta(
            days=settings.rating.dispute_window_days
        )
        notices, rendered = _write_notices(
            conn, "rating_scorecard", batch["rating_id"], batch["institution_ids"],
            issued_on=issued_on, deadline=closes_on - dt.timedelta(days=1), send=send, run=run,
            settings=settings,
        )  # fmt: skip
        conn.commit()
    log.info("%s: %s scorecards rendered; notices %s", batch["label"], rendered, notices.written)
    return {**notices.as_dict(), "documents_rendered": rendered}


def open_window_task(
    url: str,
    rating_id: int,
    *,
    send: bool,
    issued_on: dt.date | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    settings = settings or settings_module.get()
    with db.connect(url) as conn:
        window = dispute.open_window(
            conn, rating_id, issued_on or today(settings), settings.rating.dispute_window_days,
            sent=send,
        )  # fmt: skip
        conn.commit()
    log.info(
        "%s v%s: dispute window %s .. %s (scorecards %s)", window.period, window.version,
        window.issued_on, window.closes_on, "sent" if window.notices_sent else "not sent",
    )  # fmt: skip
    return {
        "issued_on": window.issued_on.isoformat() if window.issued_on else None,
        "closes_on": window.closes_on.isoformat() if window.closes_on else None,
        "notices_sent": window.notices_sent,
    }


def _league_notice(
    conn: psycopg.Connection,
    data: Any,
    *,
    send: bool,
    issued_on: dt.date,
    run: Mapping[str, str | None],
    settings: Settings,
) -> outbox.NoticeReport:
    """The league table to the agency, once per rating and status (provisional, then final),
    with the agency's report (PDF) and every result (CSV) attached."""
    from presswatch.rating import report as report_module

    agency, language = settings.agency, settings.agency.language
    documents = report_module.Documents(conn, data)
    try:
        documents.ensure_agency(language)
        attachments = [
            outbox.Attachment(f"{data.folder_name}-{name}", content_type, documents.content(name))
            for name, content_type in (("agency.pdf", "application/pdf"),
                                       ("rating.csv", "text/csv"))
        ]  # fmt: skip
    finally:
        documents.close()
    kind = "rating_league_table"
    result = outbox.write(
        conn,
        kind=kind,
        dedup_key=f"{kind}:{data.period}:v{data.version}:{data.rating['status']}",
        institution_id=None,
        language=language,
        recipients=[agency.email],
        context={
            "deadline": None,
            "addressee": outbox.agency_addressee(language),
            "institution": {"name": agency.name[language]},
            "agency": {"name": agency.name[language], "email": agency.email},
            "facts": report_module.league_facts(data, language),
        },
        issued_on=issued_on,
        send=send,
        attachments=attachments,
        run=run,
    )
    notices = outbox.NoticeReport()
    notices.count(kind, result, None)
    return notices


def reports_task(
    url: str,
    rating_id: int,
    *,
    codes: Sequence[str] | None = None,
    out_dir: Path | None = None,
    notify: bool | None = None,
    run: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """The agency's report and the scorecards as files; returns their folder and the agency's
    files. With ``notify`` (True: to be sent, False: recorded suppressed) the league table also
    goes to the agency as a notice (once per rating and status)."""
    from presswatch.rating import report as report_module

    settings = settings_module.get()
    with db.connect(url) as conn:
        data = report_module.load(conn, rating_id)
        files = report_module.write_reports(
            conn, data, out_dir or reports_dir(), agency_language=settings.agency.language,
            codes=codes, processes=report_module.render_processes(settings.rating.render_processes),
        )  # fmt: skip
        league = None
        if notify is not None:
            league = _league_notice(
                conn, data, send=notify, issued_on=today(settings), run=run or {},
                settings=settings,
            ).as_dict()  # fmt: skip
            conn.commit()
    log.info("reports written to %s (%s documents rendered)", files.folder, files.rendered)
    return {
        "folder": str(files.folder),
        "agency_html": str(files.agency_html),
        "agency_pdf": str(files.agency_pdf),
        "csv": str(files.csv),
        "scorecards": len(files.scorecards),
        "documents_rendered": files.rendered,
        "league_notice": league,
    }


def finalize_and_notify(
    conn: psycopg.Connection,
    window: dispute.Window,
    *,
    send_allowed: bool,
    run: Mapping[str, str | None],
    on: dt.date,
    settings: Settings,
) -> dict[str, Any]:
    """Make the rating final (corrections applied) and write its accountability notices, sent
    when ``send_allowed`` and the rating's scorecards were sent; one transaction, committed."""
    final = compute.finalize(conn, HalfYear.parse(window.period), version=window.version)
    notices, _ = _write_notices(
        conn, "rating_accountability", window.rating_id, None, issued_on=on,
        deadline=on + dt.timedelta(days=settings.rating.explanation_days),
        send=send_allowed and window.notices_sent, run=run, settings=settings,
    )  # fmt: skip
    conn.commit()
    log.info(
        "%s v%s is final (%s corrections applied); accountability notices: %s",
        window.period, window.version, final.corrections_applied, notices.written,
    )  # fmt: skip
    return {**final.as_dict(), "notices": notices.as_dict()}


def finalize_due_task(
    url: str,
    *,
    send_allowed: bool,
    run: Mapping[str, str | None],
    on: dt.date | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Finalize every rating whose dispute window closed by ``on`` (default today), with its
    accountability notices (``finalize_and_notify``)."""
    settings = settings or settings_module.get()
    on = on or today(settings)
    with db.connect(url) as conn:
        windows = dispute.due(conn, on)
        finalized = [
            finalize_and_notify(
                conn, window, send_allowed=send_allowed, run=run, on=on, settings=settings
            )
            for window in windows
        ]
    for result, window in zip(finalized, windows, strict=True):
        # The final reports replace the provisional ones in the folder, and go to the agency.
        result["reports"] = reports_task(
            url, result["rating_id"], notify=send_allowed and window.notices_sent, run=run
        )["folder"]
    return {"finalized": finalized}
