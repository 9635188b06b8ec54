"""What every channel implements, and the retry rule they all share.

A notifier sends one message and raises ``DeliveryError(retryable=...)`` when
it cannot; retries, backoff and fallback live only in ``monitor.notify.deliver``
(alertmanager's Notifier/RetryStage split). A channel whose credentials are
absent raises ``NotConfigured`` from ``from_settings`` and is switched off with
one log line (scrapy's NotConfigured).

Retry rule: HTTP 5xx, 429 and network errors are retryable; every other 4xx is not.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httpx

from monitor.errors import DeliveryError
from monitor.notify.alert import Alert


class NotConfigured(Exception):
    """Raised by a channel factory when the channel cannot run here (missing credentials)."""


@dataclass(frozen=True)
class Message:
    """One alert, rendered for one contact on one channel."""

    alert: Alert
    channel: str
    address: str                   # e-mail address, Zalo chat id, phone 84..., or the webhook URL
    contact_name: str
    key: str                       # incident.recipient.channel.level.update: stable across repeats
    office: str = ""
    tz: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
    repeat: bool = False
    links: dict[str, str] = field(default_factory=dict)   # "ack", "resolve" -> signed URLs


class Notifier(Protocol):
    name: str

    def address(self, contact: Any) -> str | None:
        """This contact's address on this channel, or None when the channel cannot reach them."""

    async def send(self, message: Message) -> None:
        """Send one message; raise DeliveryError(retryable=...) on failure."""

    async def aclose(self) -> None:
        ...


def retryable_status(status: int) -> bool:
    """The shared rule: 5xx and 429 are worth retrying, other 4xx are not."""
    return status >= 500 or status == 429


def status_error(channel: str, status: int, detail: str = "") -> DeliveryError:
    text = f"{channel}: HTTP {status}" + (f" ({detail[:200]})" if detail else "")
    return DeliveryError(text, retryable=retryable_status(status))


def network_error(channel: str, exc: Exception) -> DeliveryError:
    """A transport failure: retryable. Only the exception's class is kept: its text may carry a URL."""
    return DeliveryError(f"{channel}: network error ({type(exc).__name__})", retryable=True)


async def post(client: httpx.AsyncClient, channel: str, url: str, **kwargs) -> httpx.Response:
    """POST and translate transport failures at the boundary (never leaking the URL)."""
    try:
        return await client.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise network_error(channel, exc) from None


class Redact(logging.Filter):
    """Replaces secrets in log records of libraries that log full URLs (httpx logs every request)."""

    def __init__(self, *secrets: str):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if any(secret in text for secret in self.secrets):
            for secret in self.secrets:
                text = text.replace(secret, "***")
            record.msg, record.args = text, None
        return True


def guard_logs(*secrets: str) -> Redact:
    """Install a redacting filter on the loggers of our HTTP stack."""
    redact = Redact(*secrets)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).addFilter(redact)
    return redact
