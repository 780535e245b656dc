"""Which institutions a story is about, and whether it is critical (R3), computed in SQL.

**Aliases** (``institution_alias``) are the names an institution is known by in stories: its
four registry names and its active accounts' handles (kept in step with the registry by
``refresh_aliases``: new ones added, a renamed institution's old name removed), the registry's
``aliases.csv`` (short names, other spellings) and an operator's (``add_alias``). An alias must
name one institution: one short word, a common word or a place name alone, or common words
only (``include/lexicon/generic_words.yaml``) are refused, with the reason.

**Matching** compares word keys (``presswatch_match_keys``, migration 0010): words lowercased,
without the apostrophes Uzbek is typed with (' ‘ ’ ` ʻ ʼ), Cyrillic read as Uzbek Latin, each
cut to 6 letters, so that Oʻzbekiston is O'zbekiston, vazirligiga is vazirligi, Адлия is
Adliya and Министерства юстиции is Министерство юстиции; Russian words are also compared by
their Snowball stem (суда, суд), and a phrase matches when either way does. This is stemming by
truncation plus Snowball for Russian: no inflected forms are stored. An alias matches where
all its keys stand next to each other in the story. It is found by its anchor, the pair of its
adjacent keys that fewest aliases share (a region's hundred "... tumani ... boʻlimi" are told
apart by the district and the department, not by "tumani"): only the story words equal to an
anchor's or a term's first key are joined, and most of their meetings are matches. A handle
is compared on whole words
(adliyauz, not every word starting with adliya). Where one institution's name lies inside a
longer name of another found at the same place, only the longer counts.

**Criticality**: the lexicon's terms (``include/lexicon/critical.yaml``) are found the same way
(and a term ending in * by the prefix of a whole word); the story's score is the sum of the
weights of the distinct terms found, outside the institutions' names; at least
``stories.critical_threshold`` is critical. The score, the terms (its reason) and the lexicon's
sha256 are stored with the story. An operator's decision (``presswatch.sla.decisions``) wins.

``match_and_score`` runs in the caller's transaction on the stories not yet matched
(``matched_at IS NULL``), or on given stories again. What it writes: the story's keys, score,
terms, ``is_critical`` and ``matched_at``; ``story_institution`` rows of method ``alias``
(rows the portal tagged, ``feed_tag``, or an operator made, ``manual``, are left alone; an alias
match no longer given is removed unless its SLA clock has opened). A rerun changes nothing.
The statements are in ``sql/queries/sla/matching.sql``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import psycopg

from presswatch import db, quarantine
from presswatch.errors import PresswatchError
from presswatch.settings import LANGUAGES, Settings
from presswatch.sla import lexicon as lexicon_module
from presswatch.text import normalize_text, normalize_uz_latin

QUERIES = "sla/matching"
OPERATOR_KINDS = ("extra", "short_name")
QUARANTINE_SOURCE = "aliases:registry"


@dataclass(frozen=True)
class MatchReport:
    stories: int  # stories matched and scored in this run
    with_institution: int  # of them, those with at least one institution (any method)
    critical: int  # of them, those critical now (score or decision)
    matches_added: int  # story_institution rows written (method alias)
    matches_changed: int  # alias rows whose alias changed (a longer one found)
    matches_removed: int  # alias rows no longer given, removed
    matches_kept: int  # alias rows no longer given, kept: their clock has opened
    stories_changed: int  # stories whose keys, score, terms, criticality or matched_at changed
    lexicon_sha256: str

    def as_dict(self) -> dict[str, int | str]:
        """Small enough for XCom: counts and the lexicon's sha256."""
        return asdict(self)

    def summary(self) -> str:
        return (
            f"matched {self.stories} stories ({self.with_institution} about an institution, "
            f"{self.critical} critical): {self.matches_added} matches added, "
            f"{self.matches_changed} changed, {self.matches_removed} removed"
            + (f", {self.matches_kept} kept (clock open)" if self.matches_kept else "")
        )


@dataclass(frozen=True)
class Alias:
    id: int
    kind: str
    origin: str
    language: str | None
    active: bool
    alias: str
    keys: list[str]  # what it is compared by: its match keys, or a handle's whole words


def _queries() -> dict[str, str]:
    return db.named_queries(QUERIES)


# --- the lexicon in the database --------------------------------------------------------


def _load_terms(conn: psycopg.Connection, lexicon: lexicon_module.Lexicon, q: dict) -> None:
    with conn.cursor().copy(
        "COPY match_term (term_id, term, language, category, weight, prefix, place) FROM STDIN"
    ) as copy:
        for term_id, term in enumerate(lexicon.terms, start=1):
            written = term.text + (lexicon_module.PREFIX_MARK if term.prefix else "")
            copy.write_row(
                (term_id, written, term.language, term.category, term.weight, term.prefix,
                 term.where)
            )  # fmt: skip
    conn.execute(q["term_keys"])
    conn.execute(q["analyze_terms"])
    bad = conn.execute(q["bad_terms"]).fetchall()
    if bad:
        place, term, problem = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise PresswatchError(f"{lexicon.path}: {place}: {term!r} {problem}{more}")


# --- matching and scoring ---------------------------------------------------------------


def match_and_score(
    conn: psycopg.Connection,
    settings: Settings,
    *,
    story_ids: Sequence[int] | None = None,
    codes: Sequence[str] | None = None,
    lexicon: lexicon_module.Lexicon | None = None,
) -> MatchReport:
    """Match and score the stories not matched yet, or ``story_ids`` again (unknown ids are an
    error). With ``codes``, only those institutions' matches are written or removed, and the
    stories keep ``matched_at`` NULL (a full run matches them later). In the caller's
    transaction; the lexicon is ``include/lexicon/critical.yaml`` unless one is given."""
    lexicon = lexicon or lexicon_module.load()
    q = _queries()
    conn.execute(q["lock"])
    # The word table of 10,000 stories is ~1 million rows: its joins and sorts run in memory
    # rather than on disk (local to this transaction).
    conn.execute("SET LOCAL work_mem = '128MB'")
    # The planner's costs of these joins are high enough to call for JIT compilation, which
    # costs more than it saves on statements of a second (up to 0.8 s on one, measured).
    conn.execute("SET LOCAL jit = off")
    # Its joins are on equal keys: the planner, misled by the skew of words (a few appear in
    # every story), picks merge joins that sort the word table several times (alias_hits:
    # 1.9 s with them, 1.1 s without, measured).
    conn.execute("SET LOCAL enable_mergejoin = off")
    conn.execute(q["temp_tables"])
    if story_ids is None:
        conn.execute(q["pick_unmatched"])
    else:
        ids = sorted({int(i) for i in story_ids})
        conn.execute(q["pick_given"], {"story_ids": ids})
        missing = [row[0] for row in conn.execute(q["missing_given"], {"story_ids": ids})]
        if missing:
            shown = ", ".join(str(i) for i in missing[:10])
            raise PresswatchError(f"no such story: {shown}" + (" ..." if len(missing) > 10 else ""))
    params = {
        "match_chars": settings.stories.match_chars,
        "codes": list(codes) if codes is not None else None,
        "threshold": settings.stories.critical_threshold,
        "lexicon_sha256": lexicon.sha256,
    }
    conn.execute(q["story_keys"], params)
    _load_terms(conn, lexicon, q)
    conn.execute(q["alias_anchors"])
    conn.execute(q["join_keys"])
    conn.execute(q["story_words"])
    conn.execute(q["analyze"])
    for name in (
        "alias_hits", "term_hits", "story_whole_words", "check_whole_words",
        "drop_names_inside_longer_names", "drop_terms_inside_names",
        "drop_terms_inside_longer_terms",
    ):  # fmt: skip
        conn.execute(q[name])
    written = conn.execute(q["write_matches"], params).fetchall()
    removed, kept = conn.execute(q["remove_stale_matches"], params).fetchone()
    changed_stories = conn.execute(q["score_and_finish"], params).rowcount
    stories, critical, with_institution = conn.execute(q["batch_summary"]).fetchone()
    return MatchReport(
        stories=stories,
        with_institution=with_institution,
        critical=critical,
        matches_added=sum(1 for (inserted,) in written if inserted),
        matches_changed=sum(1 for (inserted,) in written if not inserted),
        matches_removed=removed,
        matches_kept=kept,
        stories_changed=changed_stories,
        lexicon_sha256=lexicon.sha256,
    )


def story_ids_first_seen_since(conn: psycopg.Connection, since: dt.date, tz: str) -> list[int]:
    """The stories first seen on or after local midnight of ``since`` in ``tz``."""
    rows = conn.execute(_queries()["stories_first_seen_since"], {"since": since, "tz": tz})
    return [story_id for (story_id,) in rows]


def rematch_since(conn: psycopg.Connection, settings: Settings, since: dt.date) -> MatchReport:
    """Bring the registry's aliases up to date and match again every story first seen since
    ``since`` (local day): what an operator runs after adding aliases. Feed-tag and manual
    matches are untouched, rows are never duplicated, clocks that opened keep their match."""
    refresh_aliases(conn)
    ids = story_ids_first_seen_since(conn, since, settings.timezone)
    return match_and_score(conn, settings, story_ids=ids)


# --- aliases ----------------------------------------------------------------------------


def _alias_tables(conn: psycopg.Connection, q: dict) -> None:
    conn.execute(q["alias_temp_tables"])
    generic_words = list(lexicon_module.load_generic_words())
    conn.execute(q["generic_words"], {"generic_words": generic_words})


def _check(conn: psycopg.Connection, q: dict) -> list[str | None]:
    conn.execute(q["analyze_check"])
    conn.execute(q["check_aliases"])
    return [problem for _, problem in conn.execute(q["alias_checked"])]


def alias_problems(conn: psycopg.Connection, aliases: Sequence[str]) -> list[str | None]:
    """For each alias, why it cannot name one institution, or None when it can."""
    q = _queries()
    _alias_tables(conn, q)
    with conn.cursor().copy("COPY alias_check (ord, alias) FROM STDIN") as copy:
        for ord_, alias in enumerate(aliases, start=1):
            copy.write_row((ord_, alias))
    return _check(conn, q)


def refresh_aliases(conn: psycopg.Connection) -> dict[str, int]:
    """Keep the ``name`` and ``handle`` aliases in step with the registry, in the caller's
    transaction: add the new ones, update their language, delete those the registry no longer
    gives (a renamed institution's old name, a closed account's handle). A name or handle that
    cannot name one institution is not added; it goes to quarantine with the reason (once).
    Aliases from aliases.csv and operators are left alone. Returns the counts."""
    q = _queries()
    _alias_tables(conn, q)
    conn.execute(q["registry_wanted"])
    conn.execute(q["analyze_wanted"])
    conn.execute(q["check_new_wanted"])
    conn.execute(q["analyze_check"])
    conn.execute(q["check_aliases"])
    added = len(conn.execute(q["registry_insert"]).fetchall())
    updated = len(conn.execute(q["registry_update"]).fetchall())
    removed = len(conn.execute(q["registry_delete_stale"]).fetchall())
    refused = conn.execute(q["registry_refused"]).fetchall()
    quarantine.record(
        conn,
        [
            quarantine.QuarantineItem(
                source=QUARANTINE_SOURCE,
                reason=f"institution {code}: {kind} {alias!r} {problem}; not used for matching",
                raw_payload={
                    "institution_code": code,
                    "kind": kind,
                    "alias": alias,
                    "language": language,
                },
            )  # fmt: skip
            for code, kind, alias, language, problem in refused
        ],
    )
    return {"added": added, "updated": updated, "removed": removed, "refused": len(refused)}


def normalize_alias(alias: str, language: str | None) -> str:
    """An alias as stored: NFC and single spaces, Uzbek Latin apostrophes as the registry
    writes them (oʻ, gʻ, ʼ) unless the alias is Cyrillic, Russian or English."""
    if language in (None, "uz-Latn"):
        return normalize_uz_latin(alias)
    return normalize_text(alias)


def _institution_id(conn: psycopg.Connection, q: dict, code: str) -> int:
    row = conn.execute(q["institution_by_code"], {"code": code}).fetchone()
    if row is None:
        raise PresswatchError(f"institution {code!r} is not in the registry")
    return row[0]


def add_alias(
    conn: psycopg.Connection,
    institution_code: str,
    alias: str,
    *,
    kind: str = "extra",
    language: str | None = None,
) -> tuple[int, str]:
    """Add an operator's alias (kind ``extra`` or ``short_name``); return its id and what was
    done: ``added``, or ``switched on`` when the institution has the alias switched off (a
    registry name an operator removed, of whatever kind). Stories matched from now on use it;
    ``rematch_since`` applies it to earlier ones. In the caller's transaction."""
    if kind not in OPERATOR_KINDS:
        raise PresswatchError(f"alias kind {kind!r} is not one of {', '.join(OPERATOR_KINDS)}")
    if language is not None and language not in LANGUAGES:
        raise PresswatchError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    q = _queries()
    institution_id = _institution_id(conn, q, institution_code)
    text = normalize_alias(alias, language)
    switched_on = conn.execute(
        q["switch_on_by_text"], {"institution_id": institution_id, "alias": text}
    ).fetchall()
    if switched_on:
        return switched_on[0][0], "switched on"
    (problem,) = alias_problems(conn, [text])
    if problem:
        raise PresswatchError(f"alias {text!r} refused: it {problem}")
    row = conn.execute(
        q["operator_add"],
        {"institution_id": institution_id, "kind": kind, "language": language},
    ).fetchone()
    if row is None:
        existing = conn.execute(
            q["alias_by_text"], {"institution_id": institution_id, "kind": kind, "alias": text}
        ).fetchone()
        raise PresswatchError(
            f"{institution_code} already has the {kind} alias {text!r} (id {existing[0]})"
        )
    return row[0], "added"


def list_aliases(conn: psycopg.Connection, institution_code: str) -> list[Alias]:
    """The institution's aliases, names first, switched-off ones included."""
    q = _queries()
    institution_id = _institution_id(conn, q, institution_code)
    return [
        Alias(*row) for row in conn.execute(q["list_aliases"], {"institution_id": institution_id})
    ]


def remove_alias(conn: psycopg.Connection, alias_id: int) -> str:
    """Remove an alias: an operator's is deleted; one from the registry is switched off (the
    registry would give it back) and stays off. Matches it made stay until stories are matched
    again. Returns what was done, in words."""
    q = _queries()
    row = conn.execute(q["alias_by_id"], {"alias_id": alias_id}).fetchone()
    if row is None:
        raise PresswatchError(f"no alias with id {alias_id}")
    _, origin, kind, alias, active, code = row
    if origin == "operator":
        conn.execute(q["delete_alias"], {"alias_id": alias_id})
        return f"deleted {code}'s {kind} alias {alias!r}"
    if not active:
        return f"{code}'s {kind} alias {alias!r} (from the registry) is already switched off"
    conn.execute(q["deactivate_alias"], {"alias_id": alias_id})
    return (
        f"switched off {code}'s {kind} alias {alias!r}; it comes from the registry and stays "
        "off until it is added again (presswatch aliases add switches it on)"
    )
