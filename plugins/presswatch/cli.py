"""The ``presswatch`` command line.

Every failure the user can act on prints one line, ``presswatch: error: ...``, and exits non-zero.
Heavy modules are imported inside the command that needs them, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from presswatch.errors import PresswatchError

EXIT_ERROR = 1
EXIT_QUARANTINED = 3


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port")
    return value


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


# --- db -------------------------------------------------------------------------------------


def cmd_db_migrate(args: argparse.Namespace) -> int:
    from presswatch import db, migrate

    report = migrate.migrate()
    where = db.redact(db.domain_url())
    if report.created_database:
        print(f"created database {where}")
    if report.applied:
        print(f"applied {len(report.applied)} migration(s): {', '.join(report.applied)}")
    print(f"schema is current ({len(report.applied) + len(report.already_applied)} migrations)")
    return 0


def cmd_db_up(args: argparse.Namespace) -> int:
    from presswatch import db

    url = db.server_url()
    kind = "configured" if db.configured_url() else "embedded"
    print(f"{kind} PostgreSQL ready: {db.redact(url)}")
    return 0


def cmd_db_url(args: argparse.Namespace) -> int:
    from presswatch import db

    print(db.domain_url())
    return 0


# --- registry -------------------------------------------------------------------------------


def cmd_registry_import(args: argparse.Namespace) -> int:
    from presswatch import db, registry

    with db.connect() as conn:
        report = registry.import_folder(
            conn,
            Path(args.path),
            dry_run=args.dry_run,
            as_of=args.as_of,
            allow_mass_deactivation=args.allow_mass_deactivation,
        )
    print(report.summary() + (" (dry run: nothing written)" if args.dry_run else ""))
    for reason in report.reasons[:20]:
        print(f"  quarantined: {reason}")
    if len(report.reasons) > 20:
        print(f"  ... and {len(report.reasons) - 20} more (see the quarantine table)")
    return EXIT_QUARANTINED if report.quarantined else 0


# --- stories and aliases (R3) ---------------------------------------------------------------

_DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed", "clear": "clear"}


def _operator() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "operator"


def cmd_stories_decide(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.sla import decisions

    decision = _DECISIONS[args.stories_command]
    by = getattr(args, "by", None) or _operator()
    with db.connect() as conn:
        result = decisions.decide(
            conn, args.story_id, decision, by=by, note=getattr(args, "note", None)
        )
        conn.commit()
    was = result.previous or "no decision"
    verdict = "critical" if result.is_critical else "not critical"
    if result.decision is None:
        print(f"story {result.story_id}: decision cleared (was {was}); {verdict} by its score")
    else:
        print(f"story {result.story_id}: {result.decision} by {by} (was {was}); {verdict}")
    return 0


def cmd_stories_show(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.sla import decisions

    with db.connect() as conn:
        print(decisions.describe(conn, args.story_id))
    return 0


def cmd_stories_rematch(args: argparse.Namespace) -> int:
    from presswatch import db, settings
    from presswatch.sla import matching

    with db.connect() as conn:
        report = matching.rematch_since(conn, settings.get(), args.since)
        conn.commit()
    print(report.summary())
    return 0


def _aware_time(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time (YYYY-MM-DDTHH:MM, Asia/Tashkent unless an offset is given)"
        ) from None
    if moment.tzinfo is None:
        from presswatch import settings

        moment = moment.replace(tzinfo=settings.get().tz)
    return moment


def _account(text: str) -> tuple[str, str]:
    platform, _, handle = text.partition(":")
    if platform not in ("facebook", "x", "instagram", "telegram") or not handle:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not PLATFORM:HANDLE (e.g. telegram:adliyauz)"
        )
    return platform, handle.lstrip("@")


def cmd_stories_respond(args: argparse.Namespace) -> int:
    from presswatch import db, settings
    from presswatch.errors import PresswatchError
    from presswatch.sla import responses

    now = dt.datetime.now(dt.UTC)
    at = args.at or now
    if at > now:
        raise PresswatchError(f"the response time {at.isoformat()} is in the future")
    with db.connect() as conn:
        entered = responses.enter(
            conn, args.story_id, args.institution, url=args.url, responded_at=at,
            channel=args.channel, account=args.account, entered_by=args.by or _operator(),
        )  # fmt: skip
        portal = conn.execute("SELECT id FROM story_feed WHERE code = 'portal'").fetchone()
        responses.process(
            conn, now, settings.get(), portal_feed_id=portal[0] if portal else None,
            include_posts=False, only=[entered],
        )  # fmt: skip
        outcome, reason = responses.inbox_outcome(conn, "operator", entered)
        conn.commit()
    if outcome == "rejected":
        raise PresswatchError(f"response {entered} rejected (kept in quarantine): {reason}")
    if outcome is None:
        print(f"response {entered} waits for story {args.story_id} (not known yet)")
    else:
        print(
            f"response {entered} recorded for story {args.story_id} and {args.institution} at"
            f" {at.isoformat()}; the next hourly run closes its clock"
        )
    return 0


def cmd_aliases_add(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.sla import matching

    with db.connect() as conn:
        alias_id, done = matching.add_alias(
            conn, args.institution_code, args.alias, kind=args.kind, language=args.language
        )
        conn.commit()
    print(
        f"{done} alias {alias_id} of {args.institution_code}: {args.alias!r}; stories matched "
        "from now on use it (presswatch stories rematch --since DATE for earlier ones)"
    )
    return 0


def cmd_aliases_list(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.sla import matching

    with db.connect() as conn:
        aliases = matching.list_aliases(conn, args.institution_code)
    for alias in aliases:
        print(
            f"{alias.id}  {alias.kind}  {alias.origin}  {alias.language or '-'}  "
            f"{'on' if alias.active else 'off'}  {alias.alias}  [{' '.join(alias.keys)}]"
        )
    if not aliases:
        print(f"{args.institution_code} has no aliases yet (the hourly run adds its names)")
    return 0


def cmd_aliases_remove(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.sla import matching

    with db.connect() as conn:
        message = matching.remove_alias(conn, args.alias_id)
        conn.commit()
    print(message)
    return 0


# --- demo -----------------------------------------------------------------------------------


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.demo import generator

    with db.connect() as conn:
        report = generator.seed(
            conn,
            institutions=args.institutions,
            seed=args.seed,
            days=args.days,
            end_date=args.end_date,
        )
    print(report.summary())
    return 0


def cmd_demo_run(args: argparse.Namespace) -> int:
    from presswatch.demo import run

    return run.main()


# --- rating ---------------------------------------------------------------------------------


def _half_year(text: str):
    from presswatch.rating.periods import HalfYear

    try:
        return HalfYear.parse(text)
    except (PresswatchError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _print_rating(report) -> None:
    print(
        f"{report.period} version {report.version} ({report.status}, methodology"
        f" {report.methodology_sha256[:12]}): {report.action}; {report.institutions}"
        f" institutions, {report.rated} rated, {report.held_accountable} held accountable"
    )


def cmd_rating_compute(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.rating import compute

    with db.connect() as conn, conn.transaction(force_rollback=args.dry_run):
        report = compute.compute(conn, None, args.period, new_version=args.new_version)
    _print_rating(report)
    if args.dry_run:
        print("dry run: nothing written")
    return 0


def _print_differences(differences, limit: int = 20) -> None:
    for d in differences[:limit]:
        what = d.indicator or "result"
        print(f"  institution {d.institution_id} {what}: {d.side} {d.row}")
    if len(differences) > limit:
        print(f"  ... and {len(differences) - limit} more")


def cmd_rating_reproduce(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.rating import compute

    with db.connect() as conn:
        report = compute.reproduce(conn, args.period, version=args.version)
    print(
        f"{report.period} version {report.version} (methodology"
        f" {report.methodology_sha256[:12]}): "
        + ("reproduced exactly, no difference" if report.identical else
           f"{len(report.differences)} rows differ from the stored rating")
    )  # fmt: skip
    _print_differences(report.differences)
    return 0 if report.identical else EXIT_ERROR


def cmd_rating_dispute(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.rating import dispute, pipeline

    with db.connect() as conn:
        if args.withdraw:
            dispute.withdraw(conn, args.withdraw)
            conn.commit()
            print(f"correction {args.withdraw} withdrawn")
            return 0
        missing = [f"--{n}" for n in ("institution", "indicator", "value", "reason")
                   if getattr(args, n) is None]  # fmt: skip
        if missing or not args.evidence:
            raise PresswatchError(
                "a correction needs "
                + ", ".join(missing + ([] if args.evidence else ["--evidence"]))
            )
        correction = dispute.file(
            conn, args.period, institution_code=args.institution, indicator=args.indicator,
            value=dispute.parse_value(args.value), reason=args.reason, evidence=args.evidence,
            filed_by=args.filed_by, today=pipeline.today(), version=args.version,
        )  # fmt: skip
        conn.commit()
        window = dispute.window(conn, args.period, args.version)
    closes = f", applied when it becomes final on {window.closes_on}" if window.closes_on else ""
    print(f"correction {correction} filed for {args.period} version {window.version}{closes}")
    return 0


def cmd_rating_corrections(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.rating import dispute

    with db.connect() as conn:
        window = dispute.window(conn, args.period, args.version)
        log = dispute.corrections(conn, window.rating_id)
    print(f"{window.period} version {window.version} ({window.status}): {len(log)} corrections")
    for c in log:
        value = "n/a" if c["value"] is None else f"{c['value']:.4f}"
        replaced = "" if c["replaced_value"] is None else f" (was {c['replaced_value']:.4f})"
        print(
            f"  {c['id']} {c['status']:<9} {c['code']} {c['indicator']} = {value}{replaced}:"
            f" {c['reason']} [{', '.join(c['evidence'])}] by {c['filed_by']}"
        )
    return 0


def cmd_rating_finalize(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch import settings as settings_module
    from presswatch.rating import dispute, pipeline

    with db.connect() as conn:
        window = dispute.window(conn, args.period, args.version)
        if window.status == "final":
            raise PresswatchError(f"{window.period} version {window.version} is already final")
        result = pipeline.finalize_and_notify(
            conn, window, send_allowed=args.send_notices, on=pipeline.today(),
            run={"airflow_dag_id": None, "airflow_run_id": None, "airflow_run_type": "cli"},
            settings=settings_module.get(),
        )  # fmt: skip
    send = args.send_notices and window.notices_sent
    files = pipeline.reports_task(
        db.domain_url(), window.rating_id, notify=send,
        run={"airflow_dag_id": None, "airflow_run_id": None, "airflow_run_type": "cli"},
    )  # fmt: skip
    written = sum(result["notices"]["written"].values())
    sent = "pending" if send else "suppressed"
    print(f"final reports: {files['folder']}")
    print(
        f"{window.period} version {window.version} is final: {result['corrections_applied']}"
        f" corrections applied, {result['differences']} rows changed from the provisional"
        f" rating; {written} accountability notices written ({sent})"
    )
    return 0


def cmd_rating_report(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.rating import dispute, pipeline

    with db.connect() as conn:
        window = dispute.window(conn, args.period, args.version)
    result = pipeline.reports_task(
        db.domain_url(), window.rating_id, codes=args.institution,
        out_dir=Path(args.out) if args.out else None,
    )  # fmt: skip
    print(f"agency report: {result['agency_pdf']}")
    print(f"               {result['agency_html']}")
    print(f"all results:   {result['csv']}")
    print(f"scorecards:    {result['scorecards']} in {result['folder']}/scorecards")
    return 0


# --- simulator, stop ------------------------------------------------------------------------


def cmd_simulator(args: argparse.Namespace) -> int:
    from presswatch import simulator

    simulator.run(host=args.host, port=args.port, background=args.background)
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from presswatch.demo import up

    return up.up(args)


def cmd_mail(args: argparse.Namespace) -> int:
    from presswatch.demo import up

    return up.list_mail(args)


def cmd_stop(args: argparse.Namespace) -> int:
    from presswatch import dbserver, processes

    for name in processes.stop_all():
        print(f"stopped {name}")
    if dbserver.stop():
        print("stopped the embedded PostgreSQL")
    return 0


def cmd_notices_preview(args: argparse.Namespace) -> int:
    from presswatch.notices import preview

    path = preview.write_preview(args.kind, args.lang, Path(args.out) if args.out else preview.OUT)
    print(path)
    return 0


def cmd_notices_list(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.notices import outbox

    with db.connect() as conn:
        notices = outbox.list_notices(
            conn,
            status=args.status,
            kind=args.kind,
            institution_code=args.institution,
            limit=args.limit,
        )
    for notice in notices:
        if notice.status == "undeliverable":
            where = notice.last_error or "no recipients"
        else:
            where = ", ".join(notice.recipients)
            if notice.cc:
                where += f" (cc {', '.join(notice.cc)})"
        print(
            f"{notice.reference_no}  {notice.kind}  {notice.status}  "
            f"{notice.institution_code or '-'}  {where}"
        )
    if not notices:
        print("no notices match")
    return 0


def cmd_notices_readdress(args: argparse.Namespace) -> int:
    from presswatch import db
    from presswatch.notices import outbox

    with db.connect() as conn:
        readdressed, remaining = outbox.readdress(conn, codes=args.institution)
        if args.dry_run:
            conn.rollback()
        else:
            conn.commit()
    for notice in readdressed:
        print(
            f"{notice.reference_no}  {notice.kind}  {notice.institution_code}  -> "
            f"{notice.status}: {', '.join(notice.recipients)}"
        )
    verb = "would readdress" if args.dry_run else "readdressed"
    print(
        f"{verb} {len(readdressed)} undeliverable notice(s); "
        f"{remaining} still without an addressee in the registry"
    )
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    from presswatch import airflow_env, db, simulator
    from presswatch.demo import run

    env = airflow_env.environment()
    simulator_url = f"http://127.0.0.1:{run.SIMULATOR_PORT}"
    if simulator._healthy(simulator_url):  # `make demo` left it running: connectors use it
        with db.connect(db.domain_url()) as conn:
            env.update(simulator.airflow_connections(conn, simulator_url))
    print(airflow_env.shell_exports(env))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from presswatch import bench

    return bench.main()


# --- parser ---------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error of this command."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add(
    sub: argparse._SubParsersAction, name: str, handler: Callable, help_text: str
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="presswatch",
        description="Monitor how state institutions meet their public-communication duties.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db_parser = commands.add_parser(
        "db", help="the domain database", description="The domain database."
    )
    db_sub = db_parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    _add(db_sub, "migrate", cmd_db_migrate, "create the database if needed and apply migrations")
    _add(db_sub, "up", cmd_db_up, "start the embedded PostgreSQL unless PRESSWATCH_DB_URL is set")
    _add(db_sub, "url", cmd_db_url, "print the domain database URL")

    reg_parser = commands.add_parser(
        "registry", help="the institution registry", description="The institution registry."
    )
    reg_sub = reg_parser.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    imp = _add(
        reg_sub,
        "import",
        cmd_registry_import,
        "validate and upsert a registry folder of CSV files; bad rows go to quarantine "
        f"(exit {EXIT_QUARANTINED} if any row was quarantined)",
    )
    imp.add_argument("path", help="folder holding institutions.csv and the other registry files")
    imp.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="DATE",
        help="the day the changes take effect in the registry's history, YYYY-MM-DD "
        "(default: today in Asia/Tashkent)",
    )
    imp.add_argument(
        "--allow-mass-deactivation",
        action="store_true",
        help="deactivate what the folder no longer lists even beyond "
        "registry.max_deactivation_share of a table's active rows",
    )
    imp.add_argument("--dry-run", action="store_true", help="validate and report, then roll back")

    stories_parser = commands.add_parser(
        "stories",
        help="news stories (R3): what matching found, operators' decisions",
        description="News stories (R3): what matching found, operators' decisions.",
    )
    stories_sub = stories_parser.add_subparsers(
        dest="stories_command", metavar="ACTION", required=True
    )
    for action, text in (
        ("confirm", "confirm a story as critical, whatever its score (its clocks run)"),
        ("dismiss", "dismiss a story: not critical, whatever its score (its open clocks close)"),
    ):
        decide = _add(stories_sub, action, cmd_stories_decide, text)
        decide.add_argument("story_id", metavar="ID", type=_positive_int, help="the story's id")
        decide.add_argument("--by", metavar="NAME", help="who decides (default: your login)")
        decide.add_argument("--note", metavar="TEXT", help="why, for the record")
    clear = _add(
        stories_sub, "clear", cmd_stories_decide, "remove the decision: the score decides again"
    )
    clear.add_argument("story_id", metavar="ID", type=_positive_int, help="the story's id")
    show = _add(
        stories_sub,
        "show",
        cmd_stories_show,
        "the story, its feed items, the institutions matched (how), its score and the terms "
        "that gave it, the decision, responses and SLA clocks",
    )
    show.add_argument("story_id", metavar="ID", type=_positive_int, help="the story's id")
    respond = _add(
        stories_sub,
        "respond",
        cmd_stories_respond,
        "record an institution's response to a story (checked like the portal's: not before the "
        "story, not from another institution's account)",
    )
    respond.add_argument("story_id", metavar="ID", type=_positive_int, help="the story's id")
    respond.add_argument("--institution", required=True, metavar="CODE", help="who responded")
    respond.add_argument("--url", required=True, help="where the response is published")
    respond.add_argument(
        "--at", type=_aware_time, help="when (YYYY-MM-DDTHH:MM, Asia/Tashkent; default: now)"
    )
    respond.add_argument(
        "--channel",
        default="statement",
        choices=["social_post", "website", "press_release", "statement", "media_comment"],
        help="where it was published (default: statement)",
    )
    respond.add_argument(
        "--account", type=_account, metavar="PLATFORM:HANDLE", help="the account of a post"
    )
    respond.add_argument("--by", metavar="NAME", help="who enters it (default: your login)")
    rematch = _add(
        stories_sub,
        "rematch",
        cmd_stories_rematch,
        "match and score again the stories first seen since a day (after adding aliases); "
        "portal tags and manual matches stay, matches with an open clock stay",
    )
    rematch.add_argument(
        "--since", type=_iso_date, required=True, help="first day, YYYY-MM-DD (Asia/Tashkent)"
    )

    aliases_parser = commands.add_parser(
        "aliases",
        help="other names institutions are known by in stories",
        description="Other names institutions are known by in stories (R3 matching).",
    )
    aliases_sub = aliases_parser.add_subparsers(
        dest="aliases_command", metavar="ACTION", required=True
    )
    add_alias = _add(
        aliases_sub,
        "add",
        cmd_aliases_add,
        "add an alias (refused if it names no one institution: a common word, a place alone)",
    )
    add_alias.add_argument("institution_code", metavar="INSTITUTION_CODE")
    add_alias.add_argument("alias", metavar="ALIAS", help="the name as stories write it")
    add_alias.add_argument(
        "--language", choices=["uz-Latn", "uz-Cyrl", "ru", "en"], help="its language"
    )
    add_alias.add_argument(
        "--kind", choices=["extra", "short_name"], default="extra", help="default extra"
    )
    list_aliases = _add(
        aliases_sub, "list", cmd_aliases_list, "the institution's aliases with their match keys"
    )
    list_aliases.add_argument("institution_code", metavar="INSTITUTION_CODE")
    remove_alias = _add(
        aliases_sub,
        "remove",
        cmd_aliases_remove,
        "delete an operator's alias, or switch off one from the registry",
    )
    remove_alias.add_argument("alias_id", metavar="ID", type=_positive_int, help="from list")

    demo_parser = commands.add_parser("demo", help="demo data", description="Demo data.")
    demo_sub = demo_parser.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    seed = _add(
        demo_sub,
        "seed",
        cmd_demo_seed,
        "generate a deterministic registry and activity history at any scale",
    )
    seed.add_argument(
        "--institutions", type=_positive_int, default=300, help="how many (default 300)"
    )
    seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    seed.add_argument(
        "--days", type=_positive_int, default=365, help="days of history (default 365)"
    )
    seed.add_argument(
        "--end-date",
        type=_iso_date,
        default=None,
        help="last day of history, YYYY-MM-DD (default: yesterday in Asia/Tashkent)",
    )
    _add(demo_sub, "run", cmd_demo_run, "what `make demo` runs: database, migrations, demo data")

    notices_parser = commands.add_parser(
        "notices", help="official notices", description="Official notices."
    )
    notices_sub = notices_parser.add_subparsers(
        dest="notices_command", metavar="ACTION", required=True
    )
    preview = _add(
        notices_sub,
        "preview",
        cmd_notices_preview,
        "render a sample notice to an HTML file (and its plain-text twin) and print its path",
    )
    preview.add_argument("kind", help="notice kind, e.g. posting_lapse_weekly")
    preview.add_argument(
        "--lang", required=True, choices=["uz-Latn", "uz-Cyrl", "ru", "en"], help="language"
    )
    preview.add_argument("--out", help="output folder (default out/notices)")
    listing = _add(
        notices_sub,
        "list",
        cmd_notices_list,
        "list the newest notices, one line each: reference, kind, status, institution, "
        "recipients (or why it is undeliverable)",
    )
    listing.add_argument(
        "--status",
        choices=["pending", "sending", "sent", "failed", "suppressed", "undeliverable"],
        help="only notices with this status",
    )
    listing.add_argument("--kind", help="only notices of this kind, e.g. story_sla_breach")
    listing.add_argument("--institution", metavar="CODE", help="only this institution's notices")
    listing.add_argument(
        "--limit", type=_positive_int, default=50, help="how many at most (default 50)"
    )
    readdress = _add(
        notices_sub,
        "readdress",
        cmd_notices_readdress,
        "give undeliverable notices the registry's addressees as it stands now (pending, or "
        "suppressed if written by a backfill)",
    )
    readdress.add_argument(
        "--institution",
        metavar="CODE",
        action="append",
        help="only this institution's notices (repeatable)",
    )
    readdress.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )

    rating_parser = commands.add_parser(
        "rating",
        help="the semiannual rating (R10)",
        description="The semiannual rating (R10): compute, reproduce, dispute, finalize, report.",
    )
    rating_sub = rating_parser.add_subparsers(
        dest="rating_command", metavar="ACTION", required=True
    )
    rc = _add(rating_sub, "compute", cmd_rating_compute,
              "compute a half-year's rating with the current settings (provisional)")  # fmt: skip
    rc.add_argument("period", type=_half_year, metavar="PERIOD", help="e.g. 2025-H1")
    rc.add_argument("--new-version", action="store_true",
                    help="publish a new methodology version beside a published rating")  # fmt: skip
    rc.add_argument("--dry-run", action="store_true", help="compute, print, write nothing")
    rr = _add(rating_sub, "reproduce", cmd_rating_reproduce,
              "recompute a stored rating from the stored facts with its own methodology and "
              "report any difference (exit 1 if any)")  # fmt: skip
    rd = _add(rating_sub, "dispute", cmd_rating_dispute,
              "file an institution's correction of one indicator while the rating is "
              "provisional (applied when it becomes final), or --withdraw one")  # fmt: skip
    rd.add_argument("--institution", metavar="CODE", help="the institution's registry code")
    rd.add_argument("--indicator", help="r1..r9 or its weight's name, e.g. responsiveness")
    rd.add_argument("--value", help="the corrected value: 0.8, 80%% or n/a (not applicable)")
    rd.add_argument("--reason", help="why, as the press service states it")
    rd.add_argument("--evidence", action="append", metavar="LINK",
                    help="a link or document reference (repeatable; at least one)")  # fmt: skip
    rd.add_argument("--filed-by", default="operator", help="who files it (default operator)")
    rd.add_argument("--withdraw", type=_positive_int, metavar="ID",
                    help="withdraw a filed correction instead")  # fmt: skip
    rl = _add(rating_sub, "corrections", cmd_rating_corrections,
              "the corrections log of a rating: filed, withdrawn, applied")  # fmt: skip
    rf = _add(rating_sub, "finalize", cmd_rating_finalize,
              "make a provisional rating final now (before its window closes), its filed "
              "corrections applied, and write its accountability notices")  # fmt: skip
    rf.add_argument("--send-notices", action="store_true",
                    help="send them (only if the scorecards were sent); default: suppressed")  # fmt: skip
    rp = _add(rating_sub, "report", cmd_rating_report,
              "write the agency's report and the scorecards (HTML, PDF, CSV); print the paths")  # fmt: skip
    rp.add_argument("--institution", metavar="CODE", action="append",
                    help="only this institution's scorecard (repeatable)")  # fmt: skip
    rp.add_argument("--out", help="output folder (default out/reports)")
    for sub_parser in (rr, rd, rl, rf, rp):
        sub_parser.add_argument("period", type=_half_year, metavar="PERIOD", help="e.g. 2025-H1")
        sub_parser.add_argument("--version", type=_positive_int,
                                help="the rating version (default the newest)")  # fmt: skip

    sim = _add(
        commands,
        "simulator",
        cmd_simulator,
        "serve the platform APIs (Graph, X v2, Telegram, MediaWiki) from the demo database",
    )
    sim.add_argument("--port", type=_port, default=8765, help="TCP port (default 8765)")
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--background", action="store_true", help="detach; `presswatch stop` stops it")

    _add(
        commands,
        "env",
        cmd_env,
        'print shell exports for running `airflow` against this project (eval "$(presswatch env)")',
    )
    up_parser = _add(
        commands,
        "up",
        cmd_up,
        "Airflow on this machine on the demo data (UI, scheduler, DAG processor, triggerer, "
        "simulator, an SMTP sink), DAGs unpaused, until Ctrl-C or `presswatch stop`",
    )
    up_parser.add_argument(
        "--port", type=_port, default=8080, help="the UI's port (default 8080, else a free one)"
    )
    up_parser.add_argument(
        "--smtp-port", type=_port, default=8025, help="the SMTP sink's port (default 8025)"
    )
    up_parser.add_argument(
        "--simulator-port", type=_port, default=8765, help="the simulator's port (default 8765)"
    )
    up_parser.add_argument(
        "--no-pipelines",
        dest="pipelines",
        action="store_false",
        help="on a new database, load the demo world but run none of its pipelines first",
    )
    up_parser.add_argument(
        "--airflow-env",
        action="append",
        metavar="NAME=VALUE",
        help="an extra setting for the Airflow services, e.g. "
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=False (repeatable)",
    )
    _add(commands, "mail", cmd_mail, "list the mail `presswatch up`'s SMTP sink received")
    _add(commands, "stop", cmd_stop, "stop everything the project started in the background")
    _add(commands, "bench", cmd_bench, "run the national-scale benchmark")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except PresswatchError as exc:
        one_line = " ".join(str(exc).split())  # driver messages span lines; ours never do
        print(f"presswatch: error: {one_line}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
