"""The platform simulator on loopback, serving the session's test database.

One server for the whole session (uvicorn in a thread, stopped at the end); each test gets it
with no pending faults and an empty request log through the ``simulator`` fixture.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
import uvicorn

from presswatch.simulator import create_app

START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Simulator:
    """A running simulator: where it is, and its admin API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def url(self, path: str) -> str:
        """``path`` (e.g. ``/graph/v21.0/123``) on the simulator."""
        if not path.startswith("/"):
            raise ValueError(f"a simulator path starts with '/': {path!r}")
        return self.base_url + path

    def fault(self, platform: str, kind: str, times: int = 1, **extra) -> dict:
        """Queue ``times`` faults of ``kind`` for ``platform`` (extra: delay_seconds,
        retry_after, code, status, variant, path_contains)."""
        body = {"platform": platform, "kind": kind, "times": times, **extra}
        response = requests.post(self.url("/_sim/faults"), json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    def requests(self) -> list[dict]:
        """The platform requests served so far: method, path, query, status, platform, fault."""
        response = requests.get(self.url("/_sim/requests"), timeout=5)
        response.raise_for_status()
        return response.json()["requests"]

    def reset(self) -> None:
        for path in ("/_sim/faults", "/_sim/requests"):
            requests.delete(self.url(path), timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def _simulator_server(db_url):
    port = _free_port()
    config = uvicorn.Config(
        create_app(db_url),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        # A test that timed out on purpose must not hold the shutdown for long.
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="platform-simulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the simulator did not start on port {port}")
        time.sleep(0.02)
    yield Simulator(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(STOP_TIMEOUT_SECONDS)
    if thread.is_alive():
        raise RuntimeError("the simulator thread did not stop")


@pytest.fixture
def simulator(_simulator_server) -> Simulator:
    """The session's simulator with no pending faults and an empty request log."""
    _simulator_server.reset()
    return _simulator_server
