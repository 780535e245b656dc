"""Delivering the outbox over a real SMTP server: once, with both parts, surviving outages,
crashes and a second dispatcher."""

from __future__ import annotations

import datetime as dt
import email.utils
import threading

import pytest

from presswatch.errors import PresswatchError
from presswatch.notices import dispatch, outbox

SENDER_NAME = "Axborot va ommaviy kommunikatsiyalar agentligi"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def insert_notice(conn, number: int, *, recipients=("head@justice.gov.example",),
                  subject="Уведомление о нарушении", status="pending") -> int:  # fmt: skip
    (notice_id,) = conn.execute(
        "INSERT INTO notice (kind, dedup_key, language, reference_no, recipients, subject,"
        " body_html, body_text, status, next_attempt_at)"
        " VALUES ('posting_lapse_weekly', %s, 'ru', %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [f"test:{number}", f"PW-2026-{number:06d}", list(recipients), subject,
         f"<p>Уважаемый руководитель! Notice {number}</p>", f"Уважаемый руководитель! Notice {number}",
         status, NOW],
    ).fetchone()  # fmt: skip
    conn.commit()
    return notice_id


def run(db_url, clock=NOW, **kwargs) -> dispatch.DispatchReport:
    return dispatch.dispatch(
        db_url,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name=SENDER_NAME,
        now=lambda: clock,
        **kwargs,
    )


def statuses(conn) -> list[tuple]:
    return conn.execute(
        "SELECT reference_no, status, attempts FROM notice ORDER BY reference_no"
    ).fetchall()


def test_a_pending_notice_is_delivered_once_with_both_parts_and_its_headers(conn, smtp_server):
    insert_notice(conn, 1)

    first = run(conn.info.dsn)
    second = run(conn.info.dsn, clock=NOW + dt.timedelta(hours=1))

    assert (first.sent, second.claimed) == (1, 0)
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["Subject"] == "Уведомление о нарушении"
    raw = message.as_bytes()
    assert b"Subject: =?utf-8?" in raw  # RFC 2047: the Cyrillic subject is encoded on the wire
    assert message["Message-ID"] == dispatch.message_id("test:1", "monitoring@aimc.example.uz")
    assert email.utils.parsedate_to_datetime(message["Date"]) == NOW
    assert message["To"] == "head@justice.gov.example"
    assert message["X-Presswatch-Reference"] == "PW-2026-000001"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Уважаемый руководитель! Notice 1" in plain and "<p>Уважаемый" in html
    assert statuses(conn) == [("PW-2026-000001", "sent", 1)]


def test_smtp_down_then_up_delivers_every_notice_exactly_once(conn, smtp_server, monkeypatch):
    for number in range(1, 6):
        insert_notice(conn, number)
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        "smtp://127.0.0.1:9?disable_tls=true&disable_ssl=true&from_email=monitoring@aimc.example.uz&timeout=2",
    )

    with pytest.raises(PresswatchError, match="cannot open an SMTP session"):
        run(conn.info.dsn)
    assert {s for _, s, _ in statuses(conn)} == {"pending"}

    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_server.connection_uri())
    up = run(conn.info.dsn, clock=NOW + dt.timedelta(minutes=10))
    again = run(conn.info.dsn, clock=NOW + dt.timedelta(minutes=20))

    assert (up.sent, again.claimed) == (5, 0)
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 5 and len(set(ids)) == 5
    assert {s for _, s, _ in statuses(conn)} == {"sent"}


def test_a_temporary_rejection_backs_off_and_then_delivers(conn, smtp_server):
    insert_notice(conn, 1)
    smtp_server.inbox.rcpt_replies["head@justice.gov.example"] = "451 4.3.0 try again later"

    first = run(conn.info.dsn)
    too_early = run(conn.info.dsn, clock=NOW + dt.timedelta(seconds=30))
    smtp_server.inbox.rcpt_replies.clear()
    later = run(conn.info.dsn, clock=NOW + dt.timedelta(minutes=2))

    assert (first.retried, too_early.claimed, later.sent) == (1, 0, 1)
    assert len(smtp_server.messages) == 1
    row = conn.execute("SELECT status, attempts, last_error FROM notice").fetchone()
    assert row[0] == "sent" and row[1] == 2 and row[2] is None


def test_a_permanent_rejection_marks_the_notice_failed_with_the_reply(conn, smtp_server):
    insert_notice(conn, 1, recipients=("nobody@justice.gov.example",))
    smtp_server.inbox.rcpt_replies["nobody@justice.gov.example"] = "550 5.1.1 mailbox unavailable"

    report = run(conn.info.dsn)

    assert report.failed == 1 and not smtp_server.messages
    status, error = conn.execute("SELECT status, last_error FROM notice").fetchone()
    assert status == "failed"
    assert "550" in error and "mailbox unavailable" in error
    assert run(conn.info.dsn, clock=NOW + dt.timedelta(days=1)).claimed == 0


class Killed(BaseException):
    """A dispatcher process dying (not an error it could handle)."""


def test_a_dispatcher_killed_between_send_and_mark_does_not_lose_the_notice(conn, smtp_server):
    insert_notice(conn, 1)

    def die(row):
        raise Killed

    with pytest.raises(Killed):
        run(conn.info.dsn, after_send=die)
    assert statuses(conn) == [("PW-2026-000001", "sending", 1)]
    # A dispatcher soon after leaves it alone: the first one may still be working.
    assert run(conn.info.dsn, clock=NOW + dt.timedelta(minutes=5)).claimed == 0
    # Once the claim is stale, the notice is sent again, as the same message.
    retried = run(conn.info.dsn, clock=NOW + dt.timedelta(minutes=16))

    assert retried.sent == 1
    assert statuses(conn) == [("PW-2026-000001", "sent", 2)]
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 2 and len(set(ids)) == 1


def test_two_dispatchers_in_parallel_send_each_notice_once(conn, smtp_server):
    for number in range(1, 61):
        insert_notice(conn, number)
    reports: list[dispatch.DispatchReport] = []

    def dispatcher():
        while True:
            report = run(conn.info.dsn, batch_size=7)
            reports.append(report)
            if not report.claimed:
                return

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert sum(r.sent for r in reports) == 60
    assert {s for _, s, _ in statuses(conn)} == {"sent"}


def test_attachments_are_sent_with_the_notice(conn, smtp_server):
    notice_id = insert_notice(conn, 1)
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 4
    conn.execute(
        "INSERT INTO notice_attachment (notice_id, filename, content_type, content)"
        " VALUES (%s, 'reyting-2026-H1.pdf', 'application/pdf', %s)",
        [notice_id, pdf],
    )
    conn.commit()

    run(conn.info.dsn)

    (attachment,) = list(smtp_server.messages[0].iter_attachments())
    assert attachment.get_filename() == "reyting-2026-H1.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


def test_suppressed_notices_are_never_sent(conn, smtp_server):
    insert_notice(conn, 1, status="suppressed")

    assert run(conn.info.dsn, clock=NOW + dt.timedelta(days=30)).claimed == 0
    assert not smtp_server.messages


def test_undeliverable_notices_are_never_claimed(conn, smtp_server):
    conn.execute(
        "INSERT INTO notice (kind, dedup_key, language, reference_no, recipients, subject,"
        " body_html, body_text, status, status_when_addressed, last_error, next_attempt_at)"
        " VALUES ('story_sla_breach', 'test:1', 'ru', 'PW-2026-000001', '{}', 'S', '<p>B</p>',"
        " 'B', 'undeliverable', 'pending', 'no active head or press secretary', %s)",
        [NOW],
    )
    conn.commit()

    report = run(conn.info.dsn, clock=NOW + dt.timedelta(days=30))

    assert report.claimed == 0 and not smtp_server.messages
    assert conn.execute("SELECT status, attempts FROM notice").fetchone() == ("undeliverable", 0)


@pytest.mark.parametrize(
    ("run_type", "params", "sends"),
    [
        ("scheduled", {}, True),
        ("scheduled", {"send_notices": False}, True),
        ("backfill", {}, False),
        ("backfill", {"send_notices": False}, False),
        ("backfill", {"send_notices": True}, True),
        ("manual", {}, False),
        ("manual", {"send_notices": True}, True),
        ("asset_triggered", None, False),
    ],
)
def test_only_scheduled_runs_send_unless_asked(run_type, params, sends):
    assert outbox.should_send(run_type, params) is sends


def test_the_run_type_enum_is_understood():
    from airflow.utils.types import DagRunType

    assert outbox.should_send(DagRunType.SCHEDULED, {}) is True
    assert outbox.should_send(DagRunType.BACKFILL_JOB, {}) is False


def test_backoff_grows_and_is_capped():
    assert dispatch.backoff(1) == dt.timedelta(minutes=1)
    assert dispatch.backoff(3) == dt.timedelta(minutes=4)
    assert dispatch.backoff(30) == dispatch.MAX_BACKOFF


def test_the_dispatch_dag_sends_pending_notices(airflow_db, conn, smtp_server, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag
    from helpers import run_dag

    from presswatch.paths import DAGS

    insert_notice(conn, 1)
    monkeypatch.setenv("PRESSWATCH_DB_URL", conn.info.dsn)
    dag = DagBag(dag_folder=str(DAGS / "notices_dispatch.py")).dags["notices_dispatch"]

    result = run_dag(dag)

    assert result.state == "success"
    assert len(smtp_server.messages) == 1
    assert statuses(conn) == [("PW-2026-000001", "sent", 1)]
