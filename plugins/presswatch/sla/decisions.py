"""An operator's word on a story (R3): confirmed critical, or dismissed, whatever the score.

The lexicon's score decides by default (``presswatch.sla.matching``); an operator who reads the
story can confirm it (its clocks run) or dismiss it (it is not critical; the SLA engine closes
its open clocks as of ``decided_at``). The decision wins over every later rescoring; it can be
changed, or cleared to give the score back its say. Decisions come from ``presswatch stories
confirm|dismiss|clear ID`` and from a manual run's params (``confirm_story_ids``,
``dismiss_story_ids``). ``describe`` is what an operator reads first (``presswatch stories
show ID``). The statements are in ``sql/queries/sla/decisions.sql``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg

from presswatch import db
from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.settings import Settings

QUERIES = "sla/decisions"
DECISIONS = ("confirmed", "dismissed", "clear")


@dataclass(frozen=True)
class Decision:
    story_id: int
    previous: str | None  # the decision before: confirmed, dismissed or None
    decision: str | None  # the decision now (None once cleared)
    is_critical: bool
    decided_at: dt.datetime | None


def decide(
    conn: psycopg.Connection,
    story_id: int,
    decision: str,
    *,
    by: str,
    note: str | None,
    at: dt.datetime | None = None,
    settings: Settings | None = None,
) -> Decision:
    """Record ``decision`` (``confirmed``, ``dismissed``, or ``clear`` to remove one) on the
    story, by ``by``, taking effect at ``at`` (default now; aware). Deciding the same again
    keeps the first time. Clearing sets ``is_critical`` from the stored score and the
    threshold of ``settings``. In the caller's transaction."""
    if decision not in DECISIONS:
        raise PresswatchError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    if decision != "clear" and not (by or "").strip():
        raise PresswatchError("a decision needs the name of who made it")
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise PresswatchError(f"decision time {at.isoformat()} has no time zone")
    queries = db.named_queries(QUERIES)
    if decision == "clear":
        settings = settings or settings_module.get()
        params = {"story_id": story_id, "threshold": settings.stories.critical_threshold}
        row = conn.execute(queries["clear"], params).fetchone()
    else:
        params = {
            "story_id": story_id,
            "decision": decision,
            "by": by.strip(),
            "note": note.strip() if note and note.strip() else None,
            "at": at,
        }
        row = conn.execute(queries["decide"], params).fetchone()
    if row is None:
        raise PresswatchError(f"no story with id {story_id}")
    previous, now_decision, is_critical, decided_at = row
    return Decision(story_id, previous, now_decision, is_critical, decided_at)


# --- what an operator reads before deciding ------------------------------------------------


def _when(value: dt.datetime | None, tz) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %z") if value else "-"


def describe(conn: psycopg.Connection, story_id: int, settings: Settings | None = None) -> str:
    """The story as text: its source and feed items, the institutions it was matched to (how,
    by which alias), its score and the terms that gave it, the decision, the responses, and
    its SLA clocks with their stage events. Times in the settings' time zone. Read-only."""
    settings = settings or settings_module.get()
    tz = settings.tz
    queries = db.named_queries(QUERIES)
    params = {"story_id": story_id}
    story = conn.execute(queries["show_story"], params).fetchone()
    if story is None:
        raise PresswatchError(f"no story with id {story_id}")
    (_, title, source, feed_code, url, language, published_at, zone_assumed, first_seen_at,
     summary, matched_at, score, terms, scored_with, is_critical, decision, decided_at,
     decided_by, note) = story  # fmt: skip
    lines = [
        f"story {story_id}: {title}",
        f"  source {source}"
        + (f" (feed {feed_code})" if feed_code else "")
        + f", language {language or 'unknown'}",
        f"  published {_when(published_at, tz)}"
        + (" (the feed gave no zone: read as Asia/Tashkent)" if zone_assumed else "")
        + f", first seen {_when(first_seen_at, tz)}",
        f"  url {url}",
    ]
    if summary:
        lines.append(f"  summary {summary}")
    items = conn.execute(queries["show_items"], params).fetchall()
    for code, item_key, item_url, seen in items:
        lines.append(f"  item {code} {item_key} (first seen {_when(seen, tz)})"
                     + (f" {item_url}" if item_url != url else ""))  # fmt: skip
    if matched_at is None:
        lines.append("  not matched yet (the next hourly run matches and scores it)")
    else:
        threshold = settings.stories.critical_threshold
        reason = ", ".join(terms) if terms else "no trigger words"
        lines.append(
            f"  score {score} (threshold {threshold:g}): {reason}; lexicon {(scored_with or '-')[:12]}"
        )
    verdict = "critical" if is_critical else "not critical"
    if decision:
        lines.append(
            f"  {verdict}: {decision} by {decided_by} at {_when(decided_at, tz)}"
            + (f" ({note})" if note else "")
            + " (wins over the score)"
        )
    else:
        lines.append(f"  {verdict} (by the score; no operator decision)")
    matches = conn.execute(queries["show_matches"], params).fetchall()
    if matches:
        lines.append("  institutions:")
        for code, method, alias, at in matches:
            how = f"{method} {alias!r}" if alias else method
            lines.append(f"    {code}: {how}, {_when(at, tz)}")
    else:
        lines.append("  institutions: none")
    for code, responded_at, channel, origin, response_url in conn.execute(
        queries["show_responses"], params
    ):
        lines.append(
            f"  response {code}: {_when(responded_at, tz)} {channel} ({origin}) {response_url}"
        )
    events: dict[str, list[str]] = {}
    for code, stage, occurred_at, recorded_at, late, notice_key in conn.execute(
        queries["show_events"], params
    ):
        events.setdefault(code, []).append(
            f"      {stage} at {_when(occurred_at, tz)} (recorded {_when(recorded_at, tz)}"
            + (", detected late" if late else "")
            + (f", notice {notice_key}" if notice_key else "")
            + ")"
        )
    clocks = conn.execute(queries["show_clocks"], params).fetchall()
    for (code, stage, stage_at, started, calendar, reminder_at, due_at, escalate_at, late,
         first_response_at, closed_at) in clocks:  # fmt: skip
        lines.append(
            f"  clock {code}: {stage} since {_when(stage_at, tz)}; started {_when(started, tz)}"
            f" ({calendar.replace('_', ' ')}), reminder {_when(reminder_at, tz)}, due"
            f" {_when(due_at, tz)}, escalation {_when(escalate_at, tz)}"
            + (", detected late" if late else "")
            + (f"; answered {_when(first_response_at, tz)}" if first_response_at else "")
            + (f"; closed {_when(closed_at, tz)}" if closed_at else "")
        )
        lines.extend(events.get(code, []))
    if not clocks:
        lines.append("  clocks: none")
    return "\n".join(lines)
