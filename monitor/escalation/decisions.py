"""The engine's decisions, as pure functions of values and ``now``.

Nothing here reads the store or the clock: callers pass what was persisted
(the grouping state of a recipient, an incident's clocks) and the time, and
get back a reason or a step. Every function has a table-driven test.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from monitor.escalation.config import rank
from monitor.escalation.places import route_key


class NotifyReason(str, Enum):
    """Why a recipient gets (or does not get) an alert now."""

    FIRST = "first"                  # nothing sent yet
    LEVEL_UP = "level_up"            # the story reached a higher level
    GREW = "grew"                    # enough new outlets since the last alert
    NONE = "none"                    # nothing new worth a message
    TOO_SOON = "too_soon"            # grew, but the last alert is younger than group_interval
    MAX_UPDATES = "max_updates"      # grew, but this recipient had all the updates allowed at this level
    INHIBITED = "inhibited"          # a higher-level alert already went out for this story

    @property
    def sends(self) -> bool:
        return self in (NotifyReason.FIRST, NotifyReason.LEVEL_UP, NotifyReason.GREW)


@dataclass(frozen=True)
class Sent:
    """What a recipient last had about an incident (None level: nothing yet)."""

    level: str | None = None
    updates: int = 0
    last_sent_at: datetime | None = None
    outlets_at_last: int = 0


def inhibits(sent_level: str | None, level: str) -> bool:
    """A critical (or any higher) alert for a story suppresses its lower-level alerts."""
    return sent_level is not None and rank(sent_level) > rank(level)


def needs_notify(sent: Sent, level: str, outlets: int, now: datetime, policy) -> NotifyReason:
    """Grouping: one alert per story and recipient, then an update only when the story grew.

    ``policy`` is the [escalation] section (update_new_outlets, max_updates, group_interval).
    """
    if sent.level is None:
        return NotifyReason.FIRST
    if inhibits(sent.level, level):
        return NotifyReason.INHIBITED
    if rank(level) > rank(sent.level):
        return NotifyReason.LEVEL_UP
    if outlets - sent.outlets_at_last < policy.update_new_outlets:
        return NotifyReason.NONE
    if sent.updates >= policy.max_updates:
        return NotifyReason.MAX_UPDATES
    if sent.last_sent_at and now - sent.last_sent_at < timedelta(seconds=policy.group_interval):
        return NotifyReason.TOO_SOON
    return NotifyReason.GREW


def in_quiet_hours(now: datetime, quiet, tz: ZoneInfo) -> bool:
    """Is ``now`` (any zone) inside the quiet hours, read in the office's local time? Handles midnight."""
    if not quiet.enabled:
        return False
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    start, end = quiet.minutes("start"), quiet.minutes("end")
    if start == end:
        return False
    return start <= minute < end if start < end else (minute >= start or minute < end)


def held(level: str, now: datetime, quiet, tz: ZoneInfo) -> bool:
    """Warnings wait for the morning during quiet hours; urgent and critical never wait."""
    return level == "warning" and in_quiet_hours(now, quiet, tz)


@dataclass(frozen=True)
class Step:
    action: str               # "none" | "escalate" | "repeat"
    recipient: str | None = None
    due_at: datetime | None = None


def escalation_step(state: str, level: str, clock_start: datetime | None, notified: set[str],
                    chain: tuple[str, ...], now: datetime, policy) -> Step:
    """What the acknowledgement timeout asks for now.

    While an incident is unacknowledged ('new'): after ``ack_timeout[level]``
    the next chain member not yet told is notified; when the chain is
    exhausted, everyone told is reminded every ``repeat_interval[level]``.
    ``clock_start`` is the first alert, or the last escalation/repeat.
    """
    if state != "new" or clock_start is None:
        return Step("none")
    following = next((key for key in chain if key not in notified), None)
    if following is not None:
        due = clock_start + timedelta(seconds=policy.ack_timeout[level])
        return Step("escalate", following, due) if now >= due else Step("none", following, due)
    due = clock_start + timedelta(seconds=policy.repeat_interval[level])
    return Step("repeat", None, due) if now >= due else Step("none", None, due)


def deadline_for(start: datetime, level: str, policy, current: datetime | None = None) -> datetime:
    """The response deadline: ``start`` (first alert, or the moment of a level rise) + deadline[level].

    A rise in level can only bring an existing deadline closer, never push it back.
    """
    deadline = start + timedelta(seconds=policy.response_deadline[level])
    return min(deadline, current) if current is not None else deadline


def reminder_due(state: str, deadline_at: datetime | None, reminded_at: datetime | None, now: datetime,
                 policy) -> bool:
    """One reminder ``remind_before`` the deadline, while the incident is not resolved."""
    if state not in ("new", "acknowledged", "handling") or deadline_at is None or reminded_at is not None:
        return False
    return now >= deadline_at - timedelta(seconds=policy.remind_before)


@dataclass(frozen=True)
class Silence:
    id: int
    scope: str        # story | topic | place
    value: str
    until: datetime
    reason: str = ""


def silenced_by(silences: list[Silence], story_id: int, topics, place_keys, now: datetime) -> Silence | None:
    """The first active silence that covers this story (by id, by one of its topics or places)."""
    for silence in silences:
        if silence.until <= now:
            continue
        if silence.scope == "story" and str(story_id) == silence.value:
            return silence
        if silence.scope == "topic" and silence.value in set(topics):
            return silence
        if silence.scope == "place" and route_key(silence.value) in set(place_keys):
            return silence
    return None


def flared_up(state: str, items_now: int, items_at_resolve: int | None, level: str, policy) -> bool:
    """A resolved or closed incident reopens when its story grows again and is hot enough to alert."""
    if state not in ("resolved", "closed") or level == "digest":
        return False
    return items_now - (items_at_resolve or 0) >= policy.reopen_new_items


def auto_close_due(state: str, resolved_at: datetime | None, now: datetime, policy) -> bool:
    return state == "resolved" and resolved_at is not None and now - resolved_at >= timedelta(seconds=policy.close_after)
