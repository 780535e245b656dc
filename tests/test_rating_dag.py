"""The ``rating_semiannual`` and ``rating_finalize_daily`` DAGs, run for real (``dag.test()``)
on test_rating_compute's hand-computed world: the rating, each institution's scorecard notice
in its language with its PDF attached, the dispute window, the reports on disk, the final
rating and its accountability notices, delivered once to a real SMTP server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from test_rating_compute import H1, results, world  # noqa: F401 (a fixture)

from presswatch.notices import dispatch
from presswatch.paths import DAGS
from presswatch.rating import dispute, pipeline

TASHKENT = ZoneInfo("Asia/Tashkent")
NAMES = {
    "alpha": ("uz-Cyrl", "Рақамли технологиялар вазирлиги", "Raqamli texnologiyalar vazirligi"),
    "beta": ("ru", "Министерство юстиции", "Adliya vazirligi"),
    "gamma": ("uz-Latn", "Qurilish vazirligi", "Qurilish vazirligi"),
}


@pytest.fixture
def named(conn, world):  # noqa: F811 (the fixture imported above)
    for code, (language, name, latin) in NAMES.items():
        conn.execute(
            "UPDATE institution SET preferred_language = %s, name_uz_cyrl = %s, name_ru = %s,"
            " name_uz_latn = %s, name_en = %s WHERE code = %s",
            [language, name, name, latin, latin, code],
        )
        conn.execute(
            "UPDATE official SET email = %s WHERE code = %s",
            [f"head@{code}.gov.example", f"{code}-head"],
        )
    conn.commit()
    return conn


def load(name: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / f"{name}.py"))
    assert not bag.import_errors, bag.import_errors
    return bag.dags[name]


def run(name: str, logical: dt.datetime, **conf):
    from helpers import run_dag

    return run_dag(load(name), logical_date=logical, run_conf=conf or None)


H1_END = dt.datetime(2025, 7, 1, tzinfo=TASHKENT)  # dag.test() runs the interval ending here


def notices(conn, kind: str) -> list[tuple]:
    return conn.execute(
        "SELECT i.code, n.language, n.status, n.recipients, a.filename, a.content_type"
        " FROM notice AS n JOIN institution AS i ON i.id = n.institution_id"
        " LEFT JOIN notice_attachment AS a ON a.notice_id = n.id"
        " WHERE n.kind = %s ORDER BY i.code",
        [kind],
    ).fetchall()


def deliver(conn) -> dispatch.DispatchReport:
    return dispatch.dispatch(
        conn.info.dsn,
        lambda: dispatch.AirflowSmtpSender(fallback_from="monitoring@aimc.example.uz"),
        sender_name="Agency",
    )


def test_a_run_rates_the_half_year_issues_each_scorecard_once_and_writes_the_reports(
    airflow_db, named, smtp_server, tmp_path, monkeypatch
):
    conn = named
    monkeypatch.setenv("PRESSWATCH_REPORTS_DIR", str(tmp_path))

    assert run("rating_semiannual", H1_END, send_notices=True).state == "success"

    window = dispute.window(conn, H1)
    assert window.status == "provisional" and window.notices_sent
    assert window.closes_on == window.issued_on + dt.timedelta(days=10)
    assert results(conn, window.rating_id)["gamma"][:3] == (Decimal("23.33"), 3, "red")
    assert notices(conn, "rating_scorecard") == [
        (code, language, "pending", [f"head@{code}.gov.example"],
         f"2025-H1-v1-{code}.pdf", "application/pdf")
        for code, (language, _, _) in sorted(NAMES.items())
    ]  # fmt: skip
    assert notices(conn, "rating_accountability") == []  # not before the rating is final
    folder = tmp_path / "2025-H1-v1"
    assert (folder / "agency.pdf").read_bytes().startswith(b"%PDF")
    assert {p.name for p in (folder / "scorecards").iterdir()} >= {"alpha.pdf", "gamma.html"}

    # A rerun (an operator re-issuing the period) writes no notice again; the reports again.
    assert run("rating_semiannual", H1_END, send_notices=True).state == "success"
    assert len(notices(conn, "rating_scorecard")) == 3

    # The league table to the agency, in its language, with the PDF and the CSV.
    (league,) = conn.execute(
        "SELECT n.language, n.status, n.recipients, array_agg(a.filename ORDER BY a.filename)"
        " FROM notice AS n JOIN notice_attachment AS a ON a.notice_id = n.id"
        " WHERE n.kind = 'rating_league_table' GROUP BY n.id"
    ).fetchall()
    assert league == ("uz-Latn", "pending", ["monitoring@aimc.example.uz"],
                      ["2025-H1-v1-agency.pdf", "2025-H1-v1-rating.csv"])  # fmt: skip

    report = deliver(conn)
    assert report.sent == 4 and len(smtp_server.messages) == 4
    to_agency = next(m for m in smtp_server.messages if m["To"] == "monitoring@aimc.example.uz")
    assert "Qurilish vazirligi" in to_agency.get_body(("html",)).get_content()  # held accountable
    cyrillic = next(m for m in smtp_server.messages if m["To"] == "head@alpha.gov.example")
    assert "Рақамли технологиялар вазирлиги" in cyrillic.get_body(("html",)).get_content()
    (pdf,) = [part for part in cyrillic.iter_attachments()]
    assert pdf.get_filename() == "2025-H1-v1-alpha.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert deliver(conn).sent == 0  # once


def test_at_the_end_of_the_window_the_rating_is_final_and_the_accountable_are_notified(
    airflow_db, named, smtp_server, tmp_path, monkeypatch
):
    conn = named
    monkeypatch.setenv("PRESSWATCH_REPORTS_DIR", str(tmp_path))
    assert run("rating_semiannual", H1_END, send_notices=True).state == "success"
    window = dispute.window(conn, H1)
    run_info = {"airflow_dag_id": "t", "airflow_run_id": "t", "airflow_run_type": "scheduled"}

    before = pipeline.finalize_due_task(
        conn.info.dsn, send_allowed=True, run=run_info, on=window.closes_on - dt.timedelta(days=1)
    )
    assert before == {"finalized": []}
    done = pipeline.finalize_due_task(
        conn.info.dsn, send_allowed=True, run=run_info, on=window.closes_on
    )

    assert [f["period"] for f in done["finalized"]] == ["2025-H1"]
    assert dispute.window(conn, H1).status == "final"
    # gamma: red and the lowest 5%.
    assert notices(conn, "rating_accountability") == [
        ("gamma", "uz-Latn", "pending", ["head@gamma.gov.example"], "2025-H1-v1-gamma.pdf",
         "application/pdf"),
    ]  # fmt: skip
    (body_text,) = conn.execute(
        "SELECT body_text FROM notice WHERE kind = 'rating_accountability'"
    ).fetchone()
    deadline = window.closes_on + dt.timedelta(days=15)
    assert str(deadline.day) in body_text
    # It names the indicators to explain (below the yellow band's 55), not the others.
    failed = body_text.split("tushuntirish talab etiladigan koʻrsatkichlar:")[1]
    assert "- Ijtimoiy tarmoqlarda materiallar joylashtirish muntazamligi" in failed
    assert "- Media-reja va uning ijrosi" in failed  # 50
    assert "Tanqidiy materiallarga" not in failed  # R3: not applicable, not failed
    assert conn.execute(
        "SELECT dedup_key FROM notice WHERE kind = 'rating_league_table' ORDER BY id"
    ).fetchall() == [("rating_league_table:2025-H1:v1:provisional",),
                     ("rating_league_table:2025-H1:v1:final",)]  # fmt: skip
    assert (tmp_path / "2025-H1-v1" / "agency.pdf").exists()
    deliver(conn)
    assert sum(m["To"] == "head@gamma.gov.example" for m in smtp_server.messages) == 2


def test_a_manual_run_without_send_notices_records_them_suppressed_and_a_dry_run_nothing(
    airflow_db, named, tmp_path, monkeypatch
):
    conn = named
    monkeypatch.setenv("PRESSWATCH_REPORTS_DIR", str(tmp_path))

    assert run("rating_semiannual", H1_END, dry_run=True).state == "success"
    assert conn.execute("SELECT count(*) FROM rating").fetchone() == (0,)

    assert run("rating_semiannual", H1_END, period="2025-H1").state == "success"
    assert {status for _, _, status, *_ in notices(conn, "rating_scorecard")} == {"suppressed"}
    assert not dispute.window(conn, H1).notices_sent


def test_the_daily_finalize_run_of_the_window_s_last_day_finalizes_and_the_day_before_not(
    airflow_db, named, tmp_path, monkeypatch
):
    conn = named
    monkeypatch.setenv("PRESSWATCH_REPORTS_DIR", str(tmp_path))
    assert run("rating_semiannual", H1_END, send_notices=True).state == "success"
    closes_on = dispute.window(conn, H1).closes_on

    def at_nine(day: dt.date) -> dt.datetime:  # the run whose interval ends that morning
        return dt.datetime.combine(day, dt.time(9), TASHKENT)

    assert run("rating_finalize_daily", at_nine(closes_on - dt.timedelta(days=1))).state == (
        "success"
    )
    assert dispute.window(conn, H1).status == "provisional"
    assert run("rating_finalize_daily", at_nine(closes_on)).state == "success"
    assert dispute.window(conn, H1).status == "final"
    # A manual run without send_notices: the accountability notice is recorded, not sent.
    assert [status for _, _, status, *_ in notices(conn, "rating_accountability")] == ["suppressed"]
