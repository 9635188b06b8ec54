"""The daemon's escalation timer: ``engine.tick`` every ``TICK`` seconds.

``engine.process`` runs at the end of each poll cycle (monitor.daemon); this
worker covers what only time changes: acknowledgement timeouts, repeats,
deadline reminders, the end of quiet hours and of silences.
"""
from __future__ import annotations

import asyncio
import logging

from monitor.escalation.engine import tick

log = logging.getLogger("monitor.escalation")
TICK = 30.0


async def worker(rt, stop: asyncio.Event, interval: float = TICK) -> None:
    """In ``monitor.daemon.WORKERS``; a failing tick is logged and retried at the next one."""
    while not stop.is_set():
        try:
            alerts = tick(rt.db, rt.config, rt.clock())
            if alerts:
                log.info("timers: %d alerts queued (%s)", len(alerts),
                         ", ".join(sorted({f"{a.kind} #{a.incident_id}" for a in alerts})))
        except Exception:
            log.exception("escalation tick failed; retrying at the next tick")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass
