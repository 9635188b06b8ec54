"""E-mail over SMTP (STARTTLS, SSL or plain on a trusted local relay), HTML + plain text.

smtplib runs in a worker thread; its exceptions are translated here: a refused
connection, a timeout or a 4xx SMTP reply is retryable, a 5xx reply is not.
"""
from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any, Mapping

from monitor.errors import DeliveryError
from monitor.notify import render
from monitor.notify.base import Message, NotConfigured, network_error
from monitor.notify.config import Delivery


class EmailNotifier:
    name = "email"

    def __init__(self, host: str, port: int, security: str, sender: str, user: str = "", password: str = "",
                 timeout: float = 20.0, ca_file: str = ""):
        self.host, self.port, self.security, self.sender = host, port, security, sender
        self.user, self._password, self.timeout, self.ca_file = user, password, timeout, ca_file
        self._client: smtplib.SMTP | None = None

    @classmethod
    def from_settings(cls, delivery: Delivery, env: Mapping[str, str], office_email: str = "", **_: Any) -> "EmailNotifier":
        settings = delivery.email
        host = env.get("MONITOR_SMTP_HOST") or settings.host
        port = int(env.get("MONITOR_SMTP_PORT") or settings.port)
        security = env.get("MONITOR_SMTP_SECURITY") or settings.security
        sender = env.get("MONITOR_SMTP_FROM") or settings.sender or office_email
        if not sender:
            raise NotConfigured("no sender address (delivery.email.sender or MONITOR_SMTP_FROM)")
        user, password = env.get("MONITOR_SMTP_USER", ""), env.get("MONITOR_SMTP_PASSWORD", "")
        if bool(user) != bool(password):
            raise NotConfigured("MONITOR_SMTP_USER and MONITOR_SMTP_PASSWORD must be set together")
        if user and security == "none" and host not in ("localhost", "127.0.0.1", "::1"):
            raise NotConfigured("refusing to send a password without TLS (delivery.email.security = 'none')")
        return cls(host, port, security, sender, user, password, settings.timeout, settings.ca_file)

    def address(self, contact: Any) -> str | None:
        return getattr(contact, "email", None) or None

    def build(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = render.subject(message)
        mail["From"] = self.sender
        mail["To"] = formataddr((render.one_line(message.contact_name), message.address))
        # Stable across repeats, so a client that saw the first copy can tell.
        mail["Message-ID"] = f"<{message.key}@edu-monitor.local>"
        mail["X-Monitor-Key"] = message.key
        if message.repeat:
            mail["X-Monitor-Repeat"] = "yes"
        mail.set_content(render.email_text(message))
        mail.add_alternative(render.email_html(message), subtype="html")
        return mail

    async def send(self, message: Message) -> None:
        mail = self.build(message)
        await asyncio.to_thread(self._send_sync, mail)

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                client.starttls(context=self._tls())
            if self.user:
                client.login(self.user, self._password)
        except BaseException:
            client.close()
            raise
        return client

    def _session(self) -> smtplib.SMTP:
        """The open session if the server still answers NOOP, else a new one (TLS and login cost a round trip
        or three; a burst of alerts shares one session)."""
        if self._client is not None:
            try:
                if self._client.noop()[0] == 250:
                    return self._client
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()
        self._client = self._connect()
        return self._client

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None

    def _send_sync(self, mail: EmailMessage) -> None:
        try:
            self._session().send_message(mail)
        except BaseException:
            self._drop()      # never reuse a session in an unknown state
            try:
                raise
            except smtplib.SMTPAuthenticationError as exc:
                raise DeliveryError(f"email: login refused by the server (SMTP {exc.smtp_code})",
                                    retryable=False) from None
            except smtplib.SMTPRecipientsRefused as exc:
                codes = sorted({code for code, _ in exc.recipients.values()})
                raise DeliveryError(f"email: recipient refused (SMTP {codes})",
                                    retryable=all(c < 500 for c in codes)) from None
            except smtplib.SMTPResponseException as exc:
                raise DeliveryError(f"email: server said {exc.smtp_code}", retryable=exc.smtp_code < 500) from None
            except smtplib.SMTPNotSupportedError:
                raise DeliveryError("email: the server does not offer STARTTLS", retryable=False) from None
            except ssl.SSLCertVerificationError:
                raise DeliveryError("email: the server's TLS certificate is not trusted", retryable=False) from None
            except (OSError, smtplib.SMTPException) as exc:
                raise network_error("email", exc) from None

    async def aclose(self) -> None:
        if self._client is not None:
            try:
                await asyncio.to_thread(self._client.quit)
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()
