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
        report = registry.import_folder(conn, Path(args.path))
    print(report.summary())
    for reason in report.reasons[:20]:
        print(f"  quarantined: {reason}")
    if len(report.reasons) > 20:
        print(f"  ... and {len(report.reasons) - 20} more (see the quarantine table)")
    return EXIT_QUARANTINED if report.quarantined else 0


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


# --- simulator, stop ------------------------------------------------------------------------


def cmd_simulator(args: argparse.Namespace) -> int:
    from presswatch import simulator

    simulator.run(host=args.host, port=args.port, background=args.background)
    return 0


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
