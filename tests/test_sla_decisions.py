"""Operators' decisions on stories and the `presswatch stories` / `presswatch aliases` commands."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import psycopg
import pytest
from test_sla_matching import add_justice, add_story, run, scored, with_threshold

from presswatch.errors import PresswatchError
from presswatch.sla import decisions, matching

AT = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC)


def decision_of(conn: psycopg.Connection, story_id: int) -> tuple:
    return conn.execute(
        "SELECT operator_decision, decided_at, decided_by, decision_note, is_critical"
        " FROM story WHERE id = %s",
        [story_id],
    ).fetchone()


@pytest.fixture
def stories(conn):
    """A critical story (score 3: pora, ushlandi) and a routine one (score 0), both scored."""
    add_justice(conn)
    critical = add_story(conn, "Adliya vazirligi xodimi pora olayotganda ushlandi", "uz-Latn")
    routine = add_story(conn, "Adliya vazirligi yangi xizmatni ishga tushirdi", "uz-Latn")
    run(conn)
    return critical, routine


def test_confirming_a_routine_story_makes_it_critical_and_records_who_and_when(conn, stories):
    _, routine = stories

    result = decisions.decide(conn, routine, "confirmed", by="Operator A", note=" seen ", at=AT)

    assert result == decisions.Decision(routine, None, "confirmed", True, AT)
    assert decision_of(conn, routine) == ("confirmed", AT, "Operator A", "seen", True)


def test_dismissing_a_critical_story_makes_it_not_critical_and_keeps_its_score(conn, stories):
    critical, _ = stories

    decisions.decide(conn, critical, "dismissed", by="Operator A", note="a rumour", at=AT)

    assert decision_of(conn, critical) == ("dismissed", AT, "Operator A", "a rumour", False)
    assert scored(conn, critical) == (3, ["pora", "ushlandi"], False)


def test_deciding_the_same_again_keeps_the_first_time(conn, stories):
    critical, _ = stories
    decisions.decide(conn, critical, "dismissed", by="Operator A", note="a rumour", at=AT)

    again = decisions.decide(
        conn, critical, "dismissed", by="Operator B", note=None, at=AT + dt.timedelta(hours=5)
    )

    assert again.previous == "dismissed" and again.decided_at == AT
    assert decision_of(conn, critical) == ("dismissed", AT, "Operator B", "a rumour", False)


def test_a_decision_can_be_changed_and_cleared(conn, stories):
    critical, routine = stories
    decisions.decide(conn, critical, "dismissed", by="A", note="a rumour", at=AT)
    later = AT + dt.timedelta(hours=2)

    changed = decisions.decide(conn, critical, "confirmed", by="B", note=None, at=later)
    assert changed.previous == "dismissed"
    assert decision_of(conn, critical) == ("confirmed", later, "B", None, True)

    decisions.decide(conn, routine, "confirmed", by="B", note=None, at=later)
    cleared = decisions.decide(conn, routine, "clear", by="B", note=None)
    assert cleared == decisions.Decision(routine, "confirmed", None, False, None)
    assert decision_of(conn, routine) == (None, None, None, None, False)
    # Cleared, the score decides with the threshold of the settings given: 3 >= 3.
    decisions.decide(conn, critical, "clear", by="B", note=None, settings=with_threshold(3.0))
    assert decision_of(conn, critical)[4] is True
    decisions.decide(conn, critical, "dismissed", by="B", note=None, at=later)
    decisions.decide(conn, critical, "clear", by="B", note=None, settings=with_threshold(3.01))
    assert decision_of(conn, critical)[4] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"story_id": 999, "decision": "confirmed"}, "no story with id 999"),
        ({"decision": "maybe"}, "decision 'maybe' is not one of confirmed, dismissed, clear"),
        ({"decision": "confirmed", "by": " "}, "needs the name of who made it"),
        ({"decision": "confirmed", "at": dt.datetime(2025, 3, 3, 12)}, "has no time zone"),
    ],
)
def test_a_bad_decision_is_a_clear_error(conn, stories, kwargs, message):
    arguments = {"story_id": stories[0], "by": "A", "note": None, **kwargs}
    story_id, decision = arguments.pop("story_id"), arguments.pop("decision")

    with pytest.raises(PresswatchError, match=message):
        decisions.decide(conn, story_id, decision, **arguments)


def test_a_story_not_matched_yet_can_be_decided_and_matching_respects_it(conn):
    add_justice(conn)
    story = add_story(conn, "Adliya vazirligi yangi xizmatni ishga tushirdi", "uz-Latn")

    decisions.decide(conn, story, "confirmed", by="A", note=None, at=AT)
    run(conn)

    assert scored(conn, story) == (0, [], True)


# --- the command line --------------------------------------------------------------------


def presswatch(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "presswatch.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PRESSWATCH_DB_URL": url},
    )


def test_cli_confirm_dismiss_and_clear(conn, clean_db, stories):
    critical, routine = stories
    conn.commit()

    confirmed = presswatch(clean_db, "stories", "confirm", str(routine), "--by", "Operator A",
                           "--note", "a real complaint")  # fmt: skip
    dismissed = presswatch(clean_db, "stories", "dismiss", str(critical), "--by", "Operator A")
    cleared = presswatch(clean_db, "stories", "clear", str(critical))

    assert confirmed.returncode == 0, confirmed.stderr
    assert confirmed.stdout == (
        f"story {routine}: confirmed by Operator A (was no decision); critical\n"
    )
    assert dismissed.stdout == (
        f"story {critical}: dismissed by Operator A (was no decision); not critical\n"
    )
    assert cleared.stdout == (
        f"story {critical}: decision cleared (was dismissed); critical by its score\n"
    )
    conn.rollback()
    assert decision_of(conn, routine)[:4:2] == ("confirmed", "Operator A")
    assert decision_of(conn, critical) == (None, None, None, None, True)


def test_cli_an_unknown_story_is_one_line_and_exits_1(clean_db):
    result = presswatch(clean_db, "stories", "dismiss", "4242")

    assert result.returncode == 1
    assert result.stderr == "presswatch: error: no story with id 4242\n"


def test_cli_show_prints_matches_score_decision_and_clocks(conn, clean_db, stories):
    critical, _ = stories
    justice = conn.execute("SELECT id FROM institution WHERE code = 'justice'").fetchone()[0]
    decisions.decide(conn, critical, "confirmed", by="Operator A", note="checked", at=AT)
    conn.execute(
        "INSERT INTO story_sla (story_id, institution_id, clock_started_at, calendar,"
        " reminder_at, due_at, escalate_at, opened_at, detected_late, stage, stage_at,"
        " settings_sha256) VALUES (%s, %s, '2025-03-03 10:00+05', 'calendar_hours',"
        " '2025-03-04 04:00+05', '2025-03-04 10:00+05', '2025-03-05 10:00+05',"
        " '2025-03-03 10:05+05', false, 'breached', '2025-03-04 10:00+05', 'x')",
        [critical, justice],
    )
    conn.execute(
        "INSERT INTO story_sla_event (story_id, institution_id, stage, occurred_at, recorded_at,"
        " notice_key) VALUES (%s, %s, 'opened', '2025-03-03 10:05+05', '2025-03-03 11:00+05',"
        " NULL), (%s, %s, 'breached', '2025-03-04 10:00+05', '2025-03-04 11:00+05', 'n-1')",
        [critical, justice, critical, justice],
    )
    conn.commit()

    result = presswatch(clean_db, "stories", "show", str(critical))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"story {critical}: Adliya vazirligi xodimi pora olayotganda ushlandi"
    assert "  score 3.00 (threshold 2): pora, ushlandi; lexicon " in result.stdout
    assert (
        "  critical: confirmed by Operator A at 2025-03-03 17:00 +0500 (checked) "
        "(wins over the score)"
    ) in lines
    assert any(line.startswith("    justice: alias 'Adliya vazirligi', ") for line in lines)
    assert any(
        line.startswith("  clock justice: breached since 2025-03-04 10:00 +0500") for line in lines
    )
    assert (
        "      breached at 2025-03-04 10:00 +0500 (recorded 2025-03-04 11:00 +0500, notice n-1)"
        in lines
    )


def test_cli_aliases_add_list_remove_and_rematch(conn, clean_db):
    add_justice(conn)
    story = add_story(conn, "Huquqiy axborot markazi: murojaatlar javobsiz", "uz-Latn")
    conn.execute("UPDATE story SET first_seen_at = '2025-03-03 09:00+05' WHERE id = %s", [story])
    run(conn)
    conn.commit()
    assert scored(conn, story)[2] is True  # critical, but about no institution yet

    added = presswatch(clean_db, "aliases", "add", "justice", "Huquqiy axborot markazi",
                       "--language", "uz-Latn")  # fmt: skip
    refused = presswatch(clean_db, "aliases", "add", "justice", "Vazirlik")
    rematched = presswatch(clean_db, "stories", "rematch", "--since", "2025-03-03")
    listed = presswatch(clean_db, "aliases", "list", "justice")

    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added alias ")
    assert refused.returncode == 1
    assert refused.stderr.startswith("presswatch: error: alias 'Vazirlik' refused: it is made of")
    assert refused.stderr.count("\n") == 1
    assert rematched.returncode == 0, rematched.stderr
    assert "1 matches added" in rematched.stdout
    conn.rollback()
    assert matching.Alias(
        int(added.stdout.split()[2]), "extra", "operator", "uz-Latn", True,
        "Huquqiy axborot markazi", ["huquqi", "axboro", "markaz"],
    ) in matching.list_aliases(conn, "justice")  # fmt: skip
    assert "extra  operator  uz-Latn  on  Huquqiy axborot markazi  [huquqi axboro markaz]" in (
        listed.stdout
    )
    alias_id = added.stdout.split()[2]
    removed = presswatch(clean_db, "aliases", "remove", alias_id)
    assert removed.stdout == "deleted justice's extra alias 'Huquqiy axborot markazi'\n"
    gone = presswatch(clean_db, "aliases", "remove", alias_id)
    assert (
        gone.returncode == 1 and gone.stderr == f"presswatch: error: no alias with id {alias_id}\n"
    )
