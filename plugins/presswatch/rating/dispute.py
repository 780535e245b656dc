"""The dispute window of a rating (R10): corrections filed by the institutions, and when a
rating becomes final.

A rating is ``provisional`` from its computation until the end of its dispute window: the
window opens when the scorecards are issued (``open_window``: the first issue fixes it, a rerun
does not move it) and closes ``rating.dispute_window_days`` later (``dispute_closes_on``, the
first day no correction is taken and the day the rating becomes final). Meanwhile a press
service may contest an indicator; the operator files the correction with its evidence
(``file``: ``presswatch rating dispute``), and ``presswatch.rating.compute.finalize`` applies
the filed corrections when the window has closed (``due``: the ratings whose window closed),
logging each with the value it replaced (``rating_correction``, migration 0015).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import psycopg

from presswatch import db
from presswatch.errors import PresswatchError
from presswatch.rating.compute import WEIGHT_OF
from presswatch.rating.periods import HalfYear

QUERIES = "rating/dispute"
CORRECTIONS = "rating/corrections"


@dataclass(frozen=True)
class Window:
    rating_id: int
    period: str
    version: int
    status: str
    issued_on: dt.date | None
    closes_on: dt.date | None
    notices_sent: bool


def indicator_code(name: str) -> str:
    """``r3`` for ``r3``, ``R3`` or the settings' weight name ``responsiveness``."""
    code = name.strip().lower()
    by_weight = {weight: code for code, weight in WEIGHT_OF.items()}
    code = by_weight.get(code, code)
    if code not in WEIGHT_OF:
        known = ", ".join(f"{c} ({w})" for c, w in WEIGHT_OF.items())
        raise PresswatchError(f"unknown indicator {name!r}; known: {known}")
    return code


def parse_value(text: str) -> Decimal | None:
    """A corrected value: ``0.8``, ``80%`` or ``n/a`` (not applicable)."""
    value = text.strip().lower()
    if value in ("n/a", "na", "none", "not-applicable"):
        return None
    try:
        number = Decimal(value.removesuffix("%"))
    except InvalidOperation:
        raise PresswatchError(f"{text!r} is not a value (0.8, 80% or n/a)") from None
    if value.endswith("%"):
        number /= 100
    if not Decimal(0) <= number <= Decimal(1):
        raise PresswatchError(f"{text!r} is out of range: a value is in 0..1 (0%..100%)")
    return number


def window(conn: psycopg.Connection, period: HalfYear, version: int | None = None) -> Window:
    """The period's rating (its newest version unless ``version``) and its dispute window."""
    row = conn.execute(
        db.named_queries(QUERIES)["window"], {"period": period.label, "version": version}
    ).fetchone()
    if row is None:
        which = f" version {version}" if version else ""
        raise PresswatchError(f"{period.label} has no rating{which}")
    return Window(*row)


def window_of(conn: psycopg.Connection, rating_id: int) -> Window:
    row = conn.execute(db.named_queries(QUERIES)["window_of"], {"rating_id": rating_id}).fetchone()
    if row is None:
        raise PresswatchError(f"no rating {rating_id}")
    return Window(*row)


def open_window(
    conn: psycopg.Connection, rating_id: int, issued_on: dt.date, days: int, *, sent: bool
) -> Window:
    """Open the rating's window on the day its scorecards are issued (only the first issue
    opens it; a later one, e.g. a rerun or a re-issue, leaves it as it is)."""
    queries = db.named_queries(QUERIES)
    conn.execute(
        queries["open_window"],
        {"rating_id": rating_id, "issued_on": issued_on, "days": days, "sent": sent},
    )
    return window_of(conn, rating_id)


def due(conn: psycopg.Connection, today: dt.date) -> list[Window]:
    """The provisional ratings whose window has closed by ``today``."""
    rows = conn.execute(db.named_queries(QUERIES)["due"], {"today": today})
    return [Window(*row) for row in rows]


def file(
    conn: psycopg.Connection,
    period: HalfYear,
    *,
    institution_code: str,
    indicator: str,
    value: Decimal | None,
    reason: str,
    evidence: Sequence[str],
    filed_by: str,
    today: dt.date,
    version: int | None = None,
) -> int:
    """File a correction of one indicator in the period's provisional rating; return its id.
    Refused when the rating is final or its window has closed."""
    code = indicator_code(indicator)
    if not reason.strip():
        raise PresswatchError("a correction needs a reason")
    if not evidence:
        raise PresswatchError("a correction needs evidence (a link or a document reference)")
    with conn.transaction():
        w = window(conn, period, version)
        if w.status == "final":
            raise PresswatchError(
                f"{period.label} version {w.version} is final: corrections are taken only"
                " while it is provisional"
            )
        if w.closes_on is not None and today >= w.closes_on:
            raise PresswatchError(
                f"the dispute window of {period.label} version {w.version} closed on"
                f" {w.closes_on.isoformat()} (opened {w.issued_on.isoformat()})"
            )
        row = conn.execute(
            db.named_queries(QUERIES)["institution_in_rating"],
            {"rating_id": w.rating_id, "code": institution_code},
        ).fetchone()
        if row is None:
            raise PresswatchError(
                f"institution {institution_code!r} is not in {period.label} version {w.version}"
            )
        queries = db.named_queries(CORRECTIONS)
        params = {
            "rating_id": w.rating_id,
            "institution_id": row[0],
            "indicator": code,
            "value": value,
            "reason": reason.strip(),
            "evidence": list(evidence),
            "filed_by": filed_by,
            "now": dt.datetime.now(dt.UTC),
        }
        conn.execute(queries["withdraw_filed"], params)
        (correction_id,) = conn.execute(queries["file"], params).fetchone()
    return correction_id


def withdraw(conn: psycopg.Connection, correction_id: int) -> None:
    """Withdraw a filed correction (an applied one is part of a final rating: it stays)."""
    with conn.transaction():
        row = conn.execute(
            db.named_queries(CORRECTIONS)["withdraw"], {"correction_id": correction_id}
        ).fetchone()
    if row is None:
        raise PresswatchError(
            f"no filed correction {correction_id} (applied or withdrawn ones stay)"
        )


def corrections(conn: psycopg.Connection, rating_id: int) -> list[dict]:
    """Every correction of a rating, filed, withdrawn or applied (the corrections log)."""
    cursor = conn.execute(db.named_queries(CORRECTIONS)["list"], {"rating_id": rating_id})
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
