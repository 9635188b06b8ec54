"""Incidents: a story that reached warning, from detection to the published result.

    new -> acknowledged -> handling -> resolved -> closed
     \\______________________/^  (handling and resolve imply acknowledgement)
    resolved/closed -> new     when the story flares up again (reopened)

Every transition and every notification event is a line in ``audit_log``
with who and when. The delivery side (outbox, web app) calls
``acknowledge``, ``start_handling``, ``resolve``, ``close`` and ``audit``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

import sqlite_utils

from monitor.errors import MonitorError
from monitor.escalation.words import level_name
from monitor.store import iso, parse_iso

STATES = ("new", "acknowledged", "handling", "resolved", "closed")
OPEN_STATES = ("new", "acknowledged", "handling")
SYSTEM = "hệ thống"
STATE_NAMES = {"new": "mới", "acknowledged": "đã nhận", "handling": "đang xử lý", "resolved": "đã xử lý",
               "closed": "đã đóng"}
VIA_NAMES = {"web": "qua liên kết", "cli": "qua dòng lệnh", "zalo": "qua Zalo", "email": "qua email"}


class IncidentError(MonitorError):
    """An incident that does not exist, or a step its state does not allow (message in Vietnamese)."""


@dataclass(frozen=True)
class Incident:
    id: int
    story_id: int
    state: str
    level: str
    score: float
    opened_at: datetime
    first_alert_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    handling_at: datetime | None
    handling_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    outcome: str | None
    public_url: str | None
    closed_at: datetime | None
    closed_by: str | None
    reopened: int
    items_at_resolve: int | None
    escalation_step: int
    escalated_at: datetime | None
    deadline_at: datetime | None
    reminded_at: datetime | None
    silence_id: int | None
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


_COLUMNS = [f.name for f in fields(Incident)]
_TIMES = {f.name for f in fields(Incident) if "datetime" in str(f.type)}


def _from_row(row) -> Incident:
    values = dict(zip(_COLUMNS, row))
    for name in _TIMES:
        values[name] = parse_iso(values[name])
    return Incident(**values)


def get(db: sqlite_utils.Database, incident_id: int) -> Incident:
    row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM incidents WHERE id = ?", [incident_id]).fetchone()
    if row is None:
        raise IncidentError(f"Không có sự cố #{incident_id}.")
    return _from_row(row)


def for_story(db: sqlite_utils.Database, story_id: int) -> Incident | None:
    row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM incidents WHERE story_id = ?", [story_id]).fetchone()
    return _from_row(row) if row else None


def find(db: sqlite_utils.Database, states: tuple[str, ...] = OPEN_STATES, limit: int = 100) -> list[Incident]:
    marks = ", ".join("?" for _ in states)
    rows = db.execute(
        f"""SELECT {', '.join(_COLUMNS)} FROM incidents WHERE state IN ({marks})
            ORDER BY CASE level WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, opened_at DESC LIMIT ?""",
        [*states, limit],
    ).fetchall()
    return [_from_row(r) for r in rows]


def audit(db: sqlite_utils.Database, incident_id: int, actor: str, action: str, detail: str, now: datetime) -> None:
    """One line in the incident's audit log (transitions, notifications, delivery events)."""
    db.execute("INSERT INTO audit_log (incident_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
               [incident_id, iso(now), actor, action, detail or ""])


def audit_log(db: sqlite_utils.Database, incident_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM audit_log WHERE incident_id = ? ORDER BY id", [incident_id]))


def _update(db, incident_id: int, now: datetime, **values) -> None:
    values["updated_at"] = iso(now)
    sets = ", ".join(f"{k} = ?" for k in values)
    params = [iso(v) if isinstance(v, datetime) else v for v in values.values()]
    db.execute(f"UPDATE incidents SET {sets} WHERE id = ?", [*params, incident_id])


# ---------------------------------------------------------------- engine side

def open_incident(db: sqlite_utils.Database, story_id: int, level: str, score: float, now: datetime,
                  why: str = "") -> Incident:
    cursor = db.execute(
        "INSERT INTO incidents (story_id, state, level, score, opened_at, updated_at) VALUES (?, 'new', ?, ?, ?, ?)",
        [story_id, level, score, iso(now), iso(now)],
    )
    audit(db, cursor.lastrowid, SYSTEM, "opened", f"mức {level_name(level)}, điểm {score:.0f}. {why}".strip(), now)
    return get(db, cursor.lastrowid)


def raise_level(db: sqlite_utils.Database, incident: Incident, level: str, score: float, now: datetime,
                deadline_at: datetime | None) -> Incident:
    _update(db, incident.id, now, level=level, score=score, deadline_at=deadline_at,
            reminded_at=None if deadline_at != incident.deadline_at else incident.reminded_at)
    audit(db, incident.id, SYSTEM, "level", f"{level_name(incident.level)} → {level_name(level)} (điểm {score:.0f})",
          now)
    return get(db, incident.id)


def set_score(db: sqlite_utils.Database, incident: Incident, score: float, now: datetime) -> None:
    if round(score, 1) != round(incident.score, 1):
        _update(db, incident.id, now, score=score)


def reopen(db: sqlite_utils.Database, incident: Incident, level: str, score: float, items_now: int,
           now: datetime) -> Incident:
    """A resolved or closed story flared up: the incident starts over (its history stays in the audit log)."""
    _update(db, incident.id, now, state="new", level=level, score=score, opened_at=now, first_alert_at=None,
            acknowledged_at=None, acknowledged_by=None, handling_at=None, handling_by=None, closed_at=None,
            closed_by=None, reopened=incident.reopened + 1, escalation_step=0, escalated_at=None, deadline_at=None,
            reminded_at=None)
    db.execute("UPDATE incident_recipients SET level = NULL, updates = 0, held_since = NULL WHERE incident_id = ?",
               [incident.id])
    audit(db, incident.id, SYSTEM, "reopened",
          f"bùng phát trở lại: {items_now - (incident.items_at_resolve or 0)} bài mới sau khi xử lý; "
          f"mức {level_name(level)}", now)
    return get(db, incident.id)


# ---------------------------------------------------------------- people's side

def _who(who: str, via: str) -> str:
    return f"{who} ({VIA_NAMES.get(via, via)})" if via else who


def acknowledge(db: sqlite_utils.Database, incident_id: int, who: str, now: datetime, via: str = "web") -> Incident:
    """Someone has seen it: escalation stops. Acknowledging again, or later in the life, changes nothing."""
    with db.atomic():
        incident = get(db, incident_id)
        if incident.state != "new":
            return incident
        _update(db, incident_id, now, state="acknowledged", acknowledged_at=now, acknowledged_by=who)
        audit(db, incident_id, _who(who, via), "acknowledged", "", now)
        return get(db, incident_id)


def start_handling(db: sqlite_utils.Database, incident_id: int, who: str, now: datetime, via: str = "cli",
                   note: str = "") -> Incident:
    with db.atomic():
        incident = get(db, incident_id)
        if incident.state == "handling":
            return incident
        if incident.state not in ("new", "acknowledged"):
            raise IncidentError(f"Sự cố #{incident_id} {STATE_NAMES[incident.state]}, không thể chuyển sang xử lý.")
        values = {"state": "handling", "handling_at": now, "handling_by": who}
        if incident.acknowledged_at is None:
            values.update(acknowledged_at=now, acknowledged_by=who)
        _update(db, incident_id, now, **values)
        audit(db, incident_id, _who(who, via), "handling", note, now)
        return get(db, incident_id)


def resolve(db: sqlite_utils.Database, incident_id: int, who: str, outcome: str, public_url: str | None,
            now: datetime, via: str = "web") -> Incident:
    """Record the handling result ("kết quả xử lý") and the public response; recipients are told."""
    from monitor.escalation.planner import announce

    outcome = (outcome or "").strip()
    if not outcome:
        raise IncidentError("Cần nhập kết quả xử lý.")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise IncidentError("Liên kết công bố phải bắt đầu bằng http:// hoặc https://.")
    with db.atomic():
        incident = get(db, incident_id)
        if incident.state not in OPEN_STATES:
            raise IncidentError(f"Sự cố #{incident_id} {STATE_NAMES[incident.state]}.")
        items = db.execute("SELECT item_count FROM stories WHERE id = ?", [incident.story_id]).fetchone()[0]
        values = {"state": "resolved", "resolved_at": now, "resolved_by": who, "outcome": outcome,
                  "public_url": public_url or None, "items_at_resolve": items}
        if incident.acknowledged_at is None:
            values.update(acknowledged_at=now, acknowledged_by=who)
        _update(db, incident_id, now, **values)
        audit(db, incident_id, _who(who, via), "resolved", f"{outcome}" + (f" — {public_url}" if public_url else ""),
              now)
        incident = get(db, incident_id)
        announce(db, incident, "resolved", now)
        return incident


def close(db: sqlite_utils.Database, incident_id: int, who: str, now: datetime, via: str = "cli") -> Incident:
    with db.atomic():
        incident = get(db, incident_id)
        if incident.state == "closed":
            return incident
        if incident.state != "resolved":
            raise IncidentError(f"Sự cố #{incident_id} chưa có kết quả xử lý; hãy ghi kết quả trước khi đóng.")
        _update(db, incident_id, now, state="closed", closed_at=now, closed_by=who)
        audit(db, incident_id, _who(who, via), "closed", "", now)
        return get(db, incident_id)


def with_stories(db: sqlite_utils.Database, states: tuple[str, ...] = OPEN_STATES,
                 limit: int = 100) -> list[tuple[Incident, dict]]:
    """Incidents (gravest and newest first) with their story's row, for listings."""
    out = []
    for incident in find(db, states, limit):
        story = next(db.query("SELECT * FROM stories WHERE id = ?", [incident.story_id]))
        out.append((incident, story))
    return out


def recipients_table(db: sqlite_utils.Database, incident_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM incident_recipients WHERE incident_id = ? ORDER BY added_at, rowid",
                         [incident_id]))
