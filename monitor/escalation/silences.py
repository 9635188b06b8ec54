"""Silences: mute a story, a topic or a place until a time, with a reason.

A muted incident gets no alert, escalation or reminder; when the silence
ends, the escalation clock of an unacknowledged incident starts again, and a
story that grew meanwhile gets its update.
"""
from __future__ import annotations

from datetime import datetime

import sqlite_utils

from monitor.escalation.decisions import Silence
from monitor.escalation.incidents import SYSTEM, IncidentError, audit
from monitor.store import iso, parse_iso

SCOPES = ("story", "topic", "place")


def add(db: sqlite_utils.Database, scope: str, value: str, until: datetime, reason: str, who: str,
        now: datetime) -> int:
    if scope not in SCOPES:
        raise IncidentError(f"Phạm vi tắt cảnh báo không hợp lệ: {scope!r} (story, topic, place).")
    if until <= now:
        raise IncidentError("Thời điểm kết thúc phải ở tương lai.")
    if not reason.strip():
        raise IncidentError("Cần ghi lý do tắt cảnh báo.")
    if scope == "story" and not db.execute("SELECT 1 FROM stories WHERE id = ?", [value]).fetchone():
        raise IncidentError(f"Không có chuỗi tin #{value}.")
    if scope == "topic":
        from monitor.escalation.topics import TOPIC_SLUGS

        if value not in TOPIC_SLUGS:
            raise IncidentError(f"Chủ đề không có trong danh mục: {value!r}.")
    with db.atomic():
        return db.execute(
            "INSERT INTO silences (scope, value, until, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [scope, str(value), iso(until), reason.strip(), who, iso(now)],
        ).lastrowid


def active(db: sqlite_utils.Database, now: datetime) -> list[Silence]:
    rows = db.execute(
        "SELECT id, scope, value, until, reason FROM silences WHERE expired_at IS NULL AND until > ? ORDER BY id",
        [iso(now)],
    ).fetchall()
    return [Silence(r[0], r[1], r[2], parse_iso(r[3]), r[4]) for r in rows]


def listing(db: sqlite_utils.Database, now: datetime, include_past: bool = False) -> list[dict]:
    where = "" if include_past else "WHERE expired_at IS NULL AND until > ?"
    return list(db.query(f"SELECT * FROM silences {where} ORDER BY until", [] if include_past else [iso(now)]))


def expire(db: sqlite_utils.Database, now: datetime, actor: str = SYSTEM) -> list[int]:
    """Mark silences whose time has come; unmute their incidents (audit) and restart ack clocks."""
    ended = [sid for (sid,) in db.execute(
        "SELECT id FROM silences WHERE expired_at IS NULL AND until <= ?", [iso(now)]).fetchall()]
    for sid in ended:
        db.execute("UPDATE silences SET expired_at = ? WHERE id = ?", [iso(now), sid])
        for (incident_id, state) in db.execute(
                "SELECT id, state FROM incidents WHERE silence_id = ?", [sid]).fetchall():
            clock = ", escalated_at = ?" if state == "new" else ""
            db.execute(f"UPDATE incidents SET silence_id = NULL{clock} WHERE id = ?",
                       [iso(now), incident_id] if clock else [incident_id])
            why = f"hết thời gian tắt cảnh báo #{sid}" if actor == SYSTEM else f"bật lại cảnh báo #{sid}"
            audit(db, incident_id, actor, "unsilenced", why, now)
    return ended


def lift(db: sqlite_utils.Database, silence_id: int, who: str, now: datetime) -> None:
    """End a silence now."""
    with db.atomic():
        if not db.execute("SELECT 1 FROM silences WHERE id = ? AND expired_at IS NULL", [silence_id]).fetchone():
            raise IncidentError(f"Không có lệnh tắt cảnh báo #{silence_id} đang hiệu lực.")
        db.execute("UPDATE silences SET until = ? WHERE id = ?", [iso(now), silence_id])
        expire(db, now, actor=who)
