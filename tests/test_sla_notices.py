"""The notices of R3's SLA stages (presswatch.sla.notices) and the undeliverable ones: once per
stage, in the institution's language, to the registry's addressees or stored undeliverable."""

from __future__ import annotations

import datetime as dt

from test_sla_engine import (
    PUBLISHED,
    TASHKENT,
    add_institution,
    add_story,
    hours,
    respond,
    sweep,
)

from presswatch import cli
from presswatch import settings as settings_module
from presswatch.notices import dispatch, outbox
from presswatch.notices.render import load_catalog
from presswatch.paths import TEMPLATES
from presswatch.sla import notices

RUN = {
    "airflow_dag_id": "critical_story_sla_hourly",
    "airflow_run_id": "scheduled__x",
    "airflow_run_type": "scheduled",
}


def hour(conn, as_of: dt.datetime, *, send: bool = True, codes=None) -> outbox.NoticeReport:
    """One hourly run's sweep and notices, committed."""
    config = settings_module.get()
    sweep(conn, as_of, config, codes=codes)
    report = notices.write_stage_notices(conn, as_of, config, send=send, codes=codes, run=RUN)
    conn.commit()
    return report


def stored(conn) -> list[tuple]:
    return conn.execute(
        "SELECT kind, dedup_key, status, recipients, cc, language FROM notice ORDER BY id"
    ).fetchall()


def catalog(language: str) -> dict[str, str]:
    return load_catalog(TEMPLATES / "i18n" / f"{language}.yaml")


def test_each_stages_notice_exists_once_after_reruns_and_resweeps_of_earlier_hours(conn):
    justice = add_institution(conn)
    story = add_story(conn, justice)

    for _ in range(3):
        for n in range(0, 50):
            hour(conn, PUBLISHED + hours(n))
    for n in (30, 18, 24, 48, 0):
        hour(conn, PUBLISHED + hours(n))

    keys = [(kind, key) for kind, key, *_ in stored(conn)]
    assert keys == [
        ("story_sla_reminder", f"story_sla_reminder:{story}:{justice}"),
        ("story_sla_breach", f"story_sla_breach:{story}:{justice}"),
        ("story_sla_escalation", f"story_sla_escalation:{story}:{justice}"),
    ]
    noticed = conn.execute(
        "SELECT stage, notice_key FROM story_sla_event WHERE notice_key IS NOT NULL ORDER BY 2"
    ).fetchall()
    assert sorted(stage for stage, _ in noticed) == ["breached", "escalated", "reminder"]
    created = dict(
        conn.execute(
            "SELECT n.kind, e.recorded_at FROM notice AS n"
            " JOIN story_sla_event AS e ON e.notice_key = n.dedup_key"
        ).fetchall()
    )
    assert created == {
        "story_sla_reminder": PUBLISHED + hours(18),
        "story_sla_breach": PUBLISHED + hours(24),
        "story_sla_escalation": PUBLISHED + hours(48),
    }


def test_a_rerun_of_the_hour_reports_the_notice_as_existing(conn):
    justice = add_institution(conn)
    add_story(conn, justice)

    first = hour(conn, PUBLISHED + hours(18))
    again = hour(conn, PUBLISHED + hours(18))

    assert first.written == {"story_sla_reminder": 1}
    assert again.written == {} and again.existing == {}  # the event already has its notice


def test_reminder_and_breach_go_to_the_press_secretary_and_the_head_escalation_ccs_the_agency(
    conn,
):
    justice = add_institution(conn)
    add_story(conn, justice)

    for n in (18, 24, 48):
        hour(conn, PUBLISHED + hours(n))

    agency = settings_module.get().agency.email
    press, head = "press@justice.example", "head@justice.example"
    assert [
        (kind, status, recipients, cc) for kind, _, status, recipients, cc, _ in stored(conn)
    ] == [
        ("story_sla_reminder", "pending", [press, head], []),
        ("story_sla_breach", "pending", [press, head], []),
        ("story_sla_escalation", "pending", [head, press], [agency]),
    ]
    texts = dict(conn.execute("SELECT kind, body_text FROM notice").fetchall())
    to = catalog("ru")["label.addressee"]
    assert f"{to}: Dilnoza Yoʻldosheva\nПресс-секретарь" in texts["story_sla_reminder"]
    assert f"{to}: Dilnoza Yoʻldosheva" in texts["story_sla_breach"]
    assert f"{to}: Aziz Karimov\nМинистр" in texts["story_sla_escalation"]


def test_notices_are_written_in_the_institutions_language(conn):
    russian = add_institution(conn, "justice", language="ru")
    cyrillic = add_institution(conn, "health", language="uz-Cyrl")
    english = add_institution(conn, "energy", language="en")
    add_story(conn, [russian, cyrillic, english])

    hour(conn, PUBLISHED + hours(24))

    rows = conn.execute(
        "SELECT i.code, n.kind, n.language, n.body_text FROM notice AS n"
        " JOIN institution AS i ON i.id = n.institution_id ORDER BY i.code, n.id"
    ).fetchall()
    assert [(code, kind, language) for code, kind, language, _ in rows] == [
        ("energy", "story_sla_reminder", "en"), ("energy", "story_sla_breach", "en"),
        ("health", "story_sla_reminder", "uz-Cyrl"), ("health", "story_sla_breach", "uz-Cyrl"),
        ("justice", "story_sla_reminder", "ru"), ("justice", "story_sla_breach", "ru"),
    ]  # fmt: skip
    for code, _, language, text in rows:
        labels = catalog(language)
        assert labels["col.due_at"] in text and labels["closing"] in text, code
    english_breach = rows[1][3]
    assert "Ministry of Justice" in english_breach
    # Tashkent time: published 10:00, due 10:00 the next day, 0 hours overdue at the hour.
    assert "2 March 2026, 10:00" in english_breach and "3 March 2026, 10:00" in english_breach
    assert "Overdue, hours: 0" in english_breach


def test_a_story_detected_late_says_so_in_its_breach_notice(conn):
    justice = add_institution(conn, language="en")
    add_story(conn, justice, first_seen_at=PUBLISHED + hours(30))

    hour(conn, PUBLISHED + hours(31))

    ((kind, text, html),) = conn.execute("SELECT kind, body_text, body_html FROM notice").fetchall()
    assert kind == "story_sla_breach"  # no reminder for a story seen after its deadline
    seen = "(3 March 2026, 16:00)"  # 11:00Z
    assert f"Detected by monitoring only after the response period had expired {seen}" in text
    assert seen in html
    assert "Overdue, hours: 7" in text


def test_a_stage_answered_before_its_notice_was_written_gets_none(conn):
    justice = add_institution(conn)
    story = add_story(conn, justice)
    respond(conn, story, justice, PUBLISHED + hours(18) + dt.timedelta(minutes=20))

    hour(conn, PUBLISHED + hours(19))  # the reminder at 18:00 and the answer at 18:20

    assert stored(conn) == []
    stages = conn.execute("SELECT stage FROM story_sla_event ORDER BY stage").fetchall()
    assert stages == [("fulfilled",), ("opened",), ("reminder",)]


def test_a_backfill_stores_its_notices_suppressed_and_sends_none(conn, smtp_server):
    justice = add_institution(conn)
    add_story(conn, justice)

    for n in range(0, 50):
        hour(conn, PUBLISHED + hours(n), send=outbox.should_send("backfill", {}))
    report = dispatch.dispatch(
        conn.info.dsn,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )

    assert {status for _, _, status, *_ in stored(conn)} == {"suppressed"}
    assert len(stored(conn)) == 3 and report.claimed == 0 and not smtp_server.messages


def test_codes_limit_the_notices_to_those_institutions(conn):
    justice = add_institution(conn, "justice")
    health = add_institution(conn, "health")
    add_story(conn, [justice, health])
    sweep(conn, PUBLISHED + hours(18))

    report = notices.write_stage_notices(
        conn, PUBLISHED + hours(18), settings_module.get(), send=True, codes=["health"]
    )

    assert report.written == {"story_sla_reminder": 1}
    assert [key.split(":")[2] for _, key, *_ in stored(conn)] == [str(health)]


# --- undeliverable ---------------------------------------------------------------------------


def test_an_institution_without_addressees_gets_its_notices_stored_undeliverable(conn, smtp_server):
    nobody = add_institution(conn, "nobody", language="en", head=False, press_secretary=False)
    add_story(conn, nobody)

    report = hour(conn, PUBLISHED + hours(24))
    dispatched = dispatch.dispatch(
        conn.info.dsn,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="AIMC",
    )

    rows = conn.execute(
        "SELECT kind, status, recipients, last_error, status_when_addressed, body_text"
        " FROM notice ORDER BY id"
    ).fetchall()
    assert [row[:5] for row in rows] == [
        ("story_sla_reminder", "undeliverable", [],
         "no active head or press secretary in the registry for institution nobody", "pending"),
        ("story_sla_breach", "undeliverable", [],
         "no active head or press secretary in the registry for institution nobody", "pending"),
    ]  # fmt: skip
    assert "To: Head of the institution" in rows[0][5]  # addressed to the position
    assert "Dear Head of the institution," in rows[0][5]
    assert report.undeliverable == {"story_sla_reminder": 1, "story_sla_breach": 1}
    assert report.written == {"story_sla_reminder": 1, "story_sla_breach": 1}
    assert report.no_recipient == ["nobody"]
    assert dispatched.claimed == 0 and not smtp_server.messages


def test_an_institution_with_only_a_press_secretary_writes_to_the_heads_position(conn):
    institution = add_institution(conn, "agency", language="en", head=False)
    add_story(conn, institution)

    for n in (24, 48):
        hour(conn, PUBLISHED + hours(n))

    rows = conn.execute("SELECT kind, status, recipients, body_text FROM notice ORDER BY id")
    rows = rows.fetchall()
    assert [(kind, status, recipients) for kind, status, recipients, _ in rows] == [
        ("story_sla_reminder", "pending", ["press@agency.example"]),
        ("story_sla_breach", "pending", ["press@agency.example"]),
        ("story_sla_escalation", "pending", ["press@agency.example"]),
    ]
    assert "To: Dilnoza Yoʻldosheva" in rows[1][3]
    assert "To: Head of the institution" in rows[2][3]  # the escalation is the head's


def test_readdress_sends_undeliverable_notices_once_the_registry_has_an_addressee(conn):
    nobody = add_institution(conn, "nobody", head=False, press_secretary=False)
    add_story(conn, nobody)
    hour(conn, PUBLISHED + hours(18), send=False)  # a backfill's: meant to be suppressed
    hour(conn, PUBLISHED + hours(24))  # a scheduled run's: meant to be sent

    unchanged, remaining = outbox.readdress(conn)
    assert (unchanged, remaining) == ([], 2)
    conn.execute(
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
        " VALUES ('nobody.head', %s, 'head', 'Bobur Toshmatov', 'Rahbar', 'head@nobody.example')",
        [nobody],
    )
    readdressed, remaining = outbox.readdress(conn)
    conn.commit()

    assert sorted((n.kind, n.status, n.recipients) for n in readdressed) == [
        ("story_sla_breach", "pending", ["head@nobody.example"]),
        ("story_sla_reminder", "suppressed", ["head@nobody.example"]),
    ]
    assert remaining == 0
    rows = conn.execute(
        "SELECT kind, status, recipients, last_error, status_when_addressed FROM notice ORDER BY id"
    ).fetchall()
    assert rows == [
        ("story_sla_reminder", "suppressed", ["head@nobody.example"], None, None),
        ("story_sla_breach", "pending", ["head@nobody.example"], None, None),
    ]


def test_notices_list_shows_recipients_or_why_a_notice_is_undeliverable(conn, capsys):
    justice = add_institution(conn, "justice")
    nobody = add_institution(conn, "nobody", head=False, press_secretary=False)
    add_story(conn, [justice, nobody])
    hour(conn, PUBLISHED + hours(18))

    assert cli.main(["notices", "list", "--status", "undeliverable"]) == 0
    undeliverable = capsys.readouterr().out.splitlines()
    assert (
        cli.main(["notices", "list", "--institution", "justice", "--kind", "story_sla_reminder"])
        == 0
    )
    justice_lines = capsys.readouterr().out.splitlines()

    assert undeliverable == [
        "PW-2026-000002  story_sla_reminder  undeliverable  nobody  no active head or press"
        " secretary in the registry for institution nobody"
    ]
    assert justice_lines == [
        "PW-2026-000001  story_sla_reminder  pending  justice"
        "  press@justice.example, head@justice.example"
    ]
    assert cli.main(["notices", "list", "--kind", "rating_scorecard"]) == 0
    assert capsys.readouterr().out == "no notices match\n"


def test_notices_readdress_from_the_command_line(conn, capsys):
    nobody = add_institution(conn, "nobody", head=False, press_secretary=False)
    add_story(conn, nobody)
    hour(conn, PUBLISHED + hours(18))
    conn.execute(
        "INSERT INTO official (code, institution_id, role, full_name, position_title, email)"
        " VALUES ('nobody.press', %s, 'press_secretary', 'Malika Qodirova', 'Matbuot kotibi',"
        " 'press@nobody.example')",
        [nobody],
    )
    conn.commit()

    assert cli.main(["notices", "readdress", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert cli.main(["notices", "readdress", "--institution", "nobody"]) == 0
    done = capsys.readouterr().out

    assert dry.splitlines()[-1] == (
        "would readdress 1 undeliverable notice(s); 0 still without an addressee in the registry"
    )
    assert done.splitlines() == [
        "PW-2026-000001  story_sla_reminder  nobody  -> pending: press@nobody.example",
        "readdressed 1 undeliverable notice(s); 0 still without an addressee in the registry",
    ]
    conn.rollback()
    assert conn.execute("SELECT status FROM notice").fetchone() == ("pending",)


def test_notice_dates_are_the_local_day_of_the_hour(conn):
    justice = add_institution(conn, language="en")
    # Published 23:30 Tashkent on 2 March: the breach is at 23:30 on 3 March, local time.
    add_story(conn, justice, dt.datetime(2026, 3, 2, 23, 30, tzinfo=TASHKENT))

    hour(conn, dt.datetime(2026, 3, 4, 0, 0, tzinfo=TASHKENT))  # 19:00Z on 3 March

    (text,) = conn.execute(
        "SELECT body_text FROM notice WHERE kind = 'story_sla_breach'"
    ).fetchone()
    assert "Date: 4 March 2026" in text and "Action due by: 6 March 2026" in text
