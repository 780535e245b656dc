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


def start(name: str, argv: list[str], log_name: str | None = None) -> int:
    """Start ``argv`` detached, in its own process group; record its pid under ``name``."""
    pidfile = _run_dir() / f"{name}.pid"
    if pidfile.exists():
        pid = int(pidfile.read_text())
        if _alive(pid):
            return pid
    log = open(_run_dir() / (log_name or f"{name}.log"), "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    pidfile.write_text(str(proc.pid))
    return proc.pid


def python_argv(*args: str) -> list[str]:
    return [sys.executable, *args]


def stop(name: str, timeout: float = 10.0) -> bool:
    """Stop the process group recorded under ``name``; False if none was running."""
    pidfile = _run_dir() / f"{name}.pid"
    if not pidfile.exists():
        return False
    pid = int(pidfile.read_text())
    pidfile.unlink()
    if not _alive(pid):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    return True


def stop_all() -> list[str]:
    return [p.stem for p in sorted(_run_dir().glob("*.pid")) if stop(p.stem)]
