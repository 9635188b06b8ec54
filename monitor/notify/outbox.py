"""The outbox: every alert is a row before it is a message.

Row life: pending -> sending -> sent; on failure back to pending with a later
``next_attempt_at`` (retryable) or 'failed' with a new row for the next
channel, or 'dead' when no channel is left. A row is marked 'sending' and
committed before the notifier is called, so after a crash between sending
and recording only that row is found 'sending'; once its lease has passed it
is sent again with ``repeat = 1``. That bounds duplicates to one message per
crash, and the repeat says so.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import datetime, timedelta

import sqlite_utils

from monitor.notify.alert import Alert, AlertItem
from monitor.store import iso, parse_iso

COLUMNS = ("id, incident_id, story_id, recipient, channel, level, update_no, kind, dead_letter_of, payload, "
           "status, attempts, next_attempt_at, claimed_at, sent_at, repeat, last_error, created_at")


def alert_json(alert: Alert) -> str:
    def default(value):
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    return json.dumps(asdict(alert), ensure_ascii=False, default=default)


def alert_from_json(text: str) -> Alert:
    data = json.loads(text)
    data["items"] = tuple(
        AlertItem(i["title"], i["outlet"], i.get("url"), parse_iso(i.get("published_at"))) for i in data.get("items", ())
    )
    data["topics"], data["places"] = tuple(data.get("topics", ())), tuple(data.get("places", ()))
    data["first_seen"], data["created_at"] = parse_iso(data.get("first_seen")), parse_iso(data.get("created_at"))
    return Alert(**data)


def enqueue(db: sqlite_utils.Database, alert: Alert, now: datetime, dead_letter_of: int = 0) -> bool:
    """Queue ``alert`` once: True when newly queued, False when that (incident, recipient, level, update_no)
    is already in the outbox.

    Safe inside the caller's transaction (sqlite-utils nests it as a savepoint).
    The channel is chosen when the row is first taken for sending, from the
    recipient's contact and the channels configured then.
    """
    with db.atomic():
        exists = db.execute(
            "SELECT 1 FROM outbox WHERE incident_id = ? AND recipient = ? AND level = ? AND update_no = ?"
            " AND dead_letter_of = ? LIMIT 1",
            [alert.incident_id, alert.recipient, alert.level, alert.update_no, dead_letter_of],
        ).fetchone()
        if exists:
            return False
        cursor = db.execute(
            """INSERT OR IGNORE INTO outbox (incident_id, story_id, recipient, channel, level, update_no, kind,
                   dead_letter_of, payload, status, next_attempt_at, created_at)
               VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, 'pending', ?, ?)""",
            [alert.incident_id, alert.story_id, alert.recipient, alert.level, alert.update_no, alert.kind,
             dead_letter_of, alert_json(alert), iso(now), iso(now)],
        )
        return cursor.rowcount == 1


def rows(db: sqlite_utils.Database, where: str = "1", params: list | None = None, order: str = "id") -> list[dict]:
    cursor = db.execute(f"SELECT {COLUMNS} FROM outbox WHERE {where} ORDER BY {order}", params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def due(db: sqlite_utils.Database, now: datetime, lease: float, limit: int = 200) -> list[dict]:
    """Rows to send now: pending ones whose time has come, and 'sending' ones whose lease has passed."""
    cursor = db.execute(
        f"""SELECT {COLUMNS} FROM outbox
            WHERE (status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_at <= ?)
            ORDER BY CASE level WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, id LIMIT ?""",
        [iso(now), iso(now - timedelta(seconds=lease)), limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def claim(db: sqlite_utils.Database, row: dict, channel: str, now: datetime) -> bool:
    """Mark the row 'sending' (committed) before the send. False when another worker took it first.

    A row found 'sending' was interrupted: it goes out again as a repeat.
    """
    repeat = 1 if row["status"] == "sending" or row["repeat"] else 0
    try:
        with db.atomic():
            cursor = db.execute(
                """UPDATE outbox SET status = 'sending', channel = ?, attempts = attempts + 1, claimed_at = ?,
                       repeat = ? WHERE id = ? AND status = ? AND attempts = ?""",
                [channel, iso(now), repeat, row["id"], row["status"], row["attempts"]],
            )
    except sqlite3.IntegrityError:
        return False  # that channel already has its own row for this key
    if cursor.rowcount == 1:
        row.update(status="sending", channel=channel, attempts=row["attempts"] + 1, repeat=repeat)
        return True
    return False


def mark_sent(db: sqlite_utils.Database, row_id: int, now: datetime) -> None:
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?", [iso(now), row_id])


def retry_later(db: sqlite_utils.Database, row_id: int, error: str, at: datetime) -> None:
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?",
                   [iso(at), error, row_id])


def fail_over(db: sqlite_utils.Database, row: dict, error: str, channel: str, now: datetime) -> int:
    """Close this row as 'failed' and queue the same alert on ``channel``; returns the new row id."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [error, row["id"]])
        cursor = db.execute(
            """INSERT INTO outbox (incident_id, story_id, recipient, channel, level, update_no, kind, dead_letter_of,
                   payload, status, next_attempt_at, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)""",
            [row["incident_id"], row["story_id"], row["recipient"], channel, row["level"], row["update_no"],
             row["kind"], row["dead_letter_of"], row["payload"], iso(now), iso(now)],
        )
        return cursor.lastrowid


def mark_dead(db: sqlite_utils.Database, row_id: int, error: str, channel: str = "") -> None:
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'dead', last_error = ?, channel = CASE WHEN channel = '' THEN ? "
                   "ELSE channel END WHERE id = ?", [error, channel or "-", row_id])


def tried_channels(db: sqlite_utils.Database, row: dict) -> set[str]:
    found = db.execute(
        "SELECT channel FROM outbox WHERE incident_id = ? AND recipient = ? AND level = ? AND update_no = ?"
        " AND dead_letter_of = ?",
        [row["incident_id"], row["recipient"], row["level"], row["update_no"], row["dead_letter_of"]],
    ).fetchall()
    return {channel for (channel,) in found if channel}


def recover(db: sqlite_utils.Database) -> int:
    """At start-up (one deliverer per database): rows left 'sending' by a crash are due now, as repeats."""
    with db.atomic():
        return db.execute(
            "UPDATE outbox SET status = 'pending', repeat = 1, next_attempt_at = claimed_at WHERE status = 'sending'"
        ).rowcount


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    return dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
