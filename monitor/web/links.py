"""Signed, expiring links for acknowledging and resolving an incident.

A token carries (incident, action, recipient, expiry) and an HMAC-SHA256 of
them under MONITOR_LINK_SECRET. Whoever holds the link may act once for that
recipient until it expires; a changed byte or a passed expiry is refused.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

ACTIONS = ("ack", "resolve")
SECRET_ENV = "MONITOR_LINK_SECRET"
MIN_SECRET_LENGTH = 16


class BadLink(Exception):
    """The link is forged, damaged, for another purpose, or expired; ``reason`` is shown to the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    incident_id: int
    action: str
    recipient: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: bytes) -> str:
    """HMAC-SHA256 cut to 128 bits: ample against forgery, and short links fit ZNS's 100-character parameters."""
    return _b64(hmac.new(secret.encode(), b"edu-monitor-link\0" + payload, hashlib.sha256).digest()[:16])


def sign(secret: str, incident_id: int, action: str, recipient: str, expires_at: datetime) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    payload = f"{int(incident_id)}:{action}:{int(expires_at.timestamp())}:{recipient}".encode()
    return f"{_b64(payload)}.{_mac(secret, payload)}"


def verify(secret: str, token: str, now: datetime) -> Grant:
    try:
        encoded, mac = token.split(".")
        payload = _unb64(encoded)
    except (ValueError, TypeError):
        raise BadLink("Liên kết không hợp lệ.") from None
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        raise BadLink("Liên kết không hợp lệ hoặc đã bị sửa.")
    incident, action, expires, recipient = payload.decode().split(":", 3)
    grant = Grant(int(incident), action, recipient, datetime.fromtimestamp(int(expires), timezone.utc))
    if grant.expires_at <= now:
        raise BadLink("Liên kết đã hết hạn. Vui lòng dùng liên kết trong cảnh báo mới nhất hoặc liên hệ Văn phòng Sở.")
    return grant


def links_for(public_url: str, secret: str, incident_id: int, recipient: str, now: datetime,
              lifetime: float) -> dict[str, str]:
    """The acknowledge and resolve URLs put in every alert."""
    expires = now + timedelta(seconds=lifetime)
    base = public_url.rstrip("/")
    return {action: f"{base}/l/{sign(secret, incident_id, action, recipient, expires)}" for action in ACTIONS}
