"""The two entry points the daemon calls.

``process`` after each ingest+classify cycle: new items -> stories -> score
-> incidents (open, raise, reopen) -> alerts. ``tick`` on a timer: silences
that ended, held and deferred alerts, acknowledgement timeouts (escalation,
repeats), reminders before the response deadline, auto-close. Each story and
each incident is handled in its own transaction, alerts included.
"""
from __future__ import annotations

import logging
from datetime import datetime

import sqlite_utils

from monitor.escalation import decisions, hotness, incidents, planner, silences, stories
from monitor.escalation.config import rank
from monitor.escalation.routes import Facts
from monitor.notify.alert import Alert
from monitor.store import iso

log = logging.getLogger(__name__)


def process(db: sqlite_utils.Database, config, now: datetime) -> list[Alert]:
    """Cluster newly classified items, re-score the stories they touched, act on incidents; the alerts queued."""
    with db.atomic():
        stories.cluster(db, config.stories, now)
    dirty = [sid for (sid,) in db.execute("SELECT id FROM stories WHERE dirty = 1 ORDER BY id").fetchall()]
    if not dirty:
        return []
    volumes = hotness.volumes(db, config.hotness.spike, now)
    alerts: list[Alert] = []
    for story_id in dirty:
        with db.atomic():
            alerts += evaluate(db, config, story_id, volumes, now)
    return alerts


def evaluate(db: sqlite_utils.Database, config, story_id: int, volumes, now: datetime) -> list[Alert]:
    """One story: figures, score and level; then its incident."""
    story = stories.load_story(db, story_id, now, config.office.province, config.hotness.velocity_window)
    stories.save_figures(db, story, now)
    result = hotness.score(story, config.hotness, volumes.best_spike(story))
    db.execute("UPDATE stories SET score = ?, level = ?, explanation = ? WHERE id = ?",
               [result.total, result.level, hotness.explain(story, result), story_id])
    log.debug("story %s: %s %s", story_id, result.level, result.total)
    return act(db, config, story, result.level, result.total, now)


def act(db: sqlite_utils.Database, config, story, level: str, score: float, now: datetime) -> list[Alert]:
    """Open, raise or reopen the story's incident and notify."""
    incident = incidents.for_story(db, story.id)
    note = ""
    if incident is None:
        if level == "digest":
            return []
        incident = incidents.open_incident(db, story.id, level, score, now, hotness.summary_line(story))
    elif not incident.is_open:
        if not decisions.flared_up(incident.state, story.item_count, incident.items_at_resolve, level,
                                   config.escalation):
            return []
        incident = incidents.reopen(db, incident, level, score, story.item_count, now)
        note = "Bùng phát trở lại sau khi đã xử lý."
    elif rank(level) > rank(incident.level):
        deadline = None
        if incident.first_alert_at is not None:
            deadline = decisions.deadline_for(now, level, config.escalation, incident.deadline_at)
        incident = incidents.raise_level(db, incident, level, score, now, deadline)
    else:
        incidents.set_score(db, incident, score, now)
    return planner.notify_incident(db, config, incident, Facts.of(story, incident.level), now, note)


def tick(db: sqlite_utils.Database, config, now: datetime) -> list[Alert]:
    """Timers: silences, held/deferred alerts, escalation, repeats, deadline reminders, auto-close."""
    with db.atomic():
        silences.expire(db, now)
    alerts: list[Alert] = []
    for incident in incidents.find(db, incidents.OPEN_STATES, limit=10_000):
        with db.atomic():
            story = stories.load_story(db, incident.story_id, now, config.office.province,
                                       config.hotness.velocity_window)
            alerts += planner.follow_up(db, config, incident, Facts.of(story, incident.level), now)
    for incident in incidents.find(db, ("resolved",), limit=10_000):
        if decisions.auto_close_due(incident.state, incident.resolved_at, now, config.escalation):
            with db.atomic():
                db.execute("UPDATE incidents SET state = 'closed', closed_at = ?, closed_by = ?, updated_at = ? "
                           "WHERE id = ? AND state = 'resolved'",
                           [iso(now), incidents.SYSTEM, iso(now), incident.id])
                incidents.audit(db, incident.id, incidents.SYSTEM, "closed", "tự động đóng sau khi đã xử lý", now)
    return alerts
