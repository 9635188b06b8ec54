"""Channels by name. Adding one means adding a line to CHANNELS, never an if-chain."""
from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Callable, Mapping

import sqlite_utils

from monitor.notify.base import Notifier, NotConfigured
from monitor.notify.email import EmailNotifier
from monitor.notify.webhook import WebhookNotifier
from monitor.notify.zalo_bot import ZaloBotNotifier
from monitor.notify.zns import ZnsNotifier
from monitor.store import utcnow

log = logging.getLogger(__name__)

CHANNELS: dict[str, Callable[..., Notifier]] = {
    "email": EmailNotifier.from_settings,
    "zalo_bot": ZaloBotNotifier.from_settings,
    "zns": ZnsNotifier.from_settings,
    "webhook": WebhookNotifier.from_settings,
}


def build_registry(config, db: sqlite_utils.Database | None = None, env: Mapping[str, str] | None = None,
                   clock: Callable[[], datetime] = utcnow) -> dict[str, Notifier]:
    """The configured channels, in ``delivery.channels`` order; each absent one is logged once and left out."""
    env = os.environ if env is None else env
    registry: dict[str, Notifier] = {}
    for name in config.delivery.channels:
        try:
            registry[name] = CHANNELS[name](config.delivery, env, db=db, clock=clock,
                                            office_email=config.office.contact_email)
        except NotConfigured as reason:
            log.info("channel %s is off: %s", name, reason)
    return registry


async def close_registry(registry: Mapping[str, Notifier]) -> None:
    for notifier in registry.values():
        await notifier.aclose()
