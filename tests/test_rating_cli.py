"""The rating's commands (R10), run as an operator runs them, on test_rating_compute's
hand-computed world: compute, reproduce, dispute, corrections, finalize, report."""

from __future__ import annotations

import pytest
from test_cli import presswatch
from test_rating_compute import world  # noqa: F401 (a fixture)


@pytest.fixture
def url(conn, world):  # noqa: F811 (the fixture imported above)
    conn.commit()
    return conn.info.dsn


def test_an_operator_rates_reproduces_disputes_finalizes_and_writes_the_reports(url, tmp_path):
    env = {"PRESSWATCH_DB_URL": url, "PRESSWATCH_REPORTS_DIR": str(tmp_path)}

    dry = presswatch("rating", "compute", "2025-H1", "--dry-run", **env)
    assert dry.returncode == 0, dry.stderr
    assert "3 institutions, 3 rated, 1 held accountable" in dry.stdout
    assert "dry run: nothing written" in dry.stdout
    assert "no rating" in presswatch("rating", "reproduce", "2025-H1", **env).stderr

    computed = presswatch("rating", "compute", "2025-H1", **env)
    assert "2025-H1 version 1 (provisional" in computed.stdout and "created" in computed.stdout
    reproduced = presswatch("rating", "reproduce", "2025-H1", **env)
    assert reproduced.returncode == 0 and "reproduced exactly, no difference" in reproduced.stdout

    filed = presswatch(
        "rating", "dispute", "2025-H1", "--institution", "gamma", "--indicator", "r9",
        "--value", "100%", "--reason", "the briefing of 1 March was held",
        "--evidence", "https://gamma.gov.example/briefing", **env,
    )  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    assert "filed for 2025-H1 version 1" in filed.stdout
    log = presswatch("rating", "corrections", "2025-H1", **env)
    assert "1 corrections" in log.stdout and "gamma r9 = 1.0000" in log.stdout

    final = presswatch("rating", "finalize", "2025-H1", **env)
    assert final.returncode == 0, final.stderr
    assert "is final: 1 corrections applied" in final.stdout
    assert "accountability notices written (suppressed)" in final.stdout
    assert (tmp_path / "2025-H1-v1" / "agency.pdf").exists()
    again = presswatch("rating", "finalize", "2025-H1", **env)
    assert again.returncode == 1 and "already final" in again.stderr

    written = presswatch("rating", "report", "2025-H1", "--out", str(tmp_path / "x"), **env)
    assert written.returncode == 0, written.stderr
    assert f"agency report: {tmp_path / 'x' / '2025-H1-v1' / 'agency.pdf'}" in written.stdout
    assert "scorecards:    3" in written.stdout
    assert sorted(p.name for p in (tmp_path / "x" / "2025-H1-v1" / "scorecards").glob("*.pdf")) == [
        "alpha.pdf", "beta.pdf", "gamma.pdf"
    ]  # fmt: skip
