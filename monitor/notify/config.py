"""The `[delivery]` section of feeds.toml: how alerts leave the building.

Only addresses and knobs live here. Credentials come from environment
variables (see docs/delivery.md), and every base URL can be overridden from
the environment too, so tests and the demo point channels at 127.0.0.1.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from monitor.config import Duration, Strict

ChannelName = Literal["zalo_bot", "zns", "email", "webhook"]
DEFAULT_ORDER: tuple[ChannelName, ...] = ("zalo_bot", "zns", "email", "webhook")


class EmailSettings(Strict):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = ""
    ca_file: str = ""          # a private CA for the office's mail server; empty = system store
    timeout: Duration = 20.0


class ZaloBotSettings(Strict):
    base_url: str = "https://bot-api.zaloplatforms.com"
    max_chars: int = Field(2000, ge=200, le=2000)
    timeout: Duration = 15.0


class ZnsSettings(Strict):
    base_url: str = "https://business.openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    template_id: str = ""
    timeout: Duration = 15.0
    # Refresh this long before the access token's stated expiry.
    refresh_margin: Duration = 600.0


class WebhookSettings(Strict):
    url: str = ""
    timeout: Duration = 15.0


class Delivery(Strict):
    """Retry policy and channels. ``channels`` is the order tried for each contact."""

    channels: tuple[ChannelName, ...] = DEFAULT_ORDER
    max_attempts: int = Field(8, ge=1, le=50)
    backoff_base: Duration = 30.0
    backoff_max: Duration = 300.0
    # A row claimed longer ago than this was interrupted (crash) and is sent again, marked as a repeat.
    lease: Duration = 120.0
    email: EmailSettings = EmailSettings()
    zalo_bot: ZaloBotSettings = ZaloBotSettings()
    zns: ZnsSettings = ZnsSettings()
    webhook: WebhookSettings = WebhookSettings()

    @field_validator("channels")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a channel is listed twice")
        return value

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt: base, 2x base, ... capped."""
        return min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_max)
