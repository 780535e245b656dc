"""Background processes the project starts (the simulator, ...), tracked by pid files so that
``presswatch stop`` / ``make stop`` can stop them, and only them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from presswatch.paths import state_dir


def _run_dir() -> Path:
    path = state_dir() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start(
    name: str,
    argv: list[str],
    log_name: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Start ``argv`` detached, in its own process group; record its pid under ``name``.
    ``env``: its whole environment (default: this process's)."""
    pidfile = _run_dir() / f"{name}.pid"
    if pidfile.exists():
        pid = int(pidfile.read_text())
        if _alive(pid):
            return pid
    log = open(_run_dir() / (log_name or f"{name}.log"), "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
        cwd=cwd,
    )
    pidfile.write_text(str(proc.pid))
    return proc.pid


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group is left (a child of ours that ended is reaped first:
    a zombie still counts as a member)."""
    try:
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(name: str, timeout: float = 10.0) -> bool:
    """Stop the process group recorded under ``name`` (its leader and whatever it started, e.g.
    an Airflow scheduler's task processes, which outlive their parent); False if none was
    running. SIGTERM first, SIGKILL to what is left after ``timeout`` seconds."""
    pidfile = _run_dir() / f"{name}.pid"
    if not pidfile.exists():
        return False
    pid = int(pidfile.read_text())
    pidfile.unlink()
    if not _group_alive(pid):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.1)
    if _group_alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return True


def running(name: str) -> int | None:
    """The pid recorded under ``name`` if that process is alive."""
    pidfile = _run_dir() / f"{name}.pid"
    if not pidfile.exists():
        return None
    pid = int(pidfile.read_text())
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it was our child and ended
    except ChildProcessError:
        pass
    return pid if _alive(pid) else None


def recorded(name: str) -> bool:
    """Whether a pid file is kept under ``name`` (``stop`` removes it first)."""
    return (_run_dir() / f"{name}.pid").exists()


def log_path(name: str) -> Path:
    return _run_dir() / f"{name}.log"


def stop_all() -> list[str]:
    return [p.stem for p in sorted(_run_dir().glob("*.pid")) if stop(p.stem)]
