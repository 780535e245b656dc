"""The daily fetch behind R1, R2 and R7: posts and account facts from the platforms, and the
Wikipedia check. Called by the ``social_activity_daily`` DAG, one task per batch of accounts.

**Which posts are fetched.** The day ``D`` (a local calendar day, the run's data interval)
needs each account's posts in ``[D - window + 1 00:00, D + 1 00:00)`` local time, the rolling
window R2's daily check counts (it contains the ISO week that ends on a Sunday ``D``). Each
account remembers the period its stored posts are complete for (``covered_from``,
``covered_until``); only the parts of the needed period outside it are asked for. A rerun, or
a backfill of days already fetched, sends no request for posts and writes no account row
(``last_fetch_at`` is when the platform was last asked); a backfill of days before the first
fetch widens the period backwards. Every window ends at ``D + 1 00:00``, never "now", so a
live run and a backfill of the same day read the same posts.

**Facts** (verified flag, followers, platform id) have no history on the platforms: they are
read by every run except backfills, which read them only for accounts never read before.
Telegram's verified badge is read from the channel's ``t.me/s/`` page; Instagram's business
discovery does not say, so compliance falls back on the registry's ``verified`` column
(``social_account.verified_by_registry``).

**Failures.** An account that cannot be read (deleted page, unknown channel) is recorded in
``social_account.last_fetch_error`` and the others go on; its covered period does not grow, so
the next run asks again. A platform that stays unavailable after the connector's retries
raises ``PlatformUnavailable`` after what was fetched before it is saved: the task fails (and is
retried by Airflow) and the day's compliance waits for it. Malformed items go to quarantine.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import psycopg

from presswatch import db, quarantine
from presswatch import settings as settings_module
from presswatch.activity import ingest
from presswatch.connectors.base import (
    AccountError,
    AccountFacts,
    FetchResult,
    PlatformUnavailable,
    PostRecord,
)
from presswatch.errors import PresswatchError
from presswatch.quarantine import QuarantineItem
from presswatch.settings import Settings

log = logging.getLogger(__name__)

PLATFORMS: tuple[str, ...] = ("facebook", "x", "instagram", "telegram")
DEFAULT_BATCH_SIZE = 500
FETCH_CONCURRENCY = 4  # accounts read at once in a batch (the HTTP pool keeps 4 connections)
QUERIES = "activity/fetch"


class Connector(Protocol):
    def facts(self, account: str) -> AccountFacts: ...

    def posts(
        self, account: str, since: dt.datetime, until: dt.datetime, **kwargs: Any
    ) -> FetchResult: ...

    def close(self) -> None: ...


# --- the day and its windows -------------------------------------------------------------------


def local_midnight(day: dt.date, settings: Settings) -> dt.datetime:
    """``day`` 00:00 in the settings' time zone, as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(), settings.tz).astimezone(dt.UTC)


def needed_period(day: dt.date, settings: Settings) -> tuple[dt.datetime, dt.datetime]:
    """The posts day ``day``'s compliance counts: its rolling window, ending at ``day + 1``."""
    first = day - dt.timedelta(days=settings.posting.rolling_window_days - 1)
    return local_midnight(first, settings), local_midnight(day + dt.timedelta(days=1), settings)


def missing_windows(
    need: tuple[dt.datetime, dt.datetime],
    covered: tuple[dt.datetime | None, dt.datetime | None],
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The windows to fetch so that ``need`` is covered and the covered period stays one
    contiguous period: nothing, the part before, the part after, or both."""
    need_from, need_until = need
    covered_from, covered_until = covered
    if covered_from is None or covered_until is None:
        return [need]
    windows = []
    if need_from < covered_from:
        windows.append((need_from, covered_from))
    if need_until > covered_until:
        windows.append((covered_until, need_until))
    return windows


# --- batches ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Accounts of one platform with ids in ``[first_id, last_id]``: one mapped task."""

    platform: str
    number: int  # 1-based, per platform
    of: int
    first_id: int
    last_id: int
    accounts: int

    @property
    def label(self) -> str:
        noun = "account" if self.accounts == 1 else "accounts"
        return f"{self.platform} {self.number}/{self.of} ({self.accounts} {noun})"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Batch:
        return cls(**{k: value[k] for k in cls.__dataclass_fields__})


def plan_batches(
    conn: psycopg.Connection,
    platforms: Sequence[str],
    codes: Sequence[str] | None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[Batch]:
    """Split the accounts in scope into batches of at most ``batch_size`` per platform."""
    unknown = sorted(set(platforms) - set(PLATFORMS))
    if unknown:
        raise PresswatchError(f"unknown platforms {unknown}; known: {', '.join(PLATFORMS)}")
    if batch_size < 1:
        raise PresswatchError(f"batch_size must be at least 1, got {batch_size}")
    rows = conn.execute(
        db.named_queries(QUERIES)["plan"],
        {"platforms": list(platforms), "codes": list(codes) if codes else None},
    ).fetchall()
    ids: dict[str, list[int]] = {}
    for platform, account_id in rows:
        ids.setdefault(platform, []).append(account_id)
    batches = []
    for platform in PLATFORMS:
        found = ids.get(platform, [])
        chunks = [found[i : i + batch_size] for i in range(0, len(found), batch_size)]
        for number, chunk in enumerate(chunks, start=1):
            batches.append(Batch(platform, number, len(chunks), chunk[0], chunk[-1], len(chunk)))
    return batches


# --- one batch -----------------------------------------------------------------------------


@dataclass
class BatchReport:
    platform: str
    accounts: int = 0
    accounts_fetched: int = 0  # posts asked for
    accounts_up_to_date: int = 0  # nothing to ask for: the period is already covered
    facts_read: int = 0
    account_errors: list[str] = field(default_factory=list)
    posts_received: int = 0
    posts_inserted: int = 0
    posts_updated: int = 0
    quarantined: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Outcome:
    account_id: int
    external_id: str | None = None
    facts: AccountFacts | None = None
    covered_from: dt.datetime | None = None
    covered_until: dt.datetime | None = None
    error: str | None = None
    posts: list[PostRecord] = field(default_factory=list)
    quarantined: list[QuarantineItem] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        """Whether the platform was asked about the account (facts, posts, or an error)."""
        return self.facts is not None or self.covered_until is not None or self.error is not None


def _facts_key(platform: str, handle: str, external_id: str | None) -> str:
    """What the platform's lookup names the account by (a Graph Page by id when known)."""
    return external_id or handle if platform == "facebook" else handle


def _posts_key(platform: str, handle: str, external_id: str | None) -> str:
    """What the platform's post listing names the account by (X only takes the user id)."""
    if platform == "x":
        if not external_id:
            raise AccountError(f"x: @{handle} has no user id (its facts could not be read)")
        return external_id
    return _facts_key(platform, handle, external_id)


def _fetch_account(
    connector: Connector,
    platform: str,
    row: tuple,
    need: tuple[dt.datetime, dt.datetime],
    read_facts: bool,
) -> _Outcome:
    account_id, handle, external_id, covered_from, covered_until, facts_checked_at = row
    outcome = _Outcome(account_id)
    try:
        if read_facts or facts_checked_at is None or (platform == "x" and not external_id):
            outcome.facts = connector.facts(_facts_key(platform, handle, external_id))
            external_id = external_id or outcome.facts.external_id
            outcome.external_id = outcome.facts.external_id
        windows = missing_windows(need, (covered_from, covered_until))
        key = _posts_key(platform, handle, external_id) if windows else None
        for since, until in windows:
            extra = {"username": handle} if platform == "x" else {}
            result = connector.posts(key, since, until, **extra)
            outcome.posts.extend(result.posts)
            outcome.quarantined.extend(result.quarantined)
        if windows:  # apply_outcome widens the stored period by what the day needs
            outcome.covered_from, outcome.covered_until = need
    except AccountError as exc:
        # Keep what was read about the account; drop its posts: its period did not grow.
        outcome.error = str(exc)
        outcome.posts, outcome.covered_from, outcome.covered_until = [], None, None
    return outcome


def _save(
    conn: psycopg.Connection,
    outcomes: list[_Outcome],
    report: BatchReport,
    now: dt.datetime,
    run_id: str | None,
    day: dt.date | None,
) -> None:
    queries = db.named_queries(QUERIES)
    loaded = ingest.load_posts(
        conn, ((o.account_id, post) for o in outcomes if o.error is None for post in o.posts)
    )
    report.posts_received += loaded.received
    report.posts_inserted += loaded.inserted
    report.posts_updated += loaded.updated
    report.quarantined += quarantine.record(
        conn, [item for o in outcomes for item in o.quarantined], airflow_run_id=run_id
    )
    # Only accounts the platform was asked about change: one whose period was stored and whose
    # facts were not due (a backfill or rerun of stored days) keeps its row, last_fetch_at
    # included, and costs no write and no history-trigger work. (Rewriting every row was
    # ~18 s per 9,000 accounts, the bound of a backfill of stored days, and made runs at the
    # same time wait on each other's row locks.)
    outcomes = [o for o in outcomes if o.asked]
    if not outcomes:
        return
    conn.execute(queries["stage_outcome"])
    with conn.cursor().copy(
        "COPY stage_fetch_outcome (account_id, external_id, verified, verified_type, followers,"
        " facts_read, covered_from, covered_until, error) FROM STDIN"
    ) as copy:
        for o in outcomes:
            facts = o.facts
            copy.write_row(
                (
                    o.account_id,
                    o.external_id,
                    facts.verified if facts else None,
                    facts.verified_type if facts else None,
                    facts.followers if facts else None,
                    facts is not None,
                    o.covered_from,
                    o.covered_until,
                    o.error,
                )
            )
    # The facts read are the day's, in the accounts' history (migration 0014): a run for a day
    # before one already recorded dates them today instead, never rewriting what a past day saw.
    conn.execute(
        "SELECT set_config('presswatch.as_of', %s, true), "
        "set_config('presswatch.as_of_late', 'later', true)",
        [day.isoformat() if day else ""],
    )
    conn.execute(queries["apply_outcome"], {"now": now})
    conn.execute(
        "SELECT set_config('presswatch.as_of', '', true), "
        "set_config('presswatch.as_of_late', '', true)"
    )
    conn.execute(queries["drop_outcome"])


def fetch_batch(
    conn: psycopg.Connection,
    connector: Connector,
    batch: Batch,
    day: dt.date | None,
    settings: Settings,
    *,
    codes: Sequence[str] | None = None,
    need: tuple[dt.datetime, dt.datetime] | None = None,
    read_facts: bool = True,
    run_id: str | None = None,
    concurrency: int = FETCH_CONCURRENCY,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> BatchReport:
    """Fetch and store one batch's posts and facts for ``day``, in the caller's transaction.

    ``need``: the period the posts are needed for, instead of ``day``'s rolling window (the
    hourly critical-story run reads the last hours of the accounts of institutions with open
    clocks); the covered period grows by it as by a day's.

    On ``PlatformUnavailable`` the accounts read before it are saved (the caller commits) and
    the error is raised again for the task to fail.
    """
    rows = conn.execute(
        db.named_queries(QUERIES)["batch_accounts"],
        {
            "platform": batch.platform,
            "first_id": batch.first_id,
            "last_id": batch.last_id,
            "codes": list(codes) if codes else None,
        },
    ).fetchall()
    if need is None:
        if day is None:
            raise PresswatchError("fetch_batch needs a day or a period")
        need = needed_period(day, settings)
    report = BatchReport(batch.platform, accounts=len(rows))
    outcomes: list[_Outcome] = []
    failure: PlatformUnavailable | None = None
    # Accounts are read a few at a time (platform latency, not CPU, is the cost); outcomes are
    # kept in account order, and the first platform failure stops the batch.
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fetch") as pool:
        futures = [
            pool.submit(_fetch_account, connector, batch.platform, row, need, read_facts)
            for row in rows
        ]
        for row, future in zip(rows, futures, strict=True):
            try:
                outcome = future.result()
            except PlatformUnavailable as exc:
                failure = exc
                for pending in futures:
                    pending.cancel()
                break
            outcomes.append(outcome)
            if outcome.error:
                report.account_errors.append(f"account {row[0]} (@{row[1]}): {outcome.error}")
            if outcome.facts is not None:
                report.facts_read += 1
            if outcome.covered_until is not None:
                report.accounts_fetched += 1
            elif outcome.error is None:
                report.accounts_up_to_date += 1
    _save(conn, outcomes, report, now(), run_id, day)
    if failure is not None:
        raise PlatformUnavailable(
            f"{failure} ({len(outcomes)} of {len(rows)} accounts in {batch.label} were saved)"
        ) from failure
    return report


# --- Wikipedia (R7) ------------------------------------------------------------------------------


@dataclass
class WikipediaReport:
    titles_checked: int = 0
    found: int = 0
    missing: int = 0
    by_langlink: int = 0
    recorded: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class WikiChecker(Protocol):
    def check(self, lang: str, titles: Any) -> dict[str, Any]: ...


def check_wikipedia(
    conn: psycopg.Connection,
    connector: WikiChecker,
    day: dt.date,
    settings: Settings,
    *,
    codes: Sequence[str] | None = None,
    keep_existing: bool = False,
) -> WikipediaReport:
    """Check every registered title and record, per institution and language, whether its page
    exists on ``day``. A language with no registered title counts as present when a page found
    in another language links to it. ``keep_existing``: a check already recorded for ``day``
    stays (backfills)."""
    queries = db.named_queries(QUERIES)
    rows = conn.execute(
        queries["wikipedia_titles"], {"codes": list(codes) if codes else None}
    ).fetchall()
    languages = list(settings.wikipedia.languages)
    titles: dict[str, dict[int, str]] = {lang: {} for lang in languages}
    for institution_id, lang, title in rows:
        if lang in titles:
            titles[lang][institution_id] = title
    report = WikipediaReport()
    results: dict[tuple[int, str], tuple[bool, str | None]] = {}
    links: dict[int, dict[str, str]] = {}
    for lang in languages:
        wanted = titles[lang]
        if not wanted:
            continue
        pages = connector.check(lang, sorted(set(wanted.values())))
        report.titles_checked += len(wanted)
        for institution_id, title in wanted.items():
            page = pages.get(title)
            exists = bool(page and page.exists)
            results[(institution_id, lang)] = (exists, page.resolved_title if exists else None)
            if exists:
                links.setdefault(institution_id, {}).update(page.langlinks)
    for institution_id, linked in links.items():
        for lang in languages:
            if (institution_id, lang) not in results and lang in linked:
                results[(institution_id, lang)] = (True, linked[lang])
                report.by_langlink += 1
    report.found = sum(1 for exists, _ in results.values() if exists)
    report.missing = len(results) - report.found
    with conn.cursor() as cur:
        cur.executemany(
            queries["wikipedia_record"],
            [
                {
                    "institution_id": institution_id,
                    "lang": lang,
                    "day": day,
                    "page_exists": exists,
                    "resolved_title": title,
                    "keep_existing": keep_existing,
                }
                for (institution_id, lang), (exists, title) in sorted(results.items())
            ],
        )
    report.recorded = len(results)
    return report


# --- the DAG's tasks ---------------------------------------------------------------------------
# Each takes the domain URL, the day and the run's params, opens its own connection and
# commits (or, in a dry run, rolls back). They are here, not in the DAG file, so that the DAG
# file stays light to parse and the tasks can be tested without Airflow.


def run_day(context: Mapping[str, Any], settings: Settings | None = None) -> dt.date:
    """The local day a run checks: the start of its data interval in the settings' time zone;
    for a run without one (triggered with no logical date), the ``day`` param or yesterday."""
    settings = settings or settings_module.get()
    start = context.get("data_interval_start")
    if start is not None:
        return start.astimezone(settings.tz).date()
    chosen = (context.get("params") or {}).get("day")
    if chosen:
        return dt.date.fromisoformat(chosen)
    return dt.datetime.now(settings.tz).date() - dt.timedelta(days=1)


def _codes(params: Mapping[str, Any]) -> list[str] | None:
    return list(params.get("institution_codes") or []) or None


def _finish(conn: psycopg.Connection, params: Mapping[str, Any]) -> None:
    if params.get("dry_run"):
        conn.rollback()
        log.info("dry run: everything this task wrote was rolled back")
    else:
        conn.commit()


def _is_backfill(run: Mapping[str, str | None] | None) -> bool:
    return (run or {}).get("airflow_run_type") == "backfill"


# Connection extras that tune a connector (timeouts and waits), e.g. {"timeout": 10}.
CONNECTOR_EXTRAS: dict[str, Callable[[Any], Any]] = {
    "timeout": float,
    "max_retries": int,
    "throttle_wait": float,
}


def _tuning(cls: type, conn_id: str) -> dict[str, Any]:
    """The connector arguments the Airflow connection's extras set (CONNECTOR_EXTRAS)."""
    import inspect

    from presswatch.connectors.base import connection_settings

    extra = connection_settings(conn_id).extra
    accepted = inspect.signature(cls.__init__).parameters
    return {
        key: convert(extra[key])
        for key, convert in CONNECTOR_EXTRAS.items()
        if key in extra and key in accepted
    }


def airflow_connector(platform: str) -> Connector:
    """The connector for ``platform`` configured from its Airflow connection; the connection's
    extras ``timeout``, ``max_retries`` and ``throttle_wait`` (Graph) override the defaults."""
    from presswatch.connectors import facebook, instagram, telegram, x

    cls, conn_id = {
        "facebook": (facebook.FacebookConnector, facebook.CONN_ID),
        "instagram": (instagram.InstagramConnector, instagram.CONN_ID),
        "x": (x.XConnector, x.CONN_ID),
        "telegram": (telegram.TelegramConnector, telegram.CONN_ID),
    }[platform]
    return cls.from_airflow(**_tuning(cls, conn_id))


def fetch_task(
    url: str,
    batch: Batch,
    day: dt.date,
    *,
    params: Mapping[str, Any],
    run: Mapping[str, str | None] | None = None,
    connector_factory: Callable[[str], Connector] = airflow_connector,
    settings: Settings | None = None,
) -> dict[str, Any]:
    settings = settings or settings_module.get()
    connector = connector_factory(batch.platform)
    try:
        with db.connect(url) as conn:
            try:
                report = fetch_batch(
                    conn, connector, batch, day, settings, codes=_codes(params),
                    read_facts=not _is_backfill(run), run_id=(run or {}).get("airflow_run_id"),
                )  # fmt: skip
            except PlatformUnavailable:
                _finish(conn, params)  # keep the accounts read before the platform failed
                raise
            _finish(conn, params)
    finally:
        connector.close()
    for error in report.account_errors:
        log.warning("%s: not read: %s", batch.platform, error)
    log.info(
        "%s: %d accounts (%d fetched, %d up to date, %d errors), facts read %d; posts "
        "received %d, new %d, changed %d; quarantined %d",
        batch.label, report.accounts, report.accounts_fetched, report.accounts_up_to_date,
        len(report.account_errors), report.facts_read, report.posts_received,
        report.posts_inserted, report.posts_updated, report.quarantined,
    )  # fmt: skip
    return report.as_dict()


def wikipedia_task(
    url: str,
    day: dt.date,
    *,
    params: Mapping[str, Any],
    run: Mapping[str, str | None] | None = None,
    connector: WikiChecker | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    from presswatch.connectors import wikipedia

    settings = settings or settings_module.get()
    own = connector is None
    if connector is None:
        cls = wikipedia.WikipediaConnector
        connector = cls.from_airflow(**_tuning(cls, wikipedia.CONN_ID))
    try:
        with db.connect(url) as conn:
            report = check_wikipedia(
                conn, connector, day, settings, codes=_codes(params),
                keep_existing=_is_backfill(run),
            )  # fmt: skip
            _finish(conn, params)
    finally:
        if own:
            connector.close()  # type: ignore[attr-defined]
    log.info("wikipedia: %s", report.as_dict())
    return report.as_dict()


def compliance_task(
    url: str, day: dt.date, *, params: Mapping[str, Any], settings: Settings | None = None
) -> dict[str, int]:
    from presswatch.activity import compliance

    settings = settings or settings_module.get()
    with db.connect(url) as conn:
        written = compliance.compute_day(conn, day, settings, institution_codes=_codes(params))
        _finish(conn, params)
    log.info("compliance for %s: %s", day, written)
    return written


def notices_task(
    url: str,
    day: dt.date,
    *,
    params: Mapping[str, Any],
    send: bool,
    run: Mapping[str, str | None] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    from presswatch.activity import compliance
    from presswatch.activity import notices as compliance_notices

    settings = settings or settings_module.get()
    with db.connect(url) as conn:
        if params.get("dry_run"):  # compute_compliance rolled its rows back: compute them here
            compliance.compute_day(conn, day, settings, institution_codes=_codes(params))
        report = compliance_notices.write_day_notices(
            conn, day, settings, send=send, codes=_codes(params), run=run
        )
        _finish(conn, params)
    log.info("notices for %s (%s): %s", day, "send" if send else "suppressed", report.as_dict())
    return report.as_dict()
