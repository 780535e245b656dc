"""The semiannual rating's computing core (R10): indicators, scores, ranks, bands and who is
held accountable, computed in the database for every active institution.

The statements are in ``sql/queries/rating/``: ``indicators.sql`` computes a half-year into
two temporary tables from the stored facts (``institution_compliance_daily``,
``account_week_compliance``, ``story_sla``, ``accreditation_request``, ``media_plan`` and
``media_event``) with the parameters of one methodology (``presswatch.rating.methodology``);
``store.sql`` compares them with a stored rating and writes them (migration
``0012.rating_core``: ``rating``, ``rating_result``, ``rating_indicator``).

A period has at most one rating per methodology (its sha256), numbered ``version`` 1, 2, ...:

- ``compute`` with the methodology of a stored rating recomputes it: identical rows write
  nothing (the rating keeps its ``computed_at`` and run id); a provisional rating whose facts
  changed is replaced (delete, then insert); a ``final`` one is never rewritten (the report
  counts the differences; the database refuses a write too).
- ``compute`` with a methodology the period has no rating of: the first rating of the period,
  or, when the period has one already (the settings changed since), an error unless
  ``new_version=True``, which makes the next version beside the published one.
- ``reproduce`` recomputes a stored rating from the stored facts with its stored methodology
  (not the current settings) and its applied corrections, and returns the differences, in a
  transaction rolled back.
- ``finalize`` makes a provisional rating final at the end of its dispute window, with the
  corrections filed in it applied (``sql/queries/rating/corrections.sql``, migration
  ``0015.rating_dispute``; filing them: ``presswatch.rating.dispute``).

The change of score is against the previous half-year's newest rating at the time of the first
computation (kept in ``rating.previous_rating_id``, so that reproduce uses the same one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from presswatch import db
from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.rating import methodology as methodology_module
from presswatch.rating.periods import HalfYear
from presswatch.settings import Settings

INDICATORS = "rating/indicators"
STORE = "rating/store"
CORRECTIONS = "rating/corrections"

# The settings' weight of each indicator.
WEIGHT_OF = {
    "r1": "social_presence",
    "r2": "posting_regularity",
    "r3": "responsiveness",
    "r4": "accreditation",
    "r5": "media_pool",
    "r6": "public_council",
    "r7": "wikipedia",
    "r8": "mobile_apps",
    "r9": "media_plan",
}


@dataclass(frozen=True)
class Difference:
    """A row one side has and the other lacks: ``side`` is 'computed' or 'stored';
    ``indicator`` is None for a result row (score, rank, band, ...)."""

    side: str
    institution_id: int
    indicator: str | None
    row: dict[str, Any]


@dataclass(frozen=True)
class RatingReport:
    period: str
    rating_id: int
    version: int
    status: str
    methodology_sha256: str
    # created: the period's first rating; new_version: another methodology's, beside the
    # published one; unchanged: recomputed, identical; updated: a provisional rating whose
    # facts changed, replaced; final_kept: a final rating, recomputed, not rewritten.
    action: str
    institutions: int
    rated: int
    held_accountable: int
    differences: list[Difference] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["differences"] = len(self.differences)
        return data


@dataclass(frozen=True)
class ReproduceReport:
    period: str
    rating_id: int
    version: int
    methodology_sha256: str
    differences: list[Difference]

    @property
    def identical(self) -> bool:
        return not self.differences


def _params(methodology: dict[str, Any], period: HalfYear) -> dict[str, Any]:
    """The statements' parameters, read from a methodology only (never the live settings)."""
    rating = methodology["rating"]
    return {
        "period": period.label,
        "first_day": period.start,
        "end_day": period.end,
        "tz": methodology["timezone"],
        "platforms": list(methodology["posting"]["required_platforms"]),
        "require_verified": methodology["posting"]["require_verified"],
        "wiki_langs": list(methodology["wikipedia"]["languages"]),
        "max_days": methodology["accreditation"]["max_days"],
        "evidence_ids": rating["evidence_ids"],
        "weights": Jsonb({code: rating["weights"][name] for code, name in WEIGHT_OF.items()}),
        "green_min": str(rating["bands"]["green_min"]),
        "yellow_min": str(rating["bands"]["yellow_min"]),
        "red_band": rating["accountability"]["red_band"],
        # As text, so that 0.05 is the numeric 0.05, not a binary float's neighbour.
        "lowest_share": str(rating["accountability"]["lowest_share"]),
    }


def _calculate(
    conn: psycopg.Connection,
    params: dict[str, Any],
    previous_rating_id: int | None,
    *,
    corrections_of: int | None = None,
    finalizing: bool = False,
) -> int:
    """Compute into the temporary tables; with ``corrections_of``, that rating's applied
    corrections replace the computed values (``finalizing``: its filed ones are applied first,
    each recording the value it replaces). Returns how many values were corrected."""
    queries = db.named_queries(INDICATORS)
    conn.execute(queries["create_calc_tables"])
    conn.execute(queries["compute_indicators"], params)
    corrected = 0
    if corrections_of is not None:
        fix = db.named_queries(CORRECTIONS)
        ids = {"rating_id": corrections_of, "now": dt.datetime.now(dt.UTC)}
        if finalizing:
            conn.execute(fix["record_replaced"], ids)
        institutions = [row[0] for row in conn.execute(fix["apply"], ids)]
        conn.execute(fix["reweigh"], {"institutions": institutions})
        corrected = len(institutions)
    conn.execute(queries["compute_results"], {**params, "previous_rating_id": previous_rating_id})
    return corrected


def _differences(conn: psycopg.Connection, rating_id: int) -> list[Difference]:
    rows = conn.execute(db.named_queries(STORE)["differences"], {"rating_id": rating_id})
    return [Difference(side, inst, indicator, row) for side, inst, indicator, row in rows]


def _write(
    conn: psycopg.Connection,
    rating_id: int,
    run_id: str | None,
    previous_rating_id: int | None,
    *,
    keep_run: bool = False,
) -> None:
    queries = db.named_queries(STORE)
    params = {
        "rating_id": rating_id,
        "run_id": run_id,
        "previous_rating_id": previous_rating_id,
        "keep_run": keep_run,
    }
    conn.execute(queries["delete_results"], params)
    conn.execute(queries["insert_results"], params)
    conn.execute(queries["insert_indicators"], params)
    conn.execute(queries["mark_computed"], params)


def _report(
    conn: psycopg.Connection,
    period: HalfYear,
    stored: dict[str, Any],
    action: str,
    differences: list[Difference],
) -> RatingReport:
    institutions, rated, held = conn.execute(
        db.named_queries(STORE)["summary"], {"rating_id": stored["id"]}
    ).fetchone()
    return RatingReport(
        period=period.label,
        rating_id=stored["id"],
        version=stored["version"],
        status=stored["status"],
        methodology_sha256=stored["methodology_sha256"],
        action=action,
        institutions=institutions,
        rated=rated,
        held_accountable=held,
        differences=differences,
    )


def _period_ratings(conn: psycopg.Connection, period: HalfYear) -> list[dict[str, Any]]:
    cursor = conn.execute(db.named_queries(STORE)["period_ratings"], {"period": period.label})
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _check_period(period: HalfYear) -> None:
    if not isinstance(period, HalfYear):
        raise PresswatchError(
            f"period must be a HalfYear (e.g. HalfYear.parse('2025-H1')), not {period!r}"
        )


def compute(
    conn: psycopg.Connection,
    settings: Settings | None,
    period: HalfYear,
    *,
    run_id: str | None = None,
    new_version: bool = False,
) -> RatingReport:
    """Compute ``period``'s rating with the methodology of ``settings`` (None: the project's),
    in one transaction (a savepoint inside the caller's, whose commit is the caller's)."""
    _check_period(period)
    settings = settings or settings_module.get()
    methodology = methodology_module.of_settings(settings)
    sha = methodology_module.sha256(methodology)
    params = _params(methodology, period)
    store = db.named_queries(STORE)
    with conn.transaction():
        conn.execute(store["lock_period"], params)
        existing = _period_ratings(conn, period)
        same = next((r for r in existing if r["methodology_sha256"] == sha), None)
        if same is None and existing and not new_version:
            published = existing[-1]
            raise PresswatchError(
                f"{period.label} has a published rating (version {published['version']},"
                f" {published['status']}, methodology {published['methodology_sha256'][:12]})"
                f" computed with other settings than the current ones (methodology {sha[:12]});"
                " it is kept unchanged. To publish a new version beside it, rerun with"
                " new_version=True (presswatch rating compute --new-version); to recompute it,"
                " restore the settings it was computed with"
            )
        if same is not None:
            previous_id = same["previous_rating_id"]
            if same["status"] == "provisional":
                # A provisional rating follows the newest rating of the previous half-year.
                previous_id = _newest(conn, period.previous)
            # A final rating is compared with its corrections applied (a provisional one has
            # none applied yet: they are applied when it becomes final).
            _calculate(conn, params, previous_id, corrections_of=same["id"])
            differences = _differences(conn, same["id"])
            if not differences:
                return _report(conn, period, same, "unchanged", [])
            if same["status"] == "final":
                return _report(conn, period, same, "final_kept", differences)
            _write(conn, same["id"], run_id, previous_id)
            return _report(conn, period, same, "updated", differences)
        previous_id = _newest(conn, period.previous)
        rating_id, version = conn.execute(
            store["insert_rating"],
            {
                **params,
                "methodology": Jsonb(methodology),
                "methodology_sha256": sha,
                "previous_rating_id": previous_id,
                "run_id": run_id,
            },
        ).fetchone()
        _calculate(conn, params, previous_id)
        _write(conn, rating_id, run_id, previous_id)
        created = {
            "id": rating_id,
            "version": version,
            "status": "provisional",
            "methodology_sha256": sha,
        }
        return _report(conn, period, created, "new_version" if existing else "created", [])


def _newest(conn: psycopg.Connection, period: HalfYear) -> int | None:
    row = conn.execute(
        db.named_queries(STORE)["newest_rating_of_period"], {"period": period.label}
    ).fetchone()
    return row[0] if row else None


def _stored(conn: psycopg.Connection, period: HalfYear, version: int | None) -> dict[str, Any]:
    existing = _period_ratings(conn, period)
    if not existing:
        raise PresswatchError(f"{period.label} has no rating")
    if version is None:
        return existing[-1]
    for rating in existing:
        if rating["version"] == version:
            return rating
    versions = ", ".join(str(r["version"]) for r in existing)
    raise PresswatchError(f"{period.label} has no rating version {version} (it has {versions})")


def reproduce(
    conn: psycopg.Connection, period: HalfYear, *, version: int | None = None
) -> ReproduceReport:
    """Recompute a stored rating (the period's newest unless ``version``) from the stored facts
    with its stored methodology, and return where it differs; nothing is written."""
    _check_period(period)
    with conn.transaction(force_rollback=True):
        stored = _stored(conn, period, version)
        methodology = stored["methodology"]
        if methodology.get("formula") != methodology_module.FORMULA:
            raise PresswatchError(
                f"{period.label} version {stored['version']} was computed by formula"
                f" {methodology.get('formula')}; this code computes formula"
                f" {methodology_module.FORMULA} and cannot reproduce it exactly"
            )
        _calculate(
            conn,
            _params(methodology, period),
            stored["previous_rating_id"],
            corrections_of=stored["id"],
        )
        differences = _differences(conn, stored["id"])
    return ReproduceReport(
        period=period.label,
        rating_id=stored["id"],
        version=stored["version"],
        methodology_sha256=stored["methodology_sha256"],
        differences=differences,
    )


@dataclass(frozen=True)
class FinalizeReport:
    period: str
    rating_id: int
    version: int
    corrections_applied: int
    differences: list[Difference]  # the final rows against the provisional ones

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "differences": len(self.differences)}


def finalize(
    conn: psycopg.Connection, period: HalfYear, *, version: int | None = None
) -> FinalizeReport:
    """Make a provisional rating final (never rewritten after): recompute it from the stored
    facts with its stored methodology, apply the corrections filed in its dispute window (each
    logged with the value it replaced), write it and mark it final. When (at the end of the
    dispute window, presswatch.rating.dispute) is the caller's decision."""
    _check_period(period)
    with conn.transaction():
        conn.execute(db.named_queries(STORE)["lock_period"], {"period": period.label})
        stored = _stored(conn, period, version)
        if stored["status"] == "final":
            raise PresswatchError(f"{period.label} version {stored['version']} is already final")
        corrected = _calculate(
            conn,
            _params(stored["methodology"], period),
            stored["previous_rating_id"],
            corrections_of=stored["id"],
            finalizing=True,
        )
        differences = _differences(conn, stored["id"])
        if differences:
            _write(conn, stored["id"], None, stored["previous_rating_id"], keep_run=True)
        conn.execute(db.named_queries(STORE)["finalize"], {"rating_id": stored["id"]})
    return FinalizeReport(period.label, stored["id"], stored["version"], corrected, differences)
