"""The tasks of ``critical_story_sla_hourly`` (R3), each testable without Airflow.

Each task takes the domain URL, the run's hour (``Hour``) and params, opens its own connection
and commits, or in a dry run rolls back. Everything is decided as of the hour's end
(``hour.end``), never "now": a rerun of an hour writes nothing new, and a backfill of past hours
gives what live runs gave.

Order within a run: operator decisions (params) -> the portal and the news feeds -> matching and
criticality -> the posts of institutions awaiting answers -> responses -> the sweep (clocks
opened, stages advanced) -> the stage notices.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from presswatch import db
from presswatch import settings as settings_module
from presswatch.activity import daily
from presswatch.connectors.base import PlatformUnavailable
from presswatch.errors import PresswatchError
from presswatch.settings import Settings
from presswatch.sla import responses, stories

log = logging.getLogger(__name__)

QUERIES = "sla/hourly"
# Answers are looked for in the posts of the last hours (responses.POST_LOOKBACK_HOURS); the
# hourly run reads them for institutions whose clocks escalated less than this long ago.
RECENT_CLOCK_DAYS = 7
DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class Hour:
    """The run's hour: ``[start, end)``, aware UTC datetimes a whole hour apart."""

    start: dt.datetime
    end: dt.datetime

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, value: Mapping[str, str]) -> Hour:
        return cls(
            dt.datetime.fromisoformat(value["start"]), dt.datetime.fromisoformat(value["end"])
        )

    def label(self, settings: Settings) -> str:
        local = self.start.astimezone(settings.tz)
        return (
            f"{local:%Y-%m-%d %H:00}-{self.end.astimezone(settings.tz):%H:00} {settings.timezone}"
        )


def _plain_utc(moment: dt.datetime) -> dt.datetime:
    """A standard-library datetime in UTC. Airflow hands out pendulum DateTimes, whose
    arithmetic with a fixed UTC zone drops the zone (pendulum 3)."""
    return dt.datetime.fromtimestamp(moment.timestamp(), tz=dt.UTC)


def run_hour(context: Mapping[str, Any], settings: Settings | None = None) -> Hour:
    """The hour a run covers: its data interval; for a run without one (triggered with no
    logical date), the ``hour`` param (its local start, e.g. ``2026-03-10T14:00``) or the last
    full hour before the run was asked for."""
    settings = settings or settings_module.get()
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None:
        return Hour(_plain_utc(start), _plain_utc(end))
    chosen = (context.get("params") or {}).get("hour")
    if chosen:
        local = dt.datetime.fromisoformat(chosen)
        if local.tzinfo is None:
            local = local.replace(tzinfo=settings.tz)
        begin = local.replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    else:
        # The hour before the run was asked for, the same for every task of the run.
        asked = getattr(context.get("dag_run"), "run_after", None) or dt.datetime.now(dt.UTC)
        begin = asked.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        begin -= dt.timedelta(hours=1)
    return Hour(begin, begin + dt.timedelta(hours=1))


# The same as the daily pipeline's: institutions named by the params; commit or roll back.
_codes = daily._codes
_finish = daily._finish


def _run_id(run: Mapping[str, str | None] | None) -> str | None:
    return (run or {}).get("airflow_run_id")


def _tuning(cls: type, conn_id: str) -> dict[str, Any]:
    """The connection extras (timeout, max_retries) that tune a connector; none when the
    connection is optional and missing (news feeds are then fetched at their own URLs)."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return daily._tuning(cls, conn_id)
    except AirflowNotFoundException:
        return {}


def _seen_at(hour: Hour) -> dt.datetime:
    """When an item without a detection time of its own counts as seen: now, or the end of the
    hour for a run of a past hour (a backfill)."""
    return min(dt.datetime.now(dt.UTC), hour.end)


# --- operator decisions -------------------------------------------------------------------------


def decisions_task(
    url: str, hour: Hour, *, params: Mapping[str, Any], run: Mapping[str, str | None] | None = None
) -> dict[str, int]:
    """The ``confirm_story_ids`` / ``dismiss_story_ids`` params of a manual run: they take effect
    from the end of the run's hour (or now, if that is later than now)."""
    from presswatch.sla import decisions

    confirm = [int(i) for i in params.get("confirm_story_ids") or []]
    dismiss = [int(i) for i in params.get("dismiss_story_ids") or []]
    if set(confirm) & set(dismiss):
        raise PresswatchError(
            f"stories both confirmed and dismissed: {sorted(set(confirm) & set(dismiss))}"
        )
    by = f"airflow:{_run_id(run) or 'manual run'}"
    at = min(hour.end, dt.datetime.now(dt.UTC))
    with db.connect(url) as conn:
        for story_id in confirm:
            decisions.decide(conn, story_id, "confirmed", by=by, note=None, at=at)
        for story_id in dismiss:
            decisions.decide(conn, story_id, "dismissed", by=by, note=None, at=at)
        _finish(conn, params)
    return {"confirmed": len(confirm), "dismissed": len(dismiss)}


# --- sources ----------------------------------------------------------------------------------


def _portal_cursors(value: str | None) -> dict[str, str | None]:
    """The portal row keeps two cursors, one per listing, as JSON in story_feed.cursor."""
    if not value:
        return {"stories": None, "responses": None}
    cursors = json.loads(value)
    return {"stories": cursors.get("stories"), "responses": cursors.get("responses")}


def portal_task(
    url: str,
    hour: Hour,
    *,
    params: Mapping[str, Any],
    run: Mapping[str, str | None] | None = None,
    connector: Any = None,
) -> dict[str, Any]:
    """New stories and responses from the monitoring portal, from where the last run stopped."""
    from presswatch.connectors import portal

    settings = settings_module.get()
    own = connector is None
    connector = connector or portal.PortalConnector.from_airflow(
        max_title_chars=settings.stories.max_title_chars,
        max_body_chars=settings.stories.max_body_chars,
        **_tuning(portal.PortalConnector, portal.CONN_ID),
    )
    try:
        with db.connect(url) as conn:
            feed = stories.portal_feed(conn, connector.base_url)
            cursors = _portal_cursors(feed.cursor)
            # Only what the portal had by the end of the hour: a backfill reads what a live run
            # of that hour read, and the next run goes on from the cursor.
            fetched = connector.stories(cursors["stories"], until=hour.end)
            answers = connector.responses(cursors["responses"], until=hour.end)
            cursors = {
                "stories": fetched.cursor or cursors["stories"],
                "responses": answers.cursor or cursors["responses"],
            }
            fetched.cursor = json.dumps(cursors, sort_keys=True)
            fetched.quarantined.extend(answers.quarantined)
            report = stories.ingest(
                conn, feed, fetched, seen_at=_seen_at(hour), run_id=_run_id(run)
            )
            received = responses.receive_portal(conn, answers.responses)
            _finish(conn, params)
    finally:
        if own:
            connector.close()
    return {**report.as_dict(), "responses_received": received}


def plan_feeds(url: str) -> list[dict[str, Any]]:
    """The registry's active news feeds, one mapped task each (named by ``label``)."""
    with db.connect(url) as conn:
        feeds = stories.active_feeds(conn)
    return [
        {"code": f["code"], "url": f["url"], "language": f["language"],
         "label": f"{f['name']} ({f['code']})"}
        for f in feeds
    ]  # fmt: skip


def feed_task(
    url: str,
    feed: Mapping[str, Any],
    hour: Hour,
    *,
    params: Mapping[str, Any],
    run: Mapping[str, str | None] | None = None,
    connector: Any = None,
) -> dict[str, Any]:
    """One news feed: a conditional GET, new items ingested. A feed that is not a feed (an
    error page) is recorded on the feed and in quarantine, and the task succeeds; a feed that
    stays unavailable after retries fails the task (the other sources go on)."""
    from presswatch.connectors import feeds as feed_connectors

    settings = settings_module.get()
    own = connector is None
    connector = connector or feed_connectors.FeedConnector.from_airflow(
        max_title_chars=settings.stories.max_title_chars,
        max_body_chars=settings.stories.max_body_chars,
        **_tuning(feed_connectors.FeedConnector, feed_connectors.CONN_ID),
    )
    try:
        with db.connect(url) as conn:
            target = stories.feed(conn, feed["code"])
            try:
                fetched = connector.fetch(
                    target.code, target.url, etag=target.etag,
                    last_modified=target.last_modified, language=target.language,
                )  # fmt: skip
            except PlatformUnavailable as exc:
                from presswatch.sla.items import FeedFetch

                stories.ingest(conn, target, FeedFetch(status="unavailable", error=str(exc)),
                               seen_at=_seen_at(hour), run_id=_run_id(run))  # fmt: skip
                _finish(conn, params)
                raise
            report = stories.ingest(
                conn, target, fetched, seen_at=_seen_at(hour), run_id=_run_id(run)
            )
            _finish(conn, params)
    finally:
        if own:
            connector.close()
    if report.error:
        log.warning("%s: %s", feed["code"], report.error)
    return report.as_dict()


# --- matching ---------------------------------------------------------------------------------


def match_task(url: str, *, params: Mapping[str, Any]) -> dict[str, Any]:
    """Aliases in step with the registry, then every new story matched and scored."""
    from presswatch.sla import matching

    settings = settings_module.get()
    with db.connect(url) as conn:
        aliases = matching.refresh_aliases(conn)
        report = matching.match_and_score(conn, settings, codes=_codes(params))
        _finish(conn, params)
    return {"aliases": aliases, **report.as_dict()}


# --- the posts that may hold answers -------------------------------------------------------------


def awaiting_answers(
    conn: psycopg.Connection, hour: Hour, settings: Settings, codes: Sequence[str] | None
) -> list[str]:
    """Codes of the institutions whose accounts the run reads (see hourly.sql)."""
    rows = conn.execute(
        db.named_queries(QUERIES)["institutions_awaiting_answers"],
        {
            "as_of": hour.end,
            "threshold": settings.stories.critical_threshold,
            "recent_days": RECENT_CLOCK_DAYS,
            "codes": list(codes) if codes else None,
        },
    ).fetchall()
    return [code for (code,) in rows]


def plan_post_batches(url: str, hour: Hour, *, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Batches (per platform) of the accounts of institutions awaiting answers."""
    if not params.get("fetch_posts", True):
        return []
    settings = settings_module.get()
    with db.connect(url) as conn:
        codes = awaiting_answers(conn, hour, settings, _codes(params))
        if not codes:
            return []
        batches = daily.plan_batches(
            conn, daily.PLATFORMS, codes, params.get("batch_size") or DEFAULT_BATCH_SIZE
        )
    return [batch.as_dict() for batch in batches]


def post_fetch_task(
    url: str,
    batch: daily.Batch,
    hour: Hour,
    *,
    params: Mapping[str, Any],
    run: Mapping[str, str | None] | None = None,
    connector_factory: Callable[[str], daily.Connector] = daily.airflow_connector,
) -> dict[str, Any]:
    """The last hours of posts of one batch of accounts (only what is not stored yet is asked
    for; facts only for accounts never read)."""
    settings = settings_module.get()
    need = (hour.end - dt.timedelta(hours=responses.POST_LOOKBACK_HOURS), hour.end)
    connector = connector_factory(batch.platform)
    try:
        with db.connect(url) as conn:
            codes = awaiting_answers(conn, hour, settings, _codes(params))
            try:
                report = daily.fetch_batch(
                    conn, connector, batch, None, settings, codes=codes, need=need,
                    read_facts=False, run_id=_run_id(run),
                )  # fmt: skip
            except PlatformUnavailable:
                _finish(conn, params)  # keep the accounts read before the platform failed
                raise
            _finish(conn, params)
    finally:
        connector.close()
    for error in report.account_errors:
        log.warning("%s: not read: %s", batch.platform, error)
    return report.as_dict()


# --- responses, the sweep, notices ----------------------------------------------------------


def responses_task(
    url: str, hour: Hour, *, params: Mapping[str, Any], run: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    settings = settings_module.get()
    with db.connect(url) as conn:
        portal_id = conn.execute("SELECT id FROM story_feed WHERE code = 'portal'").fetchone()
        report = responses.process(
            conn, hour.end, settings, portal_feed_id=portal_id[0] if portal_id else None,
            codes=_codes(params), run_id=_run_id(run),
        )  # fmt: skip
        _finish(conn, params)
    return report.as_dict()


def _sweep(conn: psycopg.Connection, hour: Hour, settings: Settings, params, run) -> dict[str, Any]:
    from presswatch.sla import engine

    report = engine.advance(conn, hour.end, settings, codes=_codes(params), run_id=_run_id(run))
    return report.as_dict()


def sweep_task(
    url: str, hour: Hour, *, params: Mapping[str, Any], run: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """Clocks opened for new critical stories, every open clock's stage advanced as of the end
    of the hour, in one set-based pass."""
    settings = settings_module.get()
    with db.connect(url) as conn:
        result = _sweep(conn, hour, settings, params, run)
        _finish(conn, params)
    log.info("sweep as of %s: %s", hour.end.isoformat(), result)
    return result


def notices_task(
    url: str,
    hour: Hour,
    *,
    params: Mapping[str, Any],
    send: bool,
    run: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """The reminder, breach and escalation notices of the stages reached, each once."""
    from presswatch.sla import notices

    settings = settings_module.get()
    with db.connect(url) as conn:
        if params.get("dry_run"):  # the sweep rolled its events back: sweep again here
            _sweep(conn, hour, settings, params, run)
        report = notices.write_stage_notices(
            conn, hour.end, settings, send=send, codes=_codes(params), run=run
        )
        _finish(conn, params)
    result = report.as_dict()
    log.info(
        "notices as of %s (%s): %s", hour.end.isoformat(), "send" if send else "suppressed", result
    )
    return result
