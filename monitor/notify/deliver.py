"""The only retry loop: take due outbox rows, send each on its channel, record the outcome.

For each row: choose the channel (the first one in ``delivery.channels`` that
is switched on and can reach the contact), mark it 'sending' (committed),
send, mark it 'sent'. A retryable failure waits ``delivery.backoff(attempts)``;
after ``delivery.max_attempts`` or a failure that is not retryable, the row
falls over to the contact's next channel; with no channel left it is dead and
the admin contact gets a dead-letter notice. Rows go out one at a time, so a
crash can leave at most one message sent but not recorded.
"""
from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

import sqlite_utils

from monitor.errors import DeliveryError
from monitor.notify import outbox
from monitor.notify.alert import Alert
from monitor.notify.base import Message, Notifier
from monitor.notify.registry import build_registry, close_registry
from monitor.notify.render import KINDS, LEVELS
from monitor.store import open_store, utcnow
from monitor.web.links import MIN_SECRET_LENGTH, SECRET_ENV, links_for

log = logging.getLogger("monitor.notify")
ACTOR = "hệ thống gửi tin"   # the audit log is read by people: Vietnamese


def contacts(config) -> Mapping[str, Any]:
    return getattr(config, "contacts", None) or {}


def admin_key(config) -> str | None:
    return getattr(getattr(config, "escalation", None), "admin", None)


def audit(db: sqlite_utils.Database, incident_id: int, action: str, detail: str, now: datetime) -> None:
    """One line in the incident's audit log for each delivery event: sent, repeat, failed, dead_letter."""
    from monitor.escalation.incidents import audit as incident_audit

    incident_audit(db, incident_id, ACTOR, action, detail, now)


def row_key(row: dict, channel: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in row["recipient"])
    key = f"{row['incident_id']}.{safe}.{channel}.{row['level']}.{row['update_no']}"
    return key + (f".dl{row['dead_letter_of']}" if row["dead_letter_of"] else "")


def next_channel(config, registry: Mapping[str, Notifier], contact: Any, tried: set[str]) -> str | None:
    """The first channel, in configured order, that is on, can reach the contact and was not tried."""
    for name in config.delivery.channels:
        notifier = registry.get(name)
        if name not in tried and notifier is not None and notifier.address(contact):
            return name
    return None


def signed_links(config, alert: Alert, now: datetime, env: Mapping[str, str]) -> dict[str, str]:
    secret = env.get(SECRET_ENV, "")
    if len(secret) < MIN_SECRET_LENGTH or alert.kind == "resolved":
        return {}
    public = env.get("MONITOR_PUBLIC_URL") or config.web.public_url
    return links_for(public, secret, alert.incident_id, alert.recipient, now, config.web.link_lifetime)


class Deliverer:
    """One drain's state: config, channels, clock."""

    def __init__(self, db: sqlite_utils.Database, config, registry: Mapping[str, Notifier], now: datetime,
                 env: Mapping[str, str] | None = None):
        self.db, self.config, self.registry, self.now = db, config, registry, now
        self.env = os.environ if env is None else env
        self.policy = config.delivery

    async def run(self, limit: int = 200) -> int:
        """Rounds until nothing new is due, so a fallback row or a dead-letter notice goes out in the same call."""
        sent, seen = 0, set()
        while len(seen) < limit:
            rows = [r for r in outbox.due(self.db, self.now, self.policy.lease, limit) if r["id"] not in seen]
            if not rows:
                break
            for row in rows[: limit - len(seen)]:
                seen.add(row["id"])
                sent += await self.deliver(row)
        return sent

    async def deliver(self, row: dict) -> int:
        contact = contacts(self.config).get(row["recipient"])
        if contact is None:
            self.dead(row, f"không có người nhận '{row['recipient']}' trong cấu hình")
            return 0
        channel = row["channel"] or next_channel(self.config, self.registry, contact, set())
        notifier = self.registry.get(channel or "")
        address = notifier.address(contact) if notifier else None
        if not address:
            # Channel switched off since (or never possible): move on without spending an attempt.
            self.give_up(row, contact, f"{channel or 'không kênh nào'}: không dùng được cho người nhận này")
            return 0
        if not outbox.claim(self.db, row, channel, self.now):
            return 0
        alert = outbox.alert_from_json(row["payload"])
        message = Message(alert=alert, channel=channel, address=address, contact_name=contact_name(contact, row),
                          key=row_key(row, channel), office=self.config.office.name, tz=self.config.office.tz,
                          repeat=bool(row["repeat"]), links=signed_links(self.config, alert, self.now, self.env))
        try:
            await notifier.send(message)
        except DeliveryError as exc:
            self.failed(row, contact, exc)
            return 0
        except Exception as exc:  # a bug in a notifier must not leave the row 'sending' forever
            log.exception("notifier %s failed unexpectedly (incident=%s)", channel, row["incident_id"])
            self.failed(row, contact, DeliveryError(f"{channel}: internal error ({type(exc).__name__})", True))
            return 0
        outbox.mark_sent(self.db, row["id"], self.now)
        action = "repeat" if row["repeat"] else "sent"
        what = ", ".join(p for p in (KINDS.get(alert.kind) or "Cảnh báo mới", LEVELS.get(alert.level, alert.level),
                                     f"lần cập nhật {alert.update_no}" if alert.update_no else "",
                                     "gửi lại sau gián đoạn" if row["repeat"] else "") if p)
        audit(self.db, row["incident_id"], action, f"{channel} → {message.contact_name}: {what}", self.now)
        log.info("%s incident=%s recipient=%s channel=%s attempt=%d", action, row["incident_id"],
                 row["recipient"], channel, row["attempts"])
        return 1

    def failed(self, row: dict, contact: Any, exc: DeliveryError) -> None:
        error = str(exc)
        if error != row["last_error"]:  # log a repeated identical failure once
            log.warning("send failed incident=%s recipient=%s channel=%s attempt=%d: %s", row["incident_id"],
                        row["recipient"], row["channel"], row["attempts"], error)
        if exc.retryable and row["attempts"] < self.policy.max_attempts:
            wait = self.policy.backoff(row["attempts"])
            outbox.retry_later(self.db, row["id"], error, self.now + timedelta(seconds=wait))
            return
        self.give_up(row, contact, error)

    def give_up(self, row: dict, contact: Any, error: str) -> None:
        """This channel is done for this row: fall over to the next one, or declare the row dead."""
        tried = outbox.tried_channels(self.db, row) | ({row["channel"]} if row["channel"] else set())
        following = next_channel(self.config, self.registry, contact, tried)
        if following:
            outbox.fail_over(self.db, row, error, following, self.now)
            audit(self.db, row["incident_id"], "failed",
                  f"{row['channel'] or '-'} → {contact_name(contact, row)}: {error}; chuyển sang {following}", self.now)
            return
        self.dead(row, error, tried)

    def dead(self, row: dict, error: str, tried: set[str] = frozenset()) -> None:
        outbox.mark_dead(self.db, row["id"], error)
        name = contact_name(contacts(self.config).get(row["recipient"]), row)
        audit(self.db, row["incident_id"], "dead_letter",
              f"{name}: {error} (đã thử: {', '.join(sorted(tried)) or 'không kênh nào'})", self.now)
        log.error("dead letter incident=%s recipient=%s: %s", row["incident_id"], row["recipient"], error)
        self.tell_admin(row, name, error, tried)

    def tell_admin(self, row: dict, name: str, error: str, tried: set[str]) -> None:
        admin = admin_key(self.config)
        if row["dead_letter_of"]:
            log.critical("the dead-letter notice for incident %s could not be delivered either", row["incident_id"])
            return
        if not admin or admin not in contacts(self.config):
            log.critical("no admin contact (escalation.admin) to tell about a dead letter")
            return
        original = outbox.alert_from_json(row["payload"])
        notice = Alert(
            incident_id=original.incident_id, story_id=original.story_id, recipient=admin, level=original.level,
            kind="dead_letter", update_no=original.update_no,
            headline=f"Không gửi được cảnh báo tới {name}: {original.headline}",
            explanation=(f"Đã thử: {', '.join(sorted(tried)) or 'không kênh nào'}. Lỗi cuối: {error}. "
                         f"Hãy báo trực tiếp cho {name} và kiểm tra cấu hình kênh gửi."),
            topics=original.topics, places=original.places, items=original.items,
            first_seen=original.first_seen, created_at=self.now,
        )
        outbox.enqueue(self.db, notice, self.now, dead_letter_of=row["id"])


def contact_name(contact: Any, row: dict) -> str:
    return getattr(contact, "name", None) or row["recipient"]


async def drain(db: sqlite_utils.Database, config, now: datetime, registry: Mapping[str, Notifier] | None = None,
                limit: int = 200, env: Mapping[str, str] | None = None) -> int:
    """Send what is due at ``now``; returns how many messages went out.

    Without ``registry`` the channels are built from config and environment for this call and closed after.
    """
    own = registry is None
    if own:
        registry = build_registry(config, db, env, clock=lambda: now)
    try:
        return await Deliverer(db, config, registry, now, env).run(limit)
    finally:
        if own:
            await close_registry(registry)


async def delivery_loop(db: sqlite_utils.Database, config, stop: asyncio.Event, wake: asyncio.Event | None = None,
                        clock: Callable[[], datetime] = utcnow, interval: float = 5.0,
                        env: Mapping[str, str] | None = None) -> None:
    """The daemon's delivery worker: drain now, then whenever ``wake`` is set or every ``interval`` seconds."""
    wake = wake or asyncio.Event()
    registry = build_registry(config, db, env, clock=clock)
    try:
        recovered = outbox.recover(db)
        if recovered:
            log.warning("%d alert(s) were being sent when the last run stopped; sending again as repeats", recovered)
        while not stop.is_set():
            try:
                while await drain(db, config, clock(), registry, env=env):
                    pass
            except Exception:  # a bug must not stop delivery for good
                log.exception("delivery round failed")
            wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
    finally:
        await close_registry(registry)


def own_connection(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """A connection of our own to the same file: other workers' transactions (some run in threads)
    then never swallow or roll back an outbox update. An in-memory database is shared as it is."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return open_store(path, migrate=False) if path else db


async def worker(rt, stop: asyncio.Event) -> None:
    """The daemon's delivery worker (in ``monitor.daemon.WORKERS``): checks the outbox every second."""
    db = own_connection(rt.db)
    try:
        await delivery_loop(db, rt.config, stop, clock=rt.clock, interval=1.0)
    finally:
        if db is not rt.db:
            db.conn.close()
