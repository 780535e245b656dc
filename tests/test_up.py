"""``make up`` (``presswatch up``): Airflow on this machine on the demo data, until Ctrl-C.

One ``presswatch up`` process for the module, on databases of its own (the demo world is loaded
into them; ``--no-pipelines`` skips ``make demo``'s pipeline runs, which other tests cover) and
a state folder of its own (pid files, logs, the SMTP sink's maildir), with the Airflow settings
of the test process removed from its environment, as on a user's machine.
"""

from __future__ import annotations

import html
import os
import re
import signal
import smtplib
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import psutil
import psycopg
import pytest
import requests

from presswatch import db
from presswatch.local_airflow import dag_ids, free_port

VENV_BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 240.0
STOP_TIMEOUT_SECONDS = 60.0


class UpProcess:
    def __init__(self, process: subprocess.Popen, output: Path, home: Path, urls: dict) -> None:
        self.process = process
        self.output = output
        self.home = home
        self.urls = urls
        self.ui_url = ""
        self.password = ""
        self.smtp_port = 0

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            text = self.text()
            match = re.search(r"Airflow UI\s+(\S+)/\s+\(user admin, password (\S+)\)", text)
            if match and "Ctrl-C" in text:
                self.ui_url, self.password = match.groups()
                self.smtp_port = int(re.search(r"127\.0\.0\.1:(\d+) ->", text).group(1))
                return
            if self.process.poll() is not None:
                pytest.fail(f"presswatch up exited with {self.process.returncode}:\n{text}")
            time.sleep(0.5)
        pytest.fail(
            f"presswatch up did not come up in {START_TIMEOUT_SECONDS:.0f} s:\n{self.text()}"
        )

    def pids(self) -> dict[str, int]:
        return {p.stem: int(p.read_text()) for p in (self.home / "run").glob("*.pid")}


def _group_members(pgids: set[int]) -> list[psutil.Process]:
    members = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) in pgids and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


@pytest.fixture(scope="module")
def up(server_url, tmp_path_factory):
    name = uuid.uuid4().hex[:8]
    urls = {
        "domain": db.with_database(server_url, f"presswatch_up_{name}"),
        "metadata": db.with_database(server_url, f"airflow_up_{name}"),
    }
    db.ensure_database(urls["domain"])
    home = tmp_path_factory.mktemp("up-home")
    output = home / "up.out"
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    env.update(
        {
            "PRESSWATCH_DB_URL": urls["domain"],
            "PRESSWATCH_AIRFLOW_DB_URL": urls["metadata"],
            "PRESSWATCH_HOME": str(home),
            "PYTHONUNBUFFERED": "1",
        }
    )
    args = ["up", "--no-pipelines", "--port", str(free_port()), "--smtp-port", str(free_port())]
    args += ["--simulator-port", str(free_port())]
    with open(output, "wb") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "presswatch"), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    running = UpProcess(process, output, home, urls)
    try:
        running.wait_up()
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for pid in running.pids().values():  # whatever a failed test left running
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        db.drop_database(urls["domain"])
        db.drop_database(urls["metadata"])


def _token(up: UpProcess) -> str:
    response = requests.post(
        f"{up.ui_url}/auth/token",
        json={"username": "admin", "password": up.password},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


def test_up_serves_the_ui_with_the_printed_login(up):
    assert requests.get(f"{up.ui_url}/api/v2/monitor/health", timeout=10).ok
    token = _token(up)
    response = requests.get(
        f"{up.ui_url}/api/v2/dags", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200
    assert {d["dag_id"] for d in response.json()["dags"]} == set(dag_ids())
    wrong = requests.post(
        f"{up.ui_url}/auth/token", json={"username": "admin", "password": "wrong"}, timeout=10
    )
    assert wrong.status_code in (401, 403)


def test_up_serves_the_presswatch_view_with_the_demo_data(up):
    anonymous = requests.get(f"{up.ui_url}/presswatch/institutions", allow_redirects=False,
                             timeout=10)  # fmt: skip
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/auth/login")
    response = requests.get(
        f"{up.ui_url}/presswatch/institutions", cookies={"_token": _token(up)}, timeout=30
    )
    assert response.status_code == 200, response.text[:500]
    with psycopg.connect(up.urls["domain"]) as conn:
        names = [name for (name,) in conn.execute("SELECT name_en FROM institution").fetchall()]
    assert len(names) == 28
    assert all(html.escape(name) in response.text for name in names)


def test_up_unpauses_every_dag_and_the_scheduler_runs_them(up):
    with psycopg.connect(up.urls["metadata"], autocommit=True) as conn:
        paused = dict(conn.execute("SELECT dag_id, is_paused FROM dag").fetchall())
        assert paused == {dag_id: False for dag_id in dag_ids()}
        deadline = time.monotonic() + 120
        states: list = []
        while time.monotonic() < deadline:
            states = conn.execute(
                "SELECT dag_id, state FROM dag_run WHERE run_type = 'scheduled'"
            ).fetchall()
            if ("notices_dispatch", "success") in states:
                break
            time.sleep(1)
    assert ("notices_dispatch", "success") in states, states


def test_up_sink_writes_mail_to_a_folder_and_lists_it(up):
    message = EmailMessage()
    message["From"] = "monitoring@aimc.example.uz"
    message["To"] = "press@ministry.example.uz"
    # Long and not ASCII: sent as encoded words folded over lines, listed on one line.
    subject = "Такрорий хабарнома: танқидий материалларга муносабат билдирилмаган (haftalik)"
    message["Subject"] = subject
    message.set_content("test")
    with smtplib.SMTP("127.0.0.1", up.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)
    assert list((up.home / "mail" / "new").iterdir())
    env = {**os.environ, "PRESSWATCH_HOME": str(up.home)}
    listed = subprocess.run(
        [str(VENV_BIN / "presswatch"), "mail"], env=env, capture_output=True, text=True, check=True
    )
    assert "press@ministry.example.uz" in listed.stdout
    assert subject in listed.stdout
    printed = f"mail: {subject!r} to press@ministry.example.uz"
    deadline = time.monotonic() + 10
    while printed not in up.text() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert printed in up.text()


def test_ctrl_c_stops_every_process_it_started(up):
    """Last in the module: Ctrl-C (SIGINT to the foreground process group) ends ``up`` with 0 and
    leaves no process of any group it started, nor a pid file."""
    pgids = set(up.pids().values())
    assert {"airflow-api-server", "airflow-scheduler", "airflow-dag-processor",
            "airflow-triggerer", "simulator", "smtp-sink"} <= set(up.pids())  # fmt: skip
    os.killpg(up.process.pid, signal.SIGINT)
    assert up.process.wait(STOP_TIMEOUT_SECONDS) == 0, up.text()
    assert _group_members(pgids) == []
    assert up.pids() == {}
    assert "stopped airflow-scheduler" in up.text()


def test_a_folded_subject_is_listed_on_one_line(tmp_path):
    """What the SMTP hook sent for a long subject: the header folded before its first word."""
    import mailbox

    from presswatch.demo.up import received_mail

    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(
        b"From: monitoring@aimc.example.uz\r\nTo: press@anticor.gov.example\r\n"
        b"Subject: \r\n Jurnalist va blogerlarni akkreditatsiya qilish muddati buzilgan (3 kun)\r\n"
        b"\r\nbody\r\n"
    )
    (mail,) = received_mail(tmp_path / "mail")
    assert mail.subject == "Jurnalist va blogerlarni akkreditatsiya qilish muddati buzilgan (3 kun)"
    assert mail.to == "press@anticor.gov.example"
