"""Registry import: a folder of CSV files describing institutions, officials and their accounts.

Every row is validated (required fields, known values, e-mail syntax, references to other rows
or to the database, duplicates) and its text normalised (NFC; Uzbek oʻ/gʻ with U+02BB). Good
rows are upserted in one transaction; each bad row goes to ``quarantine`` with a reason naming
the file, the line and the field. Importing the same folder twice changes nothing.

Two files feed the critical-story pipeline (R3): ``feeds.csv``, the news sites' RSS/Atom feeds
(``story_feed`` rows of kind ``rss``), and ``aliases.csv``, other names institutions are known
by in stories (``institution_alias``: short names and other spellings; an alias that would
name no one institution is quarantined). An alias is switched off with ``presswatch aliases
remove``.

**What a folder no longer lists is deactivated**: for each file present, the rows whose key
appears on no line of the file (a quarantined line still counts as listing its key) get
``active`` false (institutions, officials, accounts, feeds: a later folder that lists them
again reactivates them) or are removed (Wikipedia titles, apps, media pool, council: tables
with no ``active`` column); the history below keeps both valid before the import's day. A file
left out of the folder is not managed by it: nothing of its table changes. An import that
would deactivate more than ``registry.max_deactivation_share`` of a table's rows is refused
(nothing written) unless ``allow_mass_deactivation`` is given; a dry run reports it.

**Facts as of a day**: every change is recorded in the registry's history (migration
``0014.registry_history``) as valid from the import's effective day ``as_of`` (default: today
in the settings' time zone), so compliance and the rating of a past day read the registry as
it was then (``social_account_on(day)`` and its siblings).

The file formats are documented column by column in README.md ("The registry").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from email_validator import EmailNotValidError, validate_email

from presswatch import db, quarantine
from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.settings import LANGUAGES, PLATFORMS
from presswatch.text import normalize_text, normalize_uz_latin

KINDS = (
    "ministry", "committee", "agency", "inspectorate", "regional_administration",
    "city_administration", "district_administration", "other",
)  # fmt: skip
ROLES = ("head", "deputy", "press_secretary")
POOL_TYPES = ("journalist", "blogger")
COUNCIL_TYPES = ("journalist", "blogger", "expert", "civil_society", "official", "other")
ALIAS_KINDS = ("short_name", "extra")  # names and handles come from the registry's own rows
CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
HANDLE = re.compile(r"^[A-Za-z0-9_.]{1,100}$")
# A profile URL is accepted in place of a handle; its last path segment is the handle.
PROFILE_URL = re.compile(
    r"^https?://(?:www\.|m\.)?(?:facebook\.com|fb\.com|x\.com|twitter\.com|instagram\.com|t\.me)"
    r"/(?:s/)?([^/?#]+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)


class RowError(ValueError):
    """A bad value in one field of one row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


# --- field parsers: each returns the clean value or raises ValueError with a short reason ---


def _required(value: str) -> str:
    if not value:
        raise ValueError("is required")
    return value


def _one_of(choices: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(choices)

    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return parse


def _code(value: str) -> str:
    if not CODE.match(value):
        raise ValueError(f"{value!r} is not a code (lowercase letters, digits, _ . -)")
    return value


def _boolean(value: str, default: bool = True) -> bool:
    if value == "":
        return default
    lowered = value.lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def _optional_boolean(value: str) -> bool | None:
    return None if value == "" else _boolean(value)


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _email(value: str) -> str:
    try:
        return validate_email(_required(value), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an e-mail address ({exc})") from None


def _handle(value: str) -> str:
    match = PROFILE_URL.match(value)
    handle = match.group(1) if match else value.lstrip("@")
    if not HANDLE.match(handle):
        raise ValueError(f"{value!r} is not a handle (letters, digits, _ and .)")
    return handle


def _external_id(value: str) -> str | None:
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(f"{value!r} is not a platform id (digits)")
    return value


def _https_url(value: str) -> str:
    if not re.match(r"^https://[^\s/]+\.[^\s]+$", value):
        raise ValueError(f"{value!r} is not an https:// address")
    return value


def _feed_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", value):
        raise ValueError(f"{value!r} is not an http:// or https:// address")
    return value


def _optional_language(value: str) -> str | None:
    return _one_of(LANGUAGES)(value) if value else None


def _website(value: str) -> str | None:
    if not value:
        return None
    if not re.match(r"^(https?://)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$", value):
        raise ValueError(f"{value!r} is not a web address")
    return value


def _uz_text(value: str) -> str:
    return normalize_uz_latin(_required(value))


def _text(value: str) -> str:
    return normalize_text(_required(value))


def _optional_text(value: str) -> str | None:
    return normalize_text(value) or None


# --- file specifications --------------------------------------------------------------------


@dataclass(frozen=True)
class FileSpec:
    name: str
    parsers: dict[str, Callable[[str], Any]]  # column -> parser, in the file's column order
    # Columns a file may leave out of its header: their cells read as empty.
    optional: frozenset[str] = frozenset()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.parsers)


FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec("institutions.csv", {
            "code": lambda v: _code(_required(v)),
            "kind": lambda v: _one_of(KINDS)(_required(v)),
            "parent_code": lambda v: _code(v) if v else None,
            "region_code": _required,  # checked against the region table
            "name_uz_latn": _uz_text,
            "name_uz_cyrl": _text,
            "name_ru": _text,
            "name_en": _text,
            "website": _website,
            "preferred_language": lambda v: _one_of(LANGUAGES)(v or "uz-Latn"),
            "active": _boolean,
        }),
        FileSpec("officials.csv", {
            "code": lambda v: _code(_required(v)),
            "institution_code": lambda v: _code(_required(v)),
            "role": lambda v: _one_of(ROLES)(_required(v)),
            "full_name": _uz_text,
            "position_title": _text,
            "email": _email,
            "active": _boolean,
        }),
        FileSpec("accounts.csv", {
            "institution_code": lambda v: _code(_required(v)),
            "official_code": lambda v: _code(v) if v else None,
            "platform": lambda v: _one_of(PLATFORMS)(_required(v).lower()),
            "handle": lambda v: _handle(_required(v)),
            "external_id": _external_id,
            "active": _boolean,
            # The agency's own check, for platforms whose API does not say (Instagram).
            "verified": _optional_boolean,
        }, optional=frozenset({"verified"})),
        FileSpec("wikipedia.csv", {
            "institution_code": lambda v: _code(_required(v)),
            "lang": lambda v: _one_of(("uz", "ru", "en"))(_required(v)),
            "title": _text,
        }),
        FileSpec("apps.csv", {
            "institution_code": lambda v: _code(_required(v)),
            "os": lambda v: _one_of(("android", "ios"))(_required(v).lower()),
            "store_url": lambda v: _https_url(_required(v)),
            "open_data_integrated": lambda v: _boolean(v, default=False),
        }),
        FileSpec("media_pool.csv", {
            "institution_code": lambda v: _code(_required(v)),
            "full_name": _uz_text,
            "member_type": lambda v: _one_of(POOL_TYPES)(_required(v)),
            "outlet": _optional_text,
            "joined_on": lambda v: _date(_required(v)),
            "left_on": _date,
        }),
        FileSpec("council.csv", {
            "institution_code": lambda v: _code(_required(v)),
            "full_name": _uz_text,
            "member_type": lambda v: _one_of(COUNCIL_TYPES)(_required(v)),
            "joined_on": lambda v: _date(_required(v)),
            "left_on": _date,
        }),
        # R3: the news sites' RSS/Atom feeds the hourly run reads.
        FileSpec("feeds.csv", {
            "code": lambda v: _code(_required(v)),
            "name": _text,
            "url": lambda v: _feed_url(_required(v)),
            "language": _optional_language,
            "active": _boolean,
        }),
        # R3: other names an institution is known by in stories (normalised in aliases()).
        FileSpec("aliases.csv", {
            "institution_code": lambda v: _code(_required(v)),
            "alias": _text,
            "kind": lambda v: _one_of(ALIAS_KINDS)(_required(v)),
            "language": _optional_language,
        }),
    )
}  # fmt: skip


# --- reading and validating ---------------------------------------------------------------


@dataclass
class Row:
    file: str
    line: int
    raw: dict[str, str]
    values: dict[str, Any]


@dataclass
class ImportReport:
    folder: str
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    deactivated: int = 0
    newly_quarantined: int = 0
    as_of: dt.date | None = None  # the day the import's changes are valid from
    per_file: dict[str, Counter] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    # Per file, the keys (code, platform:handle, or fields joined by ' / ') of the rows the
    # folder no longer lists.
    deactivated_keys: dict[str, list[str]] = field(default_factory=dict)
    # A dry run that a real import would refuse (too many deactivations) says why here.
    refusals: list[str] = field(default_factory=list)

    def count(self, file: str, outcome: str, n: int = 1) -> None:
        self.per_file.setdefault(file, Counter())[outcome] += n
        setattr(self, outcome, getattr(self, outcome) + n)

    def summary(self) -> str:
        lines = [
            f"registry {self.folder}: loaded {self.loaded}, updated {self.updated}, "
            f"unchanged {self.unchanged}, quarantined {self.quarantined}"
            + (f", deactivated {self.deactivated}" if self.deactivated else "")
            + (
                f" ({self.quarantined - self.newly_quarantined} already in quarantine)"
                if self.quarantined != self.newly_quarantined
                else ""
            )
        ]
        for name, counts in self.per_file.items():
            if not sum(counts.values()):
                continue  # the file is absent, or has only its header and deactivates nothing
            parts = ", ".join(
                f"{k} {counts[k]}"
                for k in ("loaded", "updated", "unchanged", "quarantined")
                if counts[k]
            )
            keys = self.deactivated_keys.get(name, [])
            if keys:
                shown = ", ".join(keys[:SHOWN_KEYS])
                more = f" and {len(keys) - SHOWN_KEYS} more" if len(keys) > SHOWN_KEYS else ""
                parts = ", ".join(filter(None, (parts, f"deactivated {len(keys)} ({shown}{more})")))
            lines.append(f"  {name}: {parts}")
        lines.extend(f"  refused: {refusal}" for refusal in self.refusals)
        return "\n".join(lines)


SHOWN_KEYS = 10  # deactivated keys named per file in the summary


def _listed_key(spec: FileSpec, columns: tuple[str, ...]) -> Callable[[dict[str, str]], str]:
    """The key a line of ``spec`` names, valid or not: each column as its parser reads it (so
    the key matches the stored row's), or as written when it does not parse (a quarantined
    line names no stored row, but its key still counts as listed). Fields joined by U+001F."""

    def key(raw: dict[str, str]) -> str:
        fields = []
        for column in columns:
            value = raw.get(column, "")
            try:
                value = spec.parsers[column](value)
            except ValueError:
                pass
            fields.append(str(value))
        return "\x1f".join(fields)

    return key


def _listed_account_key(raw: dict[str, str]) -> str:
    """The key an accounts.csv line names (platform:handle, lowercased), valid or not."""
    spec = FILES["accounts.csv"]
    platform, handle = _listed_key(spec, ("platform", "handle"))(raw).split("\x1f")
    return f"{platform.lower()}:{handle.lower()}"


# Per file: the key its lines name and the statement that deactivates (or, for the tables
# without an ``active`` column, removes) the rows the file no longer lists.
_LISTED: dict[str, tuple[Callable[[dict[str, str]], str], str, str]] = {
    "institutions.csv": (
        _listed_key(FILES["institutions.csv"], ("code",)),
        "institution",
        "deactivate",
    ),
    "officials.csv": (_listed_key(FILES["officials.csv"], ("code",)), "official", "deactivate"),
    "accounts.csv": (_listed_account_key, "account", "deactivate"),
    "wikipedia.csv": (
        _listed_key(FILES["wikipedia.csv"], ("institution_code", "lang")),
        "facts",
        "wikipedia_remove",
    ),
    "apps.csv": (_listed_key(FILES["apps.csv"], ("institution_code", "os")), "facts", "app_remove"),
    "media_pool.csv": (
        _listed_key(FILES["media_pool.csv"], ("institution_code", "full_name", "member_type")),
        "facts",
        "media_pool_remove",
    ),
    "council.csv": (
        _listed_key(FILES["council.csv"], ("institution_code", "full_name")),
        "facts",
        "council_remove",
    ),
    "feeds.csv": (_listed_key(FILES["feeds.csv"], ("code",)), "feeds", "deactivate"),
}


class _Importer:
    def __init__(
        self,
        conn: psycopg.Connection,
        folder: Path,
        as_of: dt.date,
        max_deactivation_share: float,
        allow_mass_deactivation: bool,
        dry_run: bool,
    ) -> None:
        self.conn = conn
        self.folder = folder
        self.as_of = as_of
        self.max_deactivation_share = max_deactivation_share
        self.allow_mass_deactivation = allow_mass_deactivation
        self.dry_run = dry_run
        self.report = ImportReport(folder=str(folder), as_of=as_of)
        self.rejected: list[quarantine.QuarantineItem] = []
        # Per file present, the key of every data line (good or quarantined).
        self.listed: dict[str, set[str]] = {}

    # Reading --------------------------------------------------------------------------------

    def read(self, spec: FileSpec) -> list[Row]:
        path = self.folder / spec.name
        if not path.exists():
            return []
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PresswatchError(f"{path}: not UTF-8 text ({exc})") from None
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in spec.columns if c not in header and c not in spec.optional]
        unknown = [c for c in header if c not in spec.columns]
        if missing or unknown:
            problems = []
            if missing:
                problems.append(f"missing column(s) {', '.join(missing)}")
            if unknown:
                problems.append(f"unknown column(s) {', '.join(unknown)}")
            raise PresswatchError(
                f"{path}: {'; '.join(problems)} (expected: {','.join(spec.columns)})"
            )
        rows: list[Row] = []
        listed = self.listed.setdefault(spec.name, set())
        listed_key = _LISTED[spec.name][0] if spec.name in _LISTED else None
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            raw = {
                name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
            }
            if listed_key is not None:
                listed.add(listed_key(raw))
            if len(cells) != len(header):
                self.reject(
                    Row(spec.name, start, raw, {}),
                    None,
                    f"has {len(cells)} fields, the header has {len(header)}",
                )
                continue
            row = Row(spec.name, start, raw, {})
            try:
                for column, parse in spec.parsers.items():
                    try:
                        row.values[column] = parse(raw.get(column, ""))
                    except RowError:
                        raise
                    except ValueError as exc:
                        raise RowError(column, str(exc)) from None
            except RowError as exc:
                self.reject(row, exc.column, str(exc))
                continue
            rows.append(row)
        return rows

    def reject(self, row: Row, column: str | None, message: str) -> None:
        where = f"{row.file} line {row.line}" + (f", field {column}" if column else "")
        reason = f"{where}: {message}"
        self.report.reasons.append(reason)
        self.report.count(row.file, "quarantined")
        payload = {"file": row.file, "line": row.line, "row": row.raw}
        self.rejected.append(
            quarantine.QuarantineItem(
                source=f"registry:{self.folder.name}/{row.file}", reason=reason, raw_payload=payload
            )
        )

    def unique(
        self, rows: list[Row], key: Callable[[Row], Any], column: str, what: str
    ) -> list[Row]:
        """Keep the first row per key; quarantine later duplicates, naming the first line."""
        first_line: dict[Any, int] = {}
        kept = []
        for row in rows:
            k = key(row)
            if k in first_line:
                self.reject(row, column, f"duplicate {what} (first on line {first_line[k]})")
                continue
            first_line[k] = row.line
            kept.append(row)
        return kept

    # Validation across rows and against the database -------------------------------------

    def institutions(self, rows: list[Row]) -> list[Row]:
        rows = self.unique(rows, lambda r: r.values["code"], "code", "code")
        regions = {code for (code,) in self.conn.execute("SELECT code FROM region")}
        in_db = {code: parent for code, parent in self.named("institution")["existing"]}
        valid = []
        for row in rows:
            if row.values["region_code"] not in regions:
                self.reject(row, "region_code", f"unknown region {row.values['region_code']!r}")
            elif row.values["parent_code"] == row.values["code"]:
                self.reject(row, "parent_code", "an institution cannot be its own parent")
            else:
                valid.append(row)
        # Parents must exist (in this file or the database) and must not form a cycle.
        while True:
            by_code = {r.values["code"]: r for r in valid}
            parent_of = {**in_db, **{c: r.values["parent_code"] for c, r in by_code.items()}}
            bad = []
            for code, row in by_code.items():
                parent = row.values["parent_code"]
                if parent and parent not in by_code and parent not in in_db:
                    bad.append((row, f"parent {parent!r} is not in the registry"))
                    continue
                seen, node = {code}, parent
                while node:
                    if node in seen:
                        bad.append((row, f"parent {parent!r} makes a cycle"))
                        break
                    seen.add(node)
                    node = parent_of.get(node)
            if not bad:
                return valid
            for row, message in bad:
                self.reject(row, "parent_code", message)
            rejected = {id(row) for row, _ in bad}
            valid = [r for r in valid if id(r) not in rejected]

    def officials(self, rows: list[Row], institutions: set[str]) -> list[Row]:
        rows = self.unique(rows, lambda r: r.values["code"], "code", "code")
        rows = self._known_institution(rows, institutions)
        # At most one active head per institution, counting heads already in the database.
        in_file = {r.values["code"] for r in rows}
        listed = self.listed.get("officials.csv", set())
        heads: dict[str, list[str]] = {}
        for code, institution, role, active in self.named("official")["existing"]:
            # A head the file no longer lists is deactivated before the file's rows are written.
            if code not in in_file and code in listed and role == "head" and active:
                heads.setdefault(institution, []).append(code)
        valid = []
        for row in rows:
            v = row.values
            if v["role"] == "head" and v["active"]:
                others = heads.setdefault(v["institution_code"], [])
                if others:
                    self.reject(
                        row,
                        "role",
                        f"institution {v['institution_code']!r} already has an active head "
                        f"({others[0]}); mark that one inactive or change its role first",
                    )
                    continue
                others.append(v["code"])
            valid.append(row)
        return valid

    def accounts(
        self, rows: list[Row], institutions: set[str], official_institution: dict[str, str]
    ) -> list[Row]:
        rows = self.unique(
            rows, lambda r: (r.values["platform"], r.values["handle"].lower()), "handle", "handle"
        )
        rows = self.unique(
            [r for r in rows if r.values["external_id"]],
            lambda r: (r.values["platform"], r.values["external_id"]),
            "external_id",
            "external_id",
        ) + [r for r in rows if not r.values["external_id"]]
        rows.sort(key=lambda r: r.line)
        rows = self._known_institution(rows, institutions)
        owner_of_id = {
            (platform, external_id): handle
            for platform, external_id, handle in self.named("account")["existing_external_ids"]
        }
        valid = []
        for row in rows:
            v = row.values
            official = v["official_code"]
            if official is not None and official not in official_institution:
                self.reject(row, "official_code", f"official {official!r} is not in the registry")
            elif official is not None and official_institution[official] != v["institution_code"]:
                self.reject(
                    row,
                    "official_code",
                    f"official {official!r} belongs to {official_institution[official]!r}, "
                    f"not {v['institution_code']!r}",
                )
            elif (
                v["external_id"]
                and owner_of_id.get((v["platform"], v["external_id"]), v["handle"].lower())
                != v["handle"].lower()
            ):
                owner = owner_of_id[(v["platform"], v["external_id"])]
                self.reject(
                    row, "external_id", f"{v['external_id']} already belongs to handle {owner!r}"
                )
            else:
                valid.append(row)
        return valid

    def facts(self, spec: FileSpec, rows: list[Row], institutions: set[str]) -> list[Row]:
        keys = {
            "wikipedia.csv": ("lang", lambda r: (r.values["institution_code"], r.values["lang"])),
            "apps.csv": ("os", lambda r: (r.values["institution_code"], r.values["os"])),
            "media_pool.csv": (
                "full_name",
                lambda r: (
                    r.values["institution_code"],
                    r.values["full_name"],
                    r.values["member_type"],
                ),
            ),
            "council.csv": (
                "full_name",
                lambda r: (r.values["institution_code"], r.values["full_name"]),
            ),
        }
        column, key = keys[spec.name]
        rows = self.unique(rows, key, column, column.replace("_", " "))
        valid = []
        for row in self._known_institution(rows, institutions):
            left, joined = row.values.get("left_on"), row.values.get("joined_on")
            if left and joined and left < joined:
                self.reject(row, "left_on", f"{left} is before joined_on {joined}")
            else:
                valid.append(row)
        return valid

    def feeds(self, rows: list[Row]) -> list[Row]:
        rows = self.unique(rows, lambda r: r.values["code"], "code", "code")
        rows = self.unique(rows, lambda r: r.values["url"], "url", "url")
        portal = {code for (code,) in self.named("feeds")["existing_portal_codes"]}
        valid = []
        for row in rows:
            if row.values["code"] in portal:
                self.reject(
                    row, "code", f"{row.values['code']!r} is the monitoring portal's feed code"
                )
            else:
                valid.append(row)
        return valid

    def aliases(self, rows: list[Row], institutions: set[str]) -> list[Row]:
        from presswatch.sla import matching

        for row in rows:
            row.values["alias"] = matching.normalize_alias(
                row.values["alias"], row.values["language"]
            )
        rows = self.unique(
            rows,
            lambda r: (r.values["institution_code"], r.values["kind"], r.values["alias"]),
            "alias",
            "alias",
        )
        rows = self._known_institution(rows, institutions)
        if not rows:
            return []
        problems = matching.alias_problems(self.conn, [r.values["alias"] for r in rows])
        valid = []
        for row, problem in zip(rows, problems, strict=True):
            if problem:
                self.reject(row, "alias", f"{row.values['alias']!r} {problem}")
            else:
                valid.append(row)
        return valid

    def _known_institution(self, rows: list[Row], institutions: set[str]) -> list[Row]:
        valid = []
        for row in rows:
            code = row.values["institution_code"]
            if code in institutions:
                valid.append(row)
            else:
                self.reject(row, "institution_code", f"institution {code!r} is not in the registry")
        return valid

    # Writing ------------------------------------------------------------------------------

    def named(self, name: str) -> dict[str, Any]:
        """Run-ready statements of sql/queries/registry/<name>.sql, or rows for 'existing*'."""
        queries = db.named_queries(f"registry/{name}")
        return {
            key: (self.conn.execute(text).fetchall() if key.startswith("existing") else text)
            for key, text in queries.items()
        }

    def stage(self, table: str, spec: FileSpec, rows: list[Row], columns: Iterable[str]) -> None:
        cols = list(columns)
        with self.conn.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.values[c] for c in cols])

    def apply(self, file: str, update_sql: str, insert_sql: str, staged: int) -> tuple[set, set]:
        # Each statement returns the natural key of every row it changed.
        updated = set(self.conn.execute(update_sql).fetchall())
        inserted = set(self.conn.execute(insert_sql).fetchall())
        self.report.count(file, "updated", len(updated))
        self.report.count(file, "loaded", len(inserted))
        self.report.count(file, "unchanged", staged - len(updated) - len(inserted))
        return updated, inserted

    def deactivate(self, file: str) -> None:
        """Deactivate (or remove) the rows ``file`` no longer lists, if the file is present;
        more than the allowed share of the table's rows is refused, the import rolled back."""
        if file not in self.listed:
            return  # not in the folder: not managed by it
        _, queries, statement = _LISTED[file]
        before, keys = self.conn.execute(
            db.named_queries(f"registry/{queries}")[statement],
            {"listed": sorted(self.listed[file])},
        ).fetchone()
        if not keys:
            return
        keys = [k.replace("\x1f", " / ") for k in keys]
        share = len(keys) / before
        if share > self.max_deactivation_share and not self.allow_mass_deactivation:
            refusal = (
                f"{file}: the import would {'deactivate' if statement == 'deactivate' else 'remove'} "
                f"{len(keys)} of {before} {'active ' if statement == 'deactivate' else ''}rows "
                f"({share:.0%}), more than registry.max_deactivation_share "
                f"({self.max_deactivation_share:.0%}); nothing was written. If the folder is "
                "right, import it with allow_mass_deactivation (presswatch registry import "
                "--allow-mass-deactivation)"
            )
            if not self.dry_run:
                raise PresswatchError(refusal)
            self.report.refusals.append(refusal)
        self.report.count(file, "deactivated", len(keys))
        self.report.deactivated_keys[file] = keys

    def run(self) -> ImportReport:
        if not self.folder.is_dir():
            raise PresswatchError(f"registry folder not found: {self.folder}")
        if not (self.folder / "institutions.csv").exists():
            raise PresswatchError(f"{self.folder}: institutions.csv is missing")
        unknown = sorted(p.name for p in self.folder.glob("*.csv") if p.name not in FILES)
        if unknown:
            raise PresswatchError(
                f"{self.folder}: unknown registry file(s) {', '.join(unknown)} "
                f"(expected: {', '.join(FILES)})"
            )
        # One importer at a time; everything below is one transaction.
        self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('presswatch.registry_import'))")
        # The day every change below is valid from in the registry's history (0014).
        self.conn.execute(
            "SELECT set_config('presswatch.as_of', %s, true)", [self.as_of.isoformat()]
        )

        inst_q = self.named("institution")
        institutions = self.institutions(self.read(FILES["institutions.csv"]))
        self.conn.execute(inst_q["stage"])
        self.stage("stage_institution", FILES["institutions.csv"], institutions,
                   FILES["institutions.csv"].columns)  # fmt: skip
        self.deactivate("institutions.csv")
        updated = {r[0] for r in self.conn.execute(inst_q["update"]).fetchall()}
        inserted = {r[0] for r in self.conn.execute(inst_q["insert"]).fetchall()}
        reparented = {r[0] for r in self.conn.execute(inst_q["set_parents"]).fetchall()}
        updated = (updated | reparented) - inserted
        self.report.count("institutions.csv", "loaded", len(inserted))
        self.report.count("institutions.csv", "updated", len(updated))
        self.report.count(
            "institutions.csv", "unchanged", len(institutions) - len(inserted) - len(updated)
        )
        known_institutions = {code for code, _ in inst_q["existing"]} | {
            r.values["code"] for r in institutions
        }

        off_q = self.named("official")
        officials = self.officials(self.read(FILES["officials.csv"]), known_institutions)
        self.conn.execute(off_q["stage"])
        self.stage(
            "stage_official", FILES["officials.csv"], officials, FILES["officials.csv"].columns
        )
        # Before the file's rows: a head no longer listed leaves the head's place to the new one.
        self.deactivate("officials.csv")
        self.apply("officials.csv", off_q["update"], off_q["insert"], len(officials))
        official_institution = {code: inst for code, inst, _, _ in off_q["existing"]}
        official_institution.update(
            {r.values["code"]: r.values["institution_code"] for r in officials}
        )

        acc_q = self.named("account")
        accounts = self.accounts(
            self.read(FILES["accounts.csv"]), known_institutions, official_institution
        )
        self.conn.execute(acc_q["stage"])
        self.stage("stage_account", FILES["accounts.csv"], accounts, FILES["accounts.csv"].columns)
        self.deactivate("accounts.csv")
        self.apply("accounts.csv", acc_q["update"], acc_q["insert"], len(accounts))

        facts_q = self.named("facts")
        self.conn.execute(facts_q["stage"])
        for file, table, prefix in (
            ("wikipedia.csv", "stage_wikipedia", "wikipedia"),
            ("apps.csv", "stage_app", "app"),
            ("media_pool.csv", "stage_media_pool", "media_pool"),
            ("council.csv", "stage_council", "council"),
        ):
            spec = FILES[file]
            rows = self.facts(spec, self.read(spec), known_institutions)
            self.stage(table, spec, rows, spec.columns)
            self.deactivate(file)
            self.apply(file, facts_q[f"{prefix}_update"], facts_q[f"{prefix}_insert"], len(rows))

        feeds_q = self.named("feeds")
        feeds = self.feeds(self.read(FILES["feeds.csv"]))
        self.conn.execute(feeds_q["stage"])
        self.stage("stage_feed", FILES["feeds.csv"], feeds, FILES["feeds.csv"].columns)
        self.deactivate("feeds.csv")
        self.apply("feeds.csv", feeds_q["update"], feeds_q["insert"], len(feeds))

        aliases_q = self.named("aliases")
        aliases = self.aliases(self.read(FILES["aliases.csv"]), known_institutions)
        self.conn.execute(aliases_q["stage"])
        self.stage("stage_alias", FILES["aliases.csv"], aliases, FILES["aliases.csv"].columns)
        self.apply("aliases.csv", aliases_q["update"], aliases_q["insert"], len(aliases))

        self.report.newly_quarantined = quarantine.record(self.conn, self.rejected)
        return self.report


class _DryRun(Exception):
    """Raised inside the import transaction to roll it back."""


def import_folder(
    conn: psycopg.Connection,
    folder: Path,
    dry_run: bool = False,
    *,
    as_of: dt.date | None = None,
    allow_mass_deactivation: bool = False,
) -> ImportReport:
    """Validate and upsert the registry in ``folder`` in one transaction and commit it (or,
    with ``dry_run``, roll it back); return what happened.

    What the folder's files no longer list is deactivated (see the module's docs). ``as_of``
    is the day the changes are valid from in the registry's history (default: today in the
    settings' time zone). More deactivations than ``registry.max_deactivation_share`` of a
    table's active rows raise PresswatchError, nothing written, unless
    ``allow_mass_deactivation``; a dry run reports them in ``refusals`` instead."""
    settings = settings_module.get()
    if as_of is None:
        as_of = dt.datetime.now(settings.tz).date()
    importer = _Importer(
        conn,
        Path(folder),
        as_of=as_of,
        max_deactivation_share=settings.registry.max_deactivation_share,
        allow_mass_deactivation=allow_mass_deactivation,
        dry_run=dry_run,
    )
    try:
        with conn.transaction():
            report = importer.run()
            if dry_run:
                raise _DryRun
    except _DryRun:
        return report
    except psycopg.Error as exc:
        raise PresswatchError(
            f"registry import from {folder} failed, nothing was written: {exc}"
        ) from exc
    conn.commit()
    return report
