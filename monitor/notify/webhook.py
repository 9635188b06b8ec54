"""A generic JSON webhook (e.g. the office's chat system or a ticket tracker).

It reaches every contact: the body names the recipient. The optional bearer
token comes from MONITOR_WEBHOOK_TOKEN; ``Idempotency-Key`` lets a receiver
drop a repeat.
"""
from __future__ import annotations

from typing import Any, Mapping

import httpx

from monitor.notify import render
from monitor.notify.base import Message, NotConfigured, guard_logs, post, status_error
from monitor.notify.config import Delivery


class WebhookNotifier:
    name = "webhook"

    def __init__(self, url: str, token: str = "", timeout: float = 15.0):
        self.url, self._token = url, token
        self._client = httpx.AsyncClient(timeout=timeout)
        guard_logs(token)

    @classmethod
    def from_settings(cls, delivery: Delivery, env: Mapping[str, str], **_: Any) -> "WebhookNotifier":
        url = env.get("MONITOR_WEBHOOK_URL") or delivery.webhook.url
        if not url:
            raise NotConfigured("no URL (delivery.webhook.url or MONITOR_WEBHOOK_URL)")
        return cls(url, env.get("MONITOR_WEBHOOK_TOKEN", ""), delivery.webhook.timeout)

    def address(self, contact: Any) -> str | None:
        return self.url

    async def send(self, message: Message) -> None:
        headers = {"Idempotency-Key": message.key}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        response = await post(self._client, self.name, self.url, json=render.webhook_body(message), headers=headers)
        if not response.is_success:
            raise status_error(self.name, response.status_code)

    async def aclose(self) -> None:
        await self._client.aclose()
