"""Turning decisions into alerts: who is told what, recorded and queued in one transaction.

Each alert is written to ``notifications`` (our notification log: one row
per incident, recipient, level and update number) and handed to the outbox
in the caller's transaction, so a crash loses or duplicates nothing planned.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from monitor.escalation import decisions
from monitor.escalation.decisions import NotifyReason, Sent
from monitor.escalation.hotness import duration_words
from monitor.escalation.incidents import SYSTEM, Incident, audit, get
from monitor.escalation.routes import Facts, recipients
from monitor.escalation.silences import active
from monitor.escalation.stories import ALERT_ITEMS, outlet_of
from monitor.escalation.words import KIND_NAMES, REASON_NAMES, level_name
from monitor.notify.alert import Alert, AlertItem
from monitor.store import iso, parse_iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    key: str
    via: str
    sent: Sent
    held_since: datetime | None


# ---------------------------------------------------------------- reading state

def recipients_of(db: sqlite_utils.Database, incident_id: int) -> list[Recipient]:
    rows = db.execute(
        """SELECT recipient, via, level, updates, last_sent_at, outlets_at_last, held_since
           FROM incident_recipients WHERE incident_id = ? ORDER BY added_at, rowid""",
        [incident_id],
    ).fetchall()
    return [Recipient(r[0], r[1], Sent(r[2], r[3], parse_iso(r[4]), r[5]), parse_iso(r[6])) for r in rows]


def add_recipient(db, incident_id: int, key: str, via: str, now: datetime) -> None:
    db.execute("INSERT OR IGNORE INTO incident_recipients (incident_id, recipient, via, added_at) VALUES (?, ?, ?, ?)",
               [incident_id, key, via, iso(now)])


@dataclass(frozen=True)
class StoryView:
    """The stored story as alerts show it."""

    id: int
    title: str
    first_seen: datetime
    explanation: str
    item_count: int
    outlet_count: int
    topics: tuple[str, ...]
    places: tuple[str, ...]
    items: tuple[AlertItem, ...]


def story_view(db: sqlite_utils.Database, story_id: int) -> StoryView:
    row = db.execute(
        "SELECT title, first_seen, explanation, item_count, outlet_count, topics, places FROM stories WHERE id = ?",
        [story_id],
    ).fetchone()
    items = db.execute(
        """SELECT i.title, i.url, i.source, COALESCE(s.reach, 'national'), si.seen_at
           FROM story_items si JOIN items i ON i.id = si.item_id LEFT JOIN sources s ON s.name = i.source
           WHERE si.story_id = ? ORDER BY si.seen_at DESC, i.id DESC LIMIT ?""",
        [story_id, ALERT_ITEMS],
    ).fetchall()
    return StoryView(
        story_id, row[0], parse_iso(row[1]), row[2], row[3], row[4], tuple(json.loads(row[5])), tuple(json.loads(row[6])),
        tuple(AlertItem(t or "", outlet_of(url, source, reach, t or ""), url, parse_iso(seen))
              for t, url, source, reach, seen in items),
    )


# ---------------------------------------------------------------- sending

def send(db: sqlite_utils.Database, incident: Incident, view: StoryView, recipient: str, kind: str,
         reason: str, now: datetime, note: str = "") -> Alert:
    """Record and queue one alert at the incident's level."""
    from monitor.notify.outbox import enqueue

    level = incident.level
    update_no = db.execute(
        "SELECT COUNT(*) FROM notifications WHERE incident_id = ? AND recipient = ? AND level = ?",
        [incident.id, recipient, level],
    ).fetchone()[0]
    db.execute(
        """INSERT INTO notifications (incident_id, recipient, level, update_no, kind, reason, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [incident.id, recipient, level, update_no, kind, reason, iso(now)],
    )
    explanation = f"{note} {view.explanation}".strip() if note else view.explanation
    alert = Alert(
        incident_id=incident.id, story_id=view.id, recipient=recipient, level=level, kind=kind, update_no=update_no,
        headline=view.title, explanation=explanation, topics=view.topics, places=view.places, items=view.items,
        first_seen=view.first_seen, created_at=now,
    )
    enqueue(db, alert, now)
    audit(db, incident.id, SYSTEM, "notify", f"{KIND_NAMES.get(kind, kind)} ({REASON_NAMES.get(reason, reason)}), "
                                             f"mức {level_name(level)} → {recipient}", now)
    return alert


def _mark_sent(db, incident_id: int, recipient: str, level: str, reason: NotifyReason, view: StoryView,
               now: datetime) -> None:
    updates = "updates + 1" if reason == NotifyReason.GREW else "0"
    db.execute(
        f"""UPDATE incident_recipients SET level = ?, updates = {updates}, last_sent_at = ?, outlets_at_last = ?,
                items_at_last = ?, held_since = NULL WHERE incident_id = ? AND recipient = ?""",
        [level, iso(now), view.outlet_count, view.item_count, incident_id, recipient],
    )


def _started(db, incident: Incident, config, now: datetime) -> Incident:
    """The first alert went out: start the acknowledgement clock and the response deadline."""
    if incident.first_alert_at is not None:
        return incident
    deadline = decisions.deadline_for(now, incident.level, config.escalation)
    db.execute("UPDATE incidents SET first_alert_at = ?, escalated_at = ?, deadline_at = ?, updated_at = ? WHERE id = ?",
               [iso(now), iso(now), iso(deadline), iso(now), incident.id])
    return get(db, incident.id)


def _silence(db, incident: Incident, facts: Facts, now: datetime):
    """The silence muting this incident now, if any (noted once in the audit log)."""
    found = decisions.silenced_by(active(db, now), incident.story_id, facts.topics, facts.place_keys, now)
    if found and incident.silence_id != found.id:
        db.execute("UPDATE incidents SET silence_id = ? WHERE id = ?", [found.id, incident.id])
        audit(db, incident.id, SYSTEM, "silenced",
              f"tắt cảnh báo #{found.id} ({found.scope}: {found.value}) đến {iso(found.until)}: {found.reason}", now)
    return found


# ---------------------------------------------------------------- the plans

def notify_incident(db: sqlite_utils.Database, config, incident: Incident, facts: Facts, now: datetime,
                    note: str = "") -> list[Alert]:
    """Route the incident at its level and send each recipient what grouping allows (first, update, nothing)."""
    if _silence(db, incident, facts, now):
        return []
    for key, route in recipients(config.routes, facts):
        add_recipient(db, incident.id, key, route, now)
    view = story_view(db, incident.story_id)
    quiet = decisions.held(incident.level, now, config.escalation.quiet_hours, config.office.tz)
    alerts = []
    for person in recipients_of(db, incident.id):
        reason = decisions.needs_notify(person.sent, incident.level, view.outlet_count, now, config.escalation)
        if reason == NotifyReason.INHIBITED and person.held_since:
            db.execute("UPDATE incident_recipients SET held_since = NULL WHERE incident_id = ? AND recipient = ?",
                       [incident.id, person.key])
            audit(db, incident.id, SYSTEM, "inhibited", f"bỏ cảnh báo đang giữ cho {person.key}: đã có mức cao hơn", now)
        if not reason.sends:
            continue
        if quiet:
            if person.held_since is None:
                db.execute("UPDATE incident_recipients SET held_since = ? WHERE incident_id = ? AND recipient = ?",
                           [iso(now), incident.id, person.key])
                audit(db, incident.id, SYSTEM, "held", f"giờ yên tĩnh: giữ cảnh báo cho {person.key} đến sáng", now)
            continue
        kind = "new" if reason == NotifyReason.FIRST else "update"
        alerts.append(send(db, incident, view, person.key, kind, reason.value, now, note))
        _mark_sent(db, incident.id, person.key, incident.level, reason, view, now)
    if alerts:
        _started(db, incident, config, now)
    return alerts


def follow_up(db: sqlite_utils.Database, config, incident: Incident, facts: Facts, now: datetime) -> list[Alert]:
    """The timer's work on one open incident: held or deferred updates, escalation, repeats, the deadline reminder."""
    alerts = notify_incident(db, config, incident, facts, now)
    incident = get(db, incident.id)
    if incident.silence_id is not None or incident.first_alert_at is None:
        return alerts
    view = story_view(db, incident.story_id)
    alerts += _escalate(db, config, incident, view, now)
    incident = get(db, incident.id)
    quiet = decisions.held(incident.level, now, config.escalation.quiet_hours, config.office.tz)
    if not quiet and decisions.reminder_due(incident.state, incident.deadline_at, incident.reminded_at, now,
                                            config.escalation):
        left = duration_words(max(0.0, (incident.deadline_at - now).total_seconds()))
        local = incident.deadline_at.astimezone(config.office.tz).strftime("%H:%M %d/%m")
        note = f"Nhắc hạn: còn {left} đến hạn cung cấp thông tin ({local}); chưa có kết quả xử lý."
        for person in recipients_of(db, incident.id):
            if person.sent.level is not None:
                alerts.append(send(db, incident, view, person.key, "reminder", "deadline", now, note))
        db.execute("UPDATE incidents SET reminded_at = ? WHERE id = ?", [iso(now), incident.id])
    return alerts


def _escalate(db, config, incident: Incident, view: StoryView, now: datetime) -> list[Alert]:
    policy = config.escalation
    if incident.level == "warning" and decisions.in_quiet_hours(now, policy.quiet_hours, config.office.tz):
        return []  # a warning does not wake the chain at night; it resumes in the morning
    people = recipients_of(db, incident.id)
    step = decisions.escalation_step(incident.state, incident.level, incident.escalated_at or incident.first_alert_at,
                                     {p.key for p in people}, policy.chain, now, policy)
    waited = duration_words((now - (incident.escalated_at or incident.first_alert_at)).total_seconds())
    alerts = []
    if step.action == "escalate":
        note = f"Chuyển cấp: chưa ai xác nhận sau {waited}."
        add_recipient(db, incident.id, step.recipient, "escalation", now)
        alerts.append(send(db, incident, view, step.recipient, "escalation", "ack_timeout", now, note))
        _mark_sent(db, incident.id, step.recipient, incident.level, NotifyReason.FIRST, view, now)
        db.execute("UPDATE incidents SET escalation_step = escalation_step + 1, escalated_at = ? WHERE id = ?",
                   [iso(now), incident.id])
        audit(db, incident.id, SYSTEM, "escalated", f"chưa xác nhận sau {waited}: chuyển tới {step.recipient}", now)
    elif step.action == "repeat":
        note = f"Nhắc lại: sự cố chưa được xác nhận sau {waited}."
        for person in people:
            if person.sent.level is not None:
                alerts.append(send(db, incident, view, person.key, "reminder", "repeat", now, note))
        db.execute("UPDATE incidents SET escalated_at = ? WHERE id = ?", [iso(now), incident.id])
    return alerts


def announce(db: sqlite_utils.Database, incident: Incident, kind: str, now: datetime) -> list[Alert]:
    """Tell everyone who was alerted that the incident was resolved, with the outcome and the public link."""
    if incident.silence_id is not None:
        return []
    view = story_view(db, incident.story_id)
    note = f"Đã xử lý: {incident.outcome}"
    if incident.public_url:
        note += f" Thông tin công bố: {incident.public_url}"
    return [send(db, incident, view, p.key, kind, kind, now, note)
            for p in recipients_of(db, incident.id) if p.sent.level is not None]
