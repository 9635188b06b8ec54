"""Zalo ZNS: a registered template message to a phone number, for people who have not opened the bot.

Send: ``POST {base}/message/template`` with header ``access_token`` and JSON
``{phone, template_id, template_data, tracking_id}``; the answer is
``{"error": 0, "data": {"msg_id": ...}}`` or a nonzero ``error``. Error -124
(invalid or expired access token) refreshes the token and tries once more.
Refresh: ``POST {oauth}/v4/oa/access_token`` (form ``refresh_token``,
``app_id``, ``grant_type=refresh_token``; header ``secret_key``).
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, Callable, Mapping

import httpx
import sqlite_utils

from monitor.errors import DeliveryError
from monitor.notify import render, zalo_oauth
from monitor.notify.base import Message, NotConfigured, guard_logs, post, status_error
from monitor.notify.config import Delivery
from monitor.store import utcnow

TOKEN_INVALID = -124
# ZNS errors worth another try later: -100 (unknown error on Zalo's side), -32 (request rate exceeded).
RETRYABLE_ERRORS = {-100, -32}


def zalo_phone(phone: str | None) -> str | None:
    """'0912 345 678', '+84912345678' or '84912345678' -> '84912345678'; None when it is not a mobile number."""
    digits = re.sub(r"[^\d]", "", phone or "")
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits if re.fullmatch(r"84\d{9}", digits) else None


class ZnsNotifier:
    name = "zns"

    def __init__(self, db: sqlite_utils.Database, app_id: str, secret: str, template_id: str, base_url: str,
                 oauth_url: str, refresh_margin: float = 600.0, timeout: float = 15.0,
                 clock: Callable[[], datetime] = utcnow):
        self.db, self.app_id, self._secret, self.template_id = db, app_id, secret, template_id
        self.base_url, self.oauth_url = base_url.rstrip("/"), oauth_url.rstrip("/")
        self.refresh_margin, self.clock = refresh_margin, clock
        self._client = httpx.AsyncClient(timeout=timeout)
        self._redact = guard_logs(secret)

    @classmethod
    def from_settings(cls, delivery: Delivery, env: Mapping[str, str], db: sqlite_utils.Database | None = None,
                      clock: Callable[[], datetime] = utcnow, **_: Any) -> "ZnsNotifier":
        settings = delivery.zns
        app_id, secret = env.get("MONITOR_ZALO_APP_ID", ""), env.get("MONITOR_ZALO_APP_SECRET", "")
        seed = env.get("MONITOR_ZALO_REFRESH_TOKEN", "")
        template_id = env.get("MONITOR_ZNS_TEMPLATE_ID") or settings.template_id
        missing = [name for name, value in (("MONITOR_ZALO_APP_ID", app_id), ("MONITOR_ZALO_APP_SECRET", secret),
                                            ("delivery.zns.template_id", template_id)) if not value]
        if db is None:
            missing.append("a database")
        elif app_id and not seed and zalo_oauth.load(db, app_id) is None:
            missing.append("MONITOR_ZALO_REFRESH_TOKEN")
        if missing:
            raise NotConfigured(", ".join(missing) + " not set")
        if seed:
            zalo_oauth.seed(db, app_id, seed, clock())
        return cls(db, app_id, secret, template_id,
                   env.get("MONITOR_ZNS_URL") or settings.base_url,
                   env.get("MONITOR_ZALO_OAUTH_URL") or settings.oauth_url,
                   settings.refresh_margin, settings.timeout, clock)

    def address(self, contact: Any) -> str | None:
        return zalo_phone(getattr(contact, "phone", None))

    async def access_token(self) -> str:
        pair = zalo_oauth.load(self.db, self.app_id)
        if pair is None:
            raise DeliveryError("zns: no refresh token stored; set MONITOR_ZALO_REFRESH_TOKEN", retryable=False)
        if pair.fresh(self.clock(), self.refresh_margin):
            return pair.access_token
        return await self.refresh()

    async def refresh(self) -> str:
        """Spend the stored refresh token, persist the new pair at once, return the access token."""
        pair = zalo_oauth.load(self.db, self.app_id)
        response = await post(self._client, "zns", f"{self.oauth_url}/v4/oa/access_token",
                              data={"refresh_token": pair.refresh_token, "app_id": self.app_id,
                                    "grant_type": "refresh_token"},
                              headers={"secret_key": self._secret})
        if not response.is_success:
            raise status_error("zns: token refresh", response.status_code)
        body = _json(response)
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not (access and refresh):
            code = body.get("error", "?")
            raise DeliveryError(f"zns: the refresh token was refused (error {code}); issue a new one and set "
                                "MONITOR_ZALO_REFRESH_TOKEN", retryable=False)
        self._redact.secrets.extend([access, refresh])
        saved = zalo_oauth.save(self.db, self.app_id, access, float(body.get("expires_in") or 90000),
                                refresh, self.clock())
        return saved.access_token

    async def send(self, message: Message) -> None:
        body = await self._send(message, await self.access_token())
        if body.get("error") == TOKEN_INVALID:
            body = await self._send(message, await self.refresh())
        error = body.get("error")
        if error == 0:
            return
        raise DeliveryError(f"zns: error {error} ({str(body.get('message', ''))[:120]})",
                            retryable=error in RETRYABLE_ERRORS)

    async def _send(self, message: Message, token: str) -> dict:
        payload = {
            "phone": message.address,
            "template_id": self.template_id,
            "template_data": render.zns_data(message),
            "tracking_id": hashlib.sha1(message.key.encode()).hexdigest()[:32],
        }
        response = await post(self._client, self.name, f"{self.base_url}/message/template",
                              json=payload, headers={"access_token": token})
        if not response.is_success:
            raise status_error(self.name, response.status_code)
        body = _json(response)
        if "error" not in body:
            raise DeliveryError("zns: answer without an error field", retryable=True)
        return body

    async def aclose(self) -> None:
        await self._client.aclose()


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
