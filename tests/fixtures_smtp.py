"""A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        # address -> reply for RCPT TO, e.g. "550 5.1.1 mailbox unavailable" or "451 try later"
        self.rcpt_replies: dict[str, str] = {}
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()
            self.rcpt_replies.clear()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.host = "127.0.0.1"
        self.port = _free_port()
        self._controller = Controller(self.inbox, hostname=self.host, port=self.port)

    @property
    def messages(self):
        return self.inbox.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def connection_uri(self, from_email: str = "monitoring@aimc.example.uz") -> str:
        """The Airflow SMTP connection for this server (AIRFLOW_CONN_SMTP_DEFAULT)."""
        return (
            f"smtp://{self.host}:{self.port}?disable_tls=true&disable_ssl=true"
            f"&from_email={from_email}"
        )


@pytest.fixture(scope="session")
def _smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(_smtp_server, monkeypatch):
    """A running SMTP server with an empty inbox, set as the Airflow connection smtp_default."""
    _smtp_server.inbox.clear()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", _smtp_server.connection_uri())
    return _smtp_server
