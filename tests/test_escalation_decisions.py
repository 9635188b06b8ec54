"""The pure decisions, table-driven: notify reason, quiet hours, escalation step, deadline, silences,
inhibition, flare-up."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from monitor.escalation import decisions as d
from monitor.escalation.config import Escalation, QuietHours
from monitor.escalation.decisions import NotifyReason as R
from monitor.escalation.decisions import Sent, Silence

NOW = datetime(2025, 10, 6, 3, 0, tzinfo=timezone.utc)  # 10:00 in Phú Thọ
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = Escalation(update_new_outlets=3, max_updates=2, group_interval="30m",
                    ack_timeout={"warning": "4h", "urgent": "30m", "critical": "15m"},
                    repeat_interval={"warning": "24h", "urgent": "2h", "critical": "1h"},
                    response_deadline={"critical": "6h"}, remind_before="1h")
AGO = lambda minutes: NOW - timedelta(minutes=minutes)  # noqa: E731


@pytest.mark.parametrize("sent, level, outlets, expected", [
    (Sent(), "warning", 1, R.FIRST),
    (Sent(), "critical", 9, R.FIRST),
    (Sent("warning", 0, AGO(5), 1), "warning", 2, R.NONE),            # one more outlet: not enough
    (Sent("warning", 0, AGO(5), 1), "warning", 4, R.TOO_SOON),        # grew by 3, but 5 minutes ago
    (Sent("warning", 0, AGO(30), 1), "warning", 4, R.GREW),
    (Sent("warning", 2, AGO(90), 1), "warning", 9, R.MAX_UPDATES),    # bounded
    (Sent("warning", 2, AGO(1), 1), "urgent", 1, R.LEVEL_UP),          # a level rise goes at once
    (Sent("urgent", 0, AGO(1), 1), "critical", 1, R.LEVEL_UP),
    (Sent("critical", 0, AGO(60), 1), "warning", 9, R.INHIBITED),     # critical suppresses its warnings
    (Sent("critical", 0, AGO(60), 1), "urgent", 9, R.INHIBITED),
    (Sent("urgent", 1, AGO(60), 4), "urgent", 7, R.GREW),
])
def test_needs_notify(sent, level, outlets, expected):
    assert d.needs_notify(sent, level, outlets, NOW, POLICY) == expected


@pytest.mark.parametrize("local_time, start, end, quiet", [
    ("22:00", "21:00", "06:30", True),
    ("03:00", "21:00", "06:30", True),
    ("06:29", "21:00", "06:30", True),
    ("06:30", "21:00", "06:30", False),
    ("20:59", "21:00", "06:30", False),
    ("12:00", "12:00", "14:00", True),     # a window that does not cross midnight
    ("14:00", "12:00", "14:00", False),
    ("12:00", "08:00", "08:00", False),    # empty window
])
def test_in_quiet_hours(local_time, start, end, quiet):
    hour, minute = map(int, local_time.split(":"))
    moment = datetime(2025, 10, 6, hour, minute, tzinfo=TZ).astimezone(timezone.utc)
    assert d.in_quiet_hours(moment, QuietHours(start=start, end=end), TZ) is quiet


@pytest.mark.parametrize("level, held", [("warning", True), ("urgent", False), ("critical", False)])
def test_only_warnings_wait_for_the_morning(level, held):
    night = datetime(2025, 10, 6, 23, 0, tzinfo=TZ)
    assert d.held(level, night, QuietHours(), TZ) is held
    assert d.held(level, night, QuietHours(enabled=False), TZ) is False


CHAIN = ("truc", "chanh", "pho", "gd")


@pytest.mark.parametrize("state, level, started_min_ago, notified, expected", [
    ("new", "urgent", 29, {"truc", "chanh"}, ("none", "pho")),
    ("new", "urgent", 30, {"truc", "chanh"}, ("escalate", "pho")),
    ("new", "critical", 15, {"truc"}, ("escalate", "chanh")),
    ("new", "warning", 239, {"truc"}, ("none", "chanh")),
    ("new", "warning", 240, {"truc"}, ("escalate", "chanh")),
    ("new", "urgent", 119, set(CHAIN), ("none", None)),       # chain exhausted: repeat interval
    ("new", "urgent", 120, set(CHAIN), ("repeat", None)),
    ("new", "critical", 60, set(CHAIN), ("repeat", None)),
    ("acknowledged", "critical", 600, {"truc"}, ("none", None)),
    ("handling", "critical", 600, {"truc"}, ("none", None)),
])
def test_escalation_step(state, level, started_min_ago, notified, expected):
    step = d.escalation_step(state, level, AGO(started_min_ago), notified, CHAIN, NOW, POLICY)
    assert (step.action, step.recipient) == expected


def test_no_escalation_before_the_first_alert():
    assert d.escalation_step("new", "critical", None, set(), CHAIN, NOW, POLICY).action == "none"


@pytest.mark.parametrize("start, level, current, expected", [
    (NOW, "critical", None, NOW + timedelta(hours=6)),
    (NOW, "warning", None, NOW + timedelta(hours=72)),
    (NOW, "critical", NOW + timedelta(hours=2), NOW + timedelta(hours=2)),    # never pushed back
    (NOW, "critical", NOW + timedelta(hours=20), NOW + timedelta(hours=6)),   # a rise brings it closer
])
def test_deadline_for(start, level, current, expected):
    assert d.deadline_for(start, level, POLICY, current) == expected


@pytest.mark.parametrize("state, deadline_in_min, reminded, due", [
    ("new", 61, None, False),
    ("new", 60, None, True),
    ("handling", 10, None, True),
    ("acknowledged", -30, None, True),           # overdue and never reminded
    ("handling", 10, AGO(5), False),             # once
    ("resolved", 10, None, False),
    ("new", None, None, False),
])
def test_reminder_due(state, deadline_in_min, reminded, due):
    deadline = None if deadline_in_min is None else NOW + timedelta(minutes=deadline_in_min)
    assert d.reminder_due(state, deadline, reminded, NOW, POLICY) is due


SILENCES = [
    Silence(1, "topic", "exams_admissions", NOW + timedelta(hours=1)),
    Silence(2, "place", "Xã Mai Châu", NOW + timedelta(hours=1)),
    Silence(3, "story", "7", NOW + timedelta(hours=1)),
    Silence(4, "topic", "school_violence", NOW - timedelta(minutes=1)),   # over
]


@pytest.mark.parametrize("story_id, topics, places, expected", [
    (1, {"exams_admissions"}, set(), 1),
    (7, {"policy"}, set(), 3),
    (2, {"school_violence"}, {"commune:mai chau", "mai chau"}, 2),
    (2, {"school_violence"}, {"district:mai chau", "mai chau"}, None),   # "Xã Mai Châu" is the commune only
    (2, {"school_violence"}, set(), None),
])
def test_silenced_by(story_id, topics, places, expected):
    found = d.silenced_by(SILENCES, story_id, topics, places, NOW)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize("state, items_now, at_resolve, level, expected", [
    ("resolved", 8, 5, "warning", True),
    ("closed", 8, 5, "urgent", True),
    ("resolved", 7, 5, "critical", False),     # 2 new items: not yet
    ("resolved", 20, 5, "digest", False),      # grew, but not hot
    ("handling", 20, None, "critical", False),
])
def test_flared_up(state, items_now, at_resolve, level, expected):
    assert d.flared_up(state, items_now, at_resolve, level, POLICY) is expected


@pytest.mark.parametrize("sent, level, inhibited", [
    (None, "warning", False), ("critical", "warning", True), ("critical", "critical", False),
    ("warning", "critical", False), ("urgent", "warning", True),
])
def test_inhibits(sent, level, inhibited):
    assert d.inhibits(sent, level) is inhibited
