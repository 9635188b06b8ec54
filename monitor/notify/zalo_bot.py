"""Zalo Bot: a text message to a one-to-one chat with the office's bot.

``POST {base}/bot{TOKEN}/sendMessage`` with ``{"chat_id", "text"}`` answers
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"}``.
The token sits in the URL path, so no URL ever goes into an error or a log line.
"""
from __future__ import annotations

from typing import Any, Mapping

import httpx

from monitor.errors import DeliveryError
from monitor.notify import render
from monitor.notify.base import Message, NotConfigured, guard_logs, post, retryable_status
from monitor.notify.config import Delivery


class ZaloBotNotifier:
    name = "zalo_bot"

    def __init__(self, token: str, base_url: str, max_chars: int = 2000, timeout: float = 15.0):
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.max_chars = max_chars
        self._client = httpx.AsyncClient(timeout=timeout)
        guard_logs(token)

    @classmethod
    def from_settings(cls, delivery: Delivery, env: Mapping[str, str], **_: Any) -> "ZaloBotNotifier":
        token = env.get("MONITOR_ZALO_BOT_TOKEN", "")
        if not token:
            raise NotConfigured("MONITOR_ZALO_BOT_TOKEN is not set")
        base = env.get("MONITOR_ZALO_BOT_URL") or delivery.zalo_bot.base_url
        return cls(token, base, delivery.zalo_bot.max_chars, delivery.zalo_bot.timeout)

    def address(self, contact: Any) -> str | None:
        return getattr(contact, "zalo_chat_id", None) or None

    async def send(self, message: Message) -> None:
        text = render.short_text(message, self.max_chars)
        response = await post(self._client, self.name, f"{self.base_url}/bot{self._token}/sendMessage",
                              json={"chat_id": message.address, "text": text})
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.is_success and body.get("ok") is True:
            return
        code = body.get("error_code") if isinstance(body.get("error_code"), int) else response.status_code
        if response.is_success and not body:
            code = 502  # a 200 without the API's JSON: a proxy or an outage page
        description = str(body.get("description", ""))[:200].replace(self._token, "***")
        raise DeliveryError(f"zalo_bot: error {code}" + (f" ({description})" if description else ""),
                            retryable=retryable_status(code))

    async def aclose(self) -> None:
        await self._client.aclose()
