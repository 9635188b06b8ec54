"""What the escalation engine asks the delivery side to send.

The engine decides *who* gets *what* and *when*; channels decide *how*. An
Alert is channel-neutral: each notifier renders it (email HTML/plain text,
Zalo text, ZNS template data, webhook JSON).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Level = Literal["warning", "urgent", "critical"]
Kind = Literal["new", "update", "escalation", "reminder", "resolved", "dead_letter"]


@dataclass(frozen=True)
class AlertItem:
    title: str
    outlet: str
    url: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class Alert:
    """One message for one recipient about one incident.

    ``update_no`` counts the messages this recipient has had about this
    incident at this level (0 = first), so (incident_id, recipient, channel,
    level, update_no) identifies a delivery exactly once.
    """

    incident_id: int
    story_id: int
    recipient: str
    level: Level
    kind: Kind
    update_no: int
    headline: str
    explanation: str
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    items: tuple[AlertItem, ...] = field(default_factory=tuple)
    first_seen: datetime | None = None
    created_at: datetime | None = None
