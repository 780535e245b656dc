"""Writing notices: once per dedup key, numbered per year, suppressed for backfills, addressed
only from the registry (undeliverable, kept, when it has nobody), with hostile text inert all
the way to the mailbox."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from presswatch.notices import dispatch, outbox
from presswatch.notices.samples import sample_context

ISSUED = dt.date(2026, 3, 2)
HOSTILE = "<script>alert(1)</script> {{ 7*7 }} '); DROP TABLE notice;-- שלום مرحبا 🚨"


def make_institution(conn) -> int:
    (institution_id,) = conn.execute(
        "INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru,"
        " name_en, preferred_language) VALUES ('justice', 'ministry', 'national',"
        " 'Adliya vazirligi', 'Адлия вазирлиги', 'Министерство юстиции', 'Ministry of Justice',"
        " 'ru') RETURNING id"
    ).fetchone()
    conn.cursor().executemany(
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email,"
        " active) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [
            ("justice.head", institution_id, "head", "Aziz Karimov", "Министр",
             "head@justice.gov.example", True),
            ("justice.press", institution_id, "press_secretary", "Dilnoza Yoʻldosheva",
             "Пресс-секретарь", "press@justice.gov.example", True),
            ("justice.old", institution_id, "press_secretary", "Old Secretary",
             "Пресс-секретарь", "old@justice.gov.example", False),
            ("justice.deputy", institution_id, "deputy", "Deputy Person", "Заместитель",
             "deputy@justice.gov.example", True),
        ],
    )  # fmt: skip
    conn.commit()
    return institution_id


def write(conn, institution_id, dedup_key="posting_lapse_weekly:justice:fb:2026-W09", *,
          kind="posting_lapse_weekly", send=True, issued_on=ISSUED, context=None):  # fmt: skip
    context = context or sample_context(kind, "ru")
    result = outbox.write(
        conn,
        kind=kind,
        dedup_key=dedup_key,
        institution_id=institution_id,
        language="ru",
        recipients=outbox.registry_recipients(conn, institution_id),
        context={k: v for k, v in context.items() if k not in ("reference_no", "issued_on")},
        issued_on=issued_on,
        send=send,
        run={
            "airflow_dag_id": "social_activity_daily",
            "airflow_run_id": "r1",
            "airflow_run_type": "scheduled",
        },  # fmt: skip
    )
    conn.commit()
    return result


def test_a_notice_written_twice_exists_once(conn):
    institution_id = make_institution(conn)

    first = write(conn, institution_id)
    second = write(conn, institution_id)

    assert first.created and not second.created
    assert second.notice_id == first.notice_id and second.reference_no == first.reference_no
    assert conn.execute("SELECT count(*) FROM notice").fetchone()[0] == 1
    # The second write spent no reference number.
    assert write(conn, institution_id, "another:key").reference_no == "PW-2026-000002"


def test_reference_numbers_are_sequential_per_year(conn):
    institution_id = make_institution(conn)

    numbers = [write(conn, institution_id, f"key:{n}").reference_no for n in range(3)]
    next_year = write(conn, institution_id, "key:2027", issued_on=dt.date(2027, 1, 1))

    assert numbers == ["PW-2026-000001", "PW-2026-000002", "PW-2026-000003"]
    assert next_year.reference_no == "PW-2027-000001"


def test_the_stored_notice_carries_its_rendered_texts_and_run(conn):
    institution_id = make_institution(conn)

    write(conn, institution_id)

    row = conn.execute(
        "SELECT subject, body_html, body_text, status, airflow_dag_id, language FROM notice"
    ).fetchone()
    assert row[0] and "PW-2026-000001" in row[1] and "PW-2026-000001" in row[2]
    assert row[3:] == ("pending", "social_activity_daily", "ru")


def test_a_backfill_notice_is_suppressed_and_never_sent(conn, smtp_server):
    institution_id = make_institution(conn)

    result = write(conn, institution_id, send=outbox.should_send("backfill", {}))
    report = dispatch.dispatch(
        conn.info.dsn,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )

    assert result.status == "suppressed"
    assert report.claimed == 0 and not smtp_server.messages


def test_recipients_come_only_from_the_registry(conn):
    institution_id = make_institution(conn)

    assert outbox.registry_recipients(conn, institution_id) == [
        "head@justice.gov.example",
        "press@justice.gov.example",
    ]
    assert outbox.registry_recipients(conn, institution_id, roles=("deputy",)) == [
        "deputy@justice.gov.example"
    ]


def test_a_notice_without_recipients_is_stored_undeliverable_with_the_reason(conn):
    institution_id = make_institution(conn)
    conn.execute("UPDATE official SET active = false")

    result = write(conn, institution_id)
    again = write(conn, institution_id)

    assert (result.created, result.status) == (True, "undeliverable")
    assert (again.created, again.status) == (False, "undeliverable")
    row = conn.execute(
        "SELECT status, recipients, last_error, status_when_addressed, body_text FROM notice"
    ).fetchone()
    assert row[:4] == (
        "undeliverable", [],
        "no active head or press secretary in the registry for institution justice", "pending",
    )  # fmt: skip
    assert "PW-2026-000001" in row[4]  # rendered like any other


def test_a_backfills_undeliverable_notice_remembers_it_was_to_be_suppressed(conn):
    institution_id = make_institution(conn)
    conn.execute("UPDATE official SET active = false")

    write(conn, institution_id, send=False)

    row = conn.execute("SELECT status, status_when_addressed FROM notice").fetchone()
    assert row == ("undeliverable", "suppressed")


def test_a_notice_for_no_institution_and_nobody_says_so(conn):
    result = outbox.write(
        conn, kind="posting_lapse_weekly", dedup_key="k", institution_id=None, language="en",
        recipients=[], context=sample_context("posting_lapse_weekly", "en"),
        issued_on=ISSUED, send=True,
    )  # fmt: skip

    assert result.status == "undeliverable"
    (reason,) = conn.execute("SELECT last_error FROM notice").fetchone()
    assert reason == "no recipients: the notice names no institution to address"


def test_the_registry_cannot_hold_an_undeliverable_notice_that_has_recipients(conn):
    institution_id = make_institution(conn)
    write(conn, institution_id)

    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE notice SET status = 'undeliverable'")


def test_hostile_story_text_arrives_inert_and_intact(conn, smtp_server):
    institution_id = make_institution(conn)
    context = sample_context("story_sla_breach", "ru")
    context["facts"]["stories"][0]["title"] = HOSTILE + " " + "x" * 10_000
    context["addressee"]["full_name"] = HOSTILE

    write(conn, institution_id, "story_sla_breach:1:justice:breach", kind="story_sla_breach",
          context=context)  # fmt: skip
    dispatch.dispatch(
        conn.info.dsn,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )

    (message,) = smtp_server.messages
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in text and "x" * 10_000 in text
    assert "{{ 7*7 }}" in text and "{{ 7*7 }}" in html
    assert conn.execute("SELECT count(*) FROM notice").fetchone()[0] == 1  # no table dropped
    assert message["To"] == "head@justice.gov.example, press@justice.gov.example"


@pytest.mark.parametrize(("send_notices", "status"), [(False, "suppressed"), (True, "pending")])
def test_a_manual_run_follows_the_send_notices_param(
    airflow_db, conn, monkeypatch, send_notices, status
):
    from pathlib import Path

    from airflow.dag_processing.dagbag import DagBag
    from helpers import run_dag

    make_institution(conn)
    monkeypatch.setenv("PRESSWATCH_DB_URL", conn.info.dsn)
    dag = DagBag(dag_folder=str(Path(__file__).parent / "dags" / "notice_probe.py")).dags[
        "notice_probe"
    ]

    result = run_dag(dag, run_conf={"send_notices": send_notices, "dedup_key": f"probe:{status}"})

    assert result.state == "success"
    row = conn.execute("SELECT status, airflow_dag_id, airflow_run_type FROM notice").fetchone()
    assert row == (status, "notice_probe", "manual")
