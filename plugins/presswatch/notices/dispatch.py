"""Delivering the outbox: claim due notices, send them over SMTP, record what happened.

- Claiming is one statement with ``FOR UPDATE SKIP LOCKED``, committed at once: two dispatchers
  never take the same notice.
- Each message carries a ``Message-ID`` derived from the notice's dedup key, so a notice sent
  twice (a dispatcher killed after sending, before recording it) is the same message to every
  mail system on the way; nothing is ever lost: a claim left in ``sending`` is taken again once
  it is older than ``stale_after``.
- A temporary failure (server unreachable, 4xx reply) leaves the notice pending with an
  exponential backoff; a permanent rejection (5xx, e.g. an unknown mailbox) marks it failed
  with the server's reply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import psycopg

from presswatch import db

log = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 12
MAX_BACKOFF = dt.timedelta(hours=6)


class Sender(AbstractContextManager):
    """Something that sends an EmailMessage (an open SMTP session)."""

    from_email: str

    def send(self, message: EmailMessage) -> dict: ...


def _smtp_hook_class():
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    class NoticeSmtpHook(SmtpHook):
        """The Airflow SMTP connection (host, port, TLS, login, from address), sending a
        prepared MIME message: notices need a text part, attachments from the database and
        their own Message-ID, which the hook's ``send_email_smtp`` does not build."""

        def send(self, message: EmailMessage) -> dict:
            self.get_conn()
            return self._smtp_client.send_message(message)

    return NoticeSmtpHook


class AirflowSmtpSender(Sender):
    """A session on the Airflow SMTP connection ``conn_id`` (default ``smtp_default``)."""

    def __init__(self, conn_id: str = "smtp_default", fallback_from: str | None = None) -> None:
        self._hook = _smtp_hook_class()(smtp_conn_id=conn_id)
        self._fallback_from = fallback_from

    def __enter__(self) -> AirflowSmtpSender:
        self._hook.__enter__()  # connects and logs in: fails here if the server is down
        self.from_email = self._hook.from_email or self._fallback_from
        if not self.from_email:
            from presswatch.errors import PresswatchError

            raise PresswatchError("the SMTP connection has no from_email and none was given")
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self._hook.__exit__(*exc_info)
        except (smtplib.SMTPException, OSError) as exc:  # closing a broken session
            log.warning("closing the SMTP session failed: %s", exc)

    def send(self, message: EmailMessage) -> dict:
        return self._hook.send(message)


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def message_id(dedup_key: str, from_email: str) -> str:
    """The same notice always has the same Message-ID."""
    domain = from_email.rpartition("@")[2] or "presswatch.invalid"
    return f"<{hashlib.sha256(dedup_key.encode()).hexdigest()[:40]}@{domain}>"


def build_message(row: dict, attachments: list[dict], from_email: str, sender_name: str,
                  now: dt.datetime) -> EmailMessage:  # fmt: skip
    message = EmailMessage()  # policy SMTP-compatible: non-ASCII headers are RFC 2047 encoded
    message["From"] = formataddr((sender_name, from_email))
    message["To"] = ", ".join(row["recipients"])
    if row["cc"]:
        message["Cc"] = ", ".join(row["cc"])
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(row["dedup_key"], from_email)
    message["X-Presswatch-Reference"] = row["reference_no"]
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body_text"])
    message.add_alternative(row["body_html"], subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment["content_type"].partition("/")
        message.add_attachment(
            bytes(attachment["content"]), maintype=maintype, subtype=subtype,
            filename=attachment["filename"],
        )  # fmt: skip
    return message


def _is_permanent(exc: BaseException) -> bool:
    """5xx replies are permanent (bad address, message refused); everything else is worth a
    retry (connection refused or dropped, timeouts, 4xx replies)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def dispatch(
    url: str,
    sender_factory: Callable[[], Sender],
    *,
    sender_name: str,
    batch_size: int = 200,
    now: Callable[[], dt.datetime] | None = None,
    stale_after: dt.timedelta = STALE_AFTER,
    after_send: Callable[[dict], None] | None = None,
) -> DispatchReport:
    """Send what is due; return counts. ``now`` and ``after_send`` exist for tests (a clock,
    and a hook between sending and recording, where a crash is simulated)."""
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    queries = db.named_queries("notices/outbox")
    report = DispatchReport()
    with psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        due = {"now": clock(), "stale_after_seconds": stale_after.total_seconds(),
               "batch_size": batch_size}  # fmt: skip
        if not conn.execute(queries["count_due"], due).fetchone()["due"]:
            return report
        # Connect before claiming: if the server is down, nothing is claimed and every notice
        # stays pending for the next run; the task fails and says so.
        session = _open(sender_factory)
        try:
            rows = conn.execute(queries["claim"], due).fetchall()
            report.claimed = len(rows)
            _send_claimed(conn, queries, session, rows, report, clock, sender_name, after_send)
        finally:
            session.__exit__(None, None, None)
    return report


def _open(sender_factory: Callable[[], Sender]) -> Sender:
    from airflow.providers.common.compat.sdk import AirflowException

    from presswatch.errors import PresswatchError

    try:
        return sender_factory().__enter__()
    except (OSError, smtplib.SMTPException, AirflowException) as exc:
        raise PresswatchError(
            f"cannot open an SMTP session ({_describe(exc)}); no notice was claimed, "
            "they stay pending for the next run"
        ) from exc


def _send_claimed(conn, queries, session, rows, report, clock, sender_name, after_send) -> None:
    attachments: dict[int, list[dict]] = {}
    if rows:
        for item in conn.execute(queries["attachments"], {"notice_ids": [r["id"] for r in rows]}):
            attachments.setdefault(item["notice_id"], []).append(item)
    for row in rows:
        message = build_message(
            row, attachments.get(row["id"], []), session.from_email, sender_name, clock()
        )
        try:
            refused = session.send(message)
        except (smtplib.SMTPException, OSError) as exc:
            _retry_or_fail(conn, queries, row, exc, report, clock)
            continue
        if after_send:
            after_send(row)
        conn.execute(queries["mark_sent"], {"id": row["id"], "now": clock()})
        report.sent += 1
        if refused:  # some addressees refused it, the others have it
            log.warning("notice %s: refused by %s", row["reference_no"], refused)


def _retry_or_fail(conn, queries, row, exc, report, clock) -> None:
    reason = _describe(exc)
    report.errors.append(f"{row['reference_no']}: {reason}")
    if _is_permanent(exc) or row["attempts"] >= MAX_ATTEMPTS:
        if not _is_permanent(exc):
            reason = f"gave up after {row['attempts']} attempts: {reason}"
        conn.execute(queries["mark_failed"], {"id": row["id"], "error": reason})
        report.failed += 1
        return
    conn.execute(
        queries["mark_retry"],
        {"id": row["id"], "error": reason, "now": clock(),
         "backoff_seconds": backoff(row["attempts"]).total_seconds()},
    )  # fmt: skip
    report.retried += 1
