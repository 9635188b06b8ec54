"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

Used by `monitor demo` to show delivered alerts, by the tests, and by the
time-to-alert benchmark. It can be taken down and brought back on the same
port (a mail server outage), and can offer STARTTLS or implicit TLS with a
certificate made on the spot, plus AUTH LOGIN/PLAIN with one account.
"""
from __future__ import annotations

import email
import logging
import email.policy
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

# aiosmtpd logs a deprecation warning on every successful AUTH: noise for this server.
logging.getLogger("mail.log").setLevel(logging.ERROR)


@dataclass
class Received:
    at: float                 # time.time() when the DATA command finished
    peer: str                 # client address and port: one per SMTP session
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1/localhost (openssl)."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class _Handler:
    def __init__(self, server: "LocalSMTP"):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        fault = self.server._next_fault()
        if fault:
            return f"{fault} Requested action not taken (simulated)"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        peer = ":".join(str(part) for part in (session.peer or ("?",))[:2])
        self.server._store(Received(time.time(), peer, envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class LocalSMTP:
    """``security``: 'none', 'starttls' or 'ssl'. With ``user``/``password`` set, AUTH is required."""

    def __init__(self, port: int | None = None, security: str = "none", cert_dir: Path | None = None,
                 user: str = "", password: str = ""):
        self.host, self.port, self.security = "127.0.0.1", port or free_port(), security
        self.user, self.password = user, password
        self.received: list[Received] = []
        self.on_message = None            # called with each Received, in the server's thread
        self._faults: list[int] = []
        self._lock = threading.Condition()
        self._controller: Controller | None = None
        self.cert_file: Path | None = None
        if security != "none":
            self.cert_file, self._key_file = self_signed(cert_dir or Path("."))

    def _context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert_file), str(self._key_file))
        return context

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = getattr(auth_data, "login", b"") == self.user.encode() and \
            getattr(auth_data, "password", b"") == self.password.encode()
        return AuthResult(success=ok, handled=False)

    def start(self) -> "LocalSMTP":
        kwargs: dict = {}
        if self.security == "ssl":
            kwargs["ssl_context"] = self._context()
        elif self.security == "starttls":
            kwargs.update(tls_context=self._context(), require_starttls=True)
        if self.user and self.security != "none":
            # aiosmtpd cannot see implicit TLS, so under 'ssl' AUTH is offered but not demanded.
            required = self.security == "starttls"
            kwargs.update(authenticator=self._authenticate, auth_required=required, auth_require_tls=required)
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Take the server down (connections are refused until ``start`` again)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def fail(self, *codes: int) -> None:
        """Answer the next DATA commands with these SMTP reply codes (e.g. 451, 550)."""
        with self._lock:
            self._faults.extend(codes)

    def _next_fault(self) -> int | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def _store(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)
            self._lock.notify_all()
        if self.on_message:
            self.on_message(received)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until at least ``count`` messages arrived (or the timeout); return them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            return list(self.received)

    def __enter__(self) -> "LocalSMTP":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
