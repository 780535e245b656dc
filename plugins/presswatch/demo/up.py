"""``make up``: Airflow on this machine without Docker, on the demo data, until Ctrl-C.

Steps: what ``make demo`` prepares (the database server, embedded unless ``PRESSWATCH_DB_URL``
is set; the domain schema; Airflow's metadata database; the platform simulator), the demo world
and its pipeline runs the first time (``make demo``'s, so that the presswatch view has a rating,
stories and notices to show; kept as they are on later starts), a local SMTP sink that writes
every message it receives into a maildir folder, then Airflow's API server (UI, public API, the
presswatch view), scheduler, DAG processor and triggerer, with every project DAG unpaused. It
prints the UI's address and login and stays in the foreground, printing each mail the sink
receives; Ctrl-C (or ``make stop`` from another terminal) stops everything it started.

The scheduler runs the DAGs on their schedules from today (``catchup=False``: each DAG's latest
interval only), against the simulator; notices of scheduled runs are sent to the sink.
"""

from __future__ import annotations

import argparse
import mailbox
import signal
import time
from dataclasses import dataclass
from email.header import decode_header, make_header
from pathlib import Path

from presswatch import db, local_airflow, processes
from presswatch.errors import PresswatchError
from presswatch.paths import state_dir

SMTP_SINK = "smtp-sink"
UI_PORT = 8080
SMTP_PORT = 8025
FROM_EMAIL = "monitoring@aimc.example.uz"
POLL_SECONDS = 1.0


def mail_dir() -> Path:
    return state_dir() / "mail"


@dataclass(frozen=True)
class Mail:
    key: str
    received: float
    sender: str
    to: str
    subject: str


def received_mail(folder: Path | None = None) -> list[Mail]:
    """The messages the sink has written, oldest first."""
    folder = folder or mail_dir()
    if not (folder / "new").exists():
        return []
    box = mailbox.Maildir(folder, create=False)
    mails = []
    for key, message in box.iteritems():
        mails.append(
            Mail(
                key=key,
                received=message.get_date(),
                sender=str(message.get("From", "")),
                to=str(message.get("To", "")),
                # A long subject comes folded over lines: shown on one.
                subject=" ".join(
                    str(make_header(decode_header(message.get("Subject", "")))).split()
                ),
            )
        )
    return sorted(mails, key=lambda mail: (mail.received, mail.key))


def start_smtp_sink(port: int) -> None:
    """aiosmtpd's Mailbox handler on 127.0.0.1:``port``, writing to ``mail_dir()``."""
    import smtplib

    folder = mail_dir()
    mailbox.Maildir(folder, create=True)  # its tmp/new/cur folders (the handler makes none)
    argv = processes.python_argv("-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
                                 "aiosmtpd.handlers.Mailbox", str(folder))  # fmt: skip
    pid = processes.start(SMTP_SINK, argv)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as smtp:
                smtp.noop()
            return
        except OSError:
            if not processes.running(SMTP_SINK):
                break
            time.sleep(0.2)
    raise PresswatchError(
        f"the SMTP sink (pid {pid}) did not answer on 127.0.0.1:{port}; see "
        f"{processes.log_path(SMTP_SINK)}"
    )


def smtp_connection(port: int) -> str:
    return f"smtp://127.0.0.1:{port}?disable_tls=true&disable_ssl=true&from_email={FROM_EMAIL}"


def _demo_done(domain: str) -> bool:
    """Whether the demo's pipelines have run on this database (its half-year is rated)."""
    from presswatch.demo.run import DEMO_HALF_YEAR

    with db.connect(domain) as conn:
        row = conn.execute(
            "SELECT 1 FROM rating WHERE period = %s LIMIT 1", [str(DEMO_HALF_YEAR)]
        ).fetchone()
    return row is not None


def _world_seeded(domain: str) -> bool:
    import psycopg

    try:
        with db.connect(domain) as conn:
            (count,) = conn.execute("SELECT count(*) FROM institution").fetchone()
    except (psycopg.Error, PresswatchError):
        return False
    return count > 0


class _Stop(Exception):
    pass


def _raise_stop(signum, frame) -> None:
    raise _Stop(signal.Signals(signum).name)


def up(args: argparse.Namespace) -> int:
    from presswatch import airflow_env
    from presswatch.demo import run

    started = time.perf_counter()
    summary: list[tuple[str, str]] = []
    # Ctrl-C and `kill` (what `make stop` sends to the process groups it stops) end the wait below
    # and stop what was started, even during the set-up.
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        domain_seeded = _world_seeded(db.domain_url())
        domain, env = run.prepare(
            summary, simulator_port=args.simulator_port, seed=not domain_seeded
        )
        if args.pipelines and not _demo_done(domain):
            run.run_pipelines(domain, env, summary)

        smtp_port = local_airflow.free_port(args.smtp_port)
        run._step(f"SMTP sink on 127.0.0.1:{smtp_port}, mail to {mail_dir()}")
        start_smtp_sink(smtp_port)
        env["AIRFLOW_CONN_SMTP_DEFAULT"] = smtp_connection(smtp_port)

        port = local_airflow.free_port(args.port)
        env = local_airflow.service_environment(env, port)
        # The demo's DAGs run on their schedules from now on (the latest interval of each).
        env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] = "False"
        env.update(dict(item.split("=", 1) for item in args.airflow_env or []))
        airflow = local_airflow.LocalAirflow(env=env, port=port)
        run._step(f"Airflow: {', '.join(airflow.services)} on {airflow.base_url}")
        airflow.start()
        dags = local_airflow.dag_ids()
        airflow.wait_for_dags(dags)
        airflow.set_paused(dags, False)
    except (KeyboardInterrupt, _Stop):
        print("\ninterrupted while starting; stopping what was started")
        _stop_everything()
        return 130
    except BaseException:
        _stop_everything()
        raise

    password = local_airflow.ui_password(Path(env["AIRFLOW_HOME"]))
    print()
    print(f"presswatch is up in {time.perf_counter() - started:.0f} s")
    for name, text in [
        ("Airflow UI", f"{airflow.base_url}/  (user {local_airflow.UI_USER}, password {password})"),
        ("presswatch view", f"{airflow.base_url}/presswatch/"),
        ("DAGs unpaused", ", ".join(dags)),
        ("database", db.redact(domain)),
        ("Airflow metadata", db.redact(airflow_env.metadata_url(domain))),
        ("mail (SMTP sink)", f"127.0.0.1:{smtp_port} -> {mail_dir()}  (`presswatch mail`)"),
        ("logs", str(processes.log_path(SMTP_SINK).parent)),
    ]:
        print(f"  {name:<17} {text}")
    print("Ctrl-C, or `make stop` in another terminal, stops everything.", flush=True)
    return _watch(airflow)


def _watch(airflow) -> int:
    """Print each mail the sink receives until interrupted or until a service stops."""
    seen = {mail.key for mail in received_mail()}
    try:
        while True:
            time.sleep(POLL_SECONDS)
            for mail in received_mail():
                if mail.key not in seen:
                    seen.add(mail.key)
                    print(f"mail: {mail.subject!r} to {mail.to}", flush=True)
            stopped = airflow.dead_service()
            if stopped:
                if not processes.recorded(airflow.prefix + stopped):
                    # `presswatch stop` removes a pid file before it stops the process.
                    print(f"airflow {stopped} was stopped (`make stop`); stopping", flush=True)
                    _stop_everything()
                    return 0
                print(f"airflow {stopped} exited; its log ends with:", flush=True)
                print(local_airflow.tail(airflow.log_path(stopped)), flush=True)
                _stop_everything()
                return 1
    except (KeyboardInterrupt, _Stop):
        print("\nstopping", flush=True)
        _stop_everything()
        return 0


def _stop_everything() -> None:
    """What ``make stop`` does: every process group the project recorded, then the embedded
    database server."""
    from presswatch import dbserver

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping
    try:
        for name in processes.stop_all():
            print(f"stopped {name}", flush=True)
        if dbserver.stop():
            print("stopped the embedded PostgreSQL", flush=True)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def list_mail(args: argparse.Namespace) -> int:
    mails = received_mail()
    if not mails:
        print(f"no mail in {mail_dir()}")
        return 0
    for mail in mails:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(mail.received))
        print(f"{when}  {mail.to:<40} {mail.subject}")
    print(f"{len(mails)} message(s) in {mail_dir()}")
    return 0
