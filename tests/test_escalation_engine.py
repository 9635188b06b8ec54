"""The engine end to end on a real database with an injected clock: grouping, escalation timing,
silences, inhibition, quiet hours, deadlines, resolve and reopen, and the audit log."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from monitor.escalation import engine, incidents, silences
from monitor.notify import outbox
from tests.escalation_fixtures import ELSEWHERE, ESCALATION, Clock, add_item, esc_config, violence_title


@pytest.fixture
def config():
    return esc_config()


def sent(alerts) -> list[tuple[str, str, str]]:
    return sorted((a.recipient, a.level, a.kind) for a in alerts)


def story_of_outlets(db, config, clock, count, every_minutes=5, start=0, **item):
    """``count`` outlets report the same event, one every few minutes; the engine runs after each."""
    alerts = []
    for n in range(start, start + count):
        add_item(db, f"outlet{n}", violence_title(n), clock.now, **item)
        alerts += engine.process(db, config, clock.now)
        clock.advance(minutes=every_minutes)
    return alerts


def test_one_local_report_is_a_warning_to_the_duty_officer_and_the_commune(db, config):
    clock = Clock()
    alerts = story_of_outlets(db, config, clock, 1, reach="local")
    assert sent(alerts) == [("truc", "warning", "new"), ("xa", "warning", "new")]
    incident = incidents.find(db)[0]
    assert (incident.state, incident.level) == ("new", "warning")
    assert incident.first_alert_at == alerts[0].created_at
    assert incident.deadline_at == incident.first_alert_at + timedelta(hours=72)


def test_twenty_items_of_one_story_give_one_alert_and_bounded_updates(db, config):
    clock = Clock()
    alerts = story_of_outlets(db, config, clock, 20, every_minutes=2, reach="local")
    assert db.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 1
    for person in ("truc", "xa"):
        mine = [a for a in alerts if a.recipient == person]
        firsts = [a for a in mine if a.kind == "new"]
        assert len(firsts) == 1
        # Updates come from growth (3 more outlets, not sooner than 30 min) or a level rise, and are bounded.
        assert len(mine) <= 1 + config.escalation.max_updates + 2
        keys = {(a.level, a.update_no) for a in mine}
        assert len(keys) == len(mine)  # each message has its own key: the outbox queues each once
    assert len(alerts) < 20
    assert outbox.counts(db)["pending"] == len(alerts)


def test_growth_within_the_group_interval_waits_for_the_timer(db):
    config = esc_config(extra="[hotness]\nweights = { velocity = 0, spike = 0 }\n")  # growth without a level rise
    clock = Clock()
    mild = dict(reach="local")
    first = story_of_outlets(db, config, clock, 1, **mild)
    assert sent(first) == [("truc", "warning", "new"), ("xa", "warning", "new")]
    assert story_of_outlets(db, config, clock, 3, every_minutes=1, start=1, **mild) == []  # grew, but too soon
    assert incidents.find(db)[0].level == "warning"
    clock.now = first[0].created_at + timedelta(minutes=30)
    assert sent(engine.tick(db, config, clock.now)) == [("truc", "warning", "update"), ("xa", "warning", "update")]
    assert engine.tick(db, config, clock.advance(minutes=1)) == []


def urgent_story(db, config, clock):
    """Two national outlets within minutes: warning at the first, urgent at the second."""
    alerts = story_of_outlets(db, config, clock, 2)
    assert sent(alerts) == [("chanh", "urgent", "new"), ("truc", "urgent", "update"), ("truc", "warning", "new"),
                            ("xa", "urgent", "update"), ("xa", "warning", "new")]
    return alerts


def test_unacknowledged_urgent_incident_climbs_the_chain_then_repeats(db, config):
    clock = Clock()
    first = urgent_story(db, config, clock)
    start = first[0].created_at

    clock.now = start + timedelta(minutes=29)
    assert engine.tick(db, config, clock.now) == []
    clock.now = start + timedelta(minutes=30)
    step1 = engine.tick(db, config, clock.now)
    assert sent(step1) == [("pho", "urgent", "escalation")]      # truc and chanh were told already
    clock.now += timedelta(minutes=30)
    step2 = engine.tick(db, config, clock.now)
    assert sent(step2) == [("gd", "urgent", "escalation")]
    clock.now += timedelta(minutes=30)
    assert engine.tick(db, config, clock.now) == []              # chain exhausted: now the repeat interval
    clock.now = start + timedelta(minutes=60) + timedelta(hours=2)
    repeat = engine.tick(db, config, clock.now)
    assert {a.recipient for a in repeat} == {"truc", "chanh", "xa", "pho", "gd"}
    assert {a.kind for a in repeat} == {"reminder"}
    log = [row["action"] for row in incidents.audit_log(db, first[0].incident_id)]
    assert log.count("escalated") == 2


def test_acknowledgement_stops_escalation(db, config):
    clock = Clock()
    first = urgent_story(db, config, clock)
    incidents.acknowledge(db, first[0].incident_id, "chanh", clock.now, via="web")
    clock.advance(hours=5)
    alerts = engine.tick(db, config, clock.now)
    assert [a for a in alerts if a.kind in ("escalation",)] == []
    entry = [r for r in incidents.audit_log(db, first[0].incident_id) if r["action"] == "acknowledged"][0]
    assert entry["actor"] == "chanh (qua liên kết)"


def test_critical_repeats_hourly_and_its_deadline_is_six_hours(db, config):
    clock = Clock()
    first = story_of_outlets(db, config, clock, 8, every_minutes=10)
    incident = incidents.get(db, first[0].incident_id)
    assert incident.level == "critical"
    assert {a.recipient for a in first} >= {"truc", "chanh", "pho", "gd", "xa"}
    became_critical = [r for r in incidents.audit_log(db, incident.id)
                       if r["action"] == "level" and "→ KHẨN CẤP" in r["detail"]][0]["at"]
    assert incident.deadline_at.isoformat() == (
        datetime.fromisoformat(became_critical) + timedelta(hours=6)).isoformat()
    # Everyone in the chain has been told: the repeat interval for critical (1 h) runs from the first alert.
    clock.now = incident.escalated_at + timedelta(minutes=59)
    assert engine.tick(db, config, clock.now) == []
    clock.now = incident.escalated_at + timedelta(hours=1)
    repeat = engine.tick(db, config, clock.now)
    assert {a.kind for a in repeat} == {"reminder"} and {a.level for a in repeat} == {"critical"}


def test_reminder_before_the_response_deadline(db, config):
    clock = Clock()
    first = story_of_outlets(db, config, clock, 8, every_minutes=10)
    incident = incidents.get(db, first[0].incident_id)
    incidents.acknowledge(db, incident.id, "truc", clock.now, via="cli")
    clock.now = incident.deadline_at - timedelta(minutes=61)
    assert [a for a in engine.tick(db, config, clock.now) if a.kind == "reminder"] == []
    clock.now = incident.deadline_at - timedelta(minutes=59)
    reminders = [a for a in engine.tick(db, config, clock.now) if a.kind == "reminder"]
    assert {a.recipient for a in reminders} == {"truc", "chanh", "pho", "gd", "xa"}
    assert "Nhắc hạn" in reminders[0].explanation
    clock.advance(minutes=30)
    assert [a for a in engine.tick(db, config, clock.now) if a.kind == "reminder"] == []  # once


def test_silenced_topic_mutes_alerts_until_it_ends(db, config):
    clock = Clock()
    silences.add(db, "topic", "school_violence", clock.now + timedelta(hours=2), "đã nắm tình hình", "truc",
                 clock.now)
    assert story_of_outlets(db, config, clock, 2, reach="local") == []
    incident = incidents.find(db)[0]
    assert incident.silence_id is not None
    clock.advance(hours=3)
    alerts = engine.tick(db, config, clock.now)
    assert sent(alerts) == [("truc", "warning", "new"), ("xa", "warning", "new")]
    actions = [r["action"] for r in incidents.audit_log(db, incident.id)]
    assert actions.index("silenced") < actions.index("unsilenced") < actions.index("notify")


def test_silenced_place_and_story(db, config):
    clock = Clock()
    silences.add(db, "place", "Huyện Mai Châu", clock.now + timedelta(hours=1), "đã xác minh", "truc", clock.now)
    assert story_of_outlets(db, config, clock, 1, reach="local") == []
    story_id = db.execute("SELECT id FROM stories").fetchone()[0]
    silences.add(db, "story", str(story_id), clock.now + timedelta(days=1), "tin cũ", "truc", clock.now)
    clock.advance(hours=2)
    assert engine.tick(db, config, clock.now) == []


def test_warning_at_night_waits_for_the_morning(db, config):
    clock = Clock(start=Clock().now.replace(hour=16))  # 23:00 in Phú Thọ
    assert story_of_outlets(db, config, clock, 1, reach="local") == []
    incident = incidents.find(db)[0]
    assert incident.first_alert_at is None
    clock.now = clock.now.replace(hour=23, minute=0)  # 06:00 local: still quiet
    assert engine.tick(db, config, clock.now) == []
    clock.now = clock.now.replace(minute=30)          # 06:30 local: morning
    assert sent(engine.tick(db, config, clock.now)) == [("truc", "warning", "new"), ("xa", "warning", "new")]
    assert "held" in [r["action"] for r in incidents.audit_log(db, incident.id)]


def test_urgent_at_night_goes_at_once(db, config):
    clock = Clock(start=Clock().now.replace(hour=16))
    alerts = story_of_outlets(db, config, clock, 2)
    assert ("chanh", "urgent", "new") in sent(alerts)


def test_critical_inhibits_the_held_warning(db, config):
    clock = Clock(start=Clock().now.replace(hour=16))  # 23:00 local
    assert story_of_outlets(db, config, clock, 1, reach="local") == []  # warning held for the morning
    alerts = story_of_outlets(db, config, clock, 8, every_minutes=5, start=1)
    assert {a.level for a in alerts} == {"urgent", "critical"} or {a.level for a in alerts} == {"critical"}
    clock.now = clock.now.replace(hour=23, minute=45)  # 06:45 local: the held warning is not sent
    morning = engine.tick(db, config, clock.now)
    assert [a for a in morning if a.level == "warning"] == []
    incident = incidents.find(db)[0]
    assert db.execute("SELECT COUNT(*) FROM notifications WHERE level = 'warning'").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM incident_recipients WHERE held_since IS NOT NULL").fetchone()[0] == 0
    assert incident.level == "critical"


def test_level_never_goes_down_while_open(db, config):
    clock = Clock()
    first = urgent_story(db, config, clock)
    clock.advance(hours=30)  # velocity gone: the story scores lower now
    add_item(db, "outlet-late", violence_title(7), clock.now, reach="local")
    later = engine.process(db, config, clock.now)
    assert all(a.level == "urgent" for a in later)
    assert incidents.get(db, first[0].incident_id).level == "urgent"


def test_resolve_tells_everyone_and_a_flare_up_reopens(db, config):
    clock = Clock()
    first = urgent_story(db, config, clock)
    incident_id = first[0].incident_id
    incidents.start_handling(db, incident_id, "chanh", clock.now, via="cli")
    clock.advance(hours=2)
    incidents.resolve(db, incident_id, "chanh", "Đã xác minh, xử lý kỷ luật học sinh liên quan.",
                      "https://phutho.edu.vn.example/thong-bao/1", clock.now, via="web")
    resolved = [a for a in outbox.rows(db) if a["kind"] == "resolved"]
    assert {r["recipient"] for r in resolved} == {"truc", "chanh", "xa"}
    clock.advance(days=1)
    alerts = story_of_outlets(db, config, clock, 3, start=2)
    incident = incidents.get(db, incident_id)
    assert (incident.state, incident.reopened) == ("new", 1)
    assert {(a.recipient, a.kind) for a in alerts} >= {("truc", "new"), ("chanh", "new")}
    assert "Bùng phát trở lại" in alerts[0].explanation
    actions = [r["action"] for r in incidents.audit_log(db, incident_id)]
    assert actions.index("handling") < actions.index("resolved") < actions.index("reopened")


def test_elsewhere_counts_only_when_national(db, config):
    clock = Clock()
    local_elsewhere = dict(places=(ELSEWHERE,), province="Hà Nội", reach="local")
    assert story_of_outlets(db, config, clock, 3, **local_elsewhere) == []
    assert db.execute("SELECT level FROM stories").fetchone()[0] == "digest"


def test_positive_story_never_alerts(db, config):
    clock = Clock()
    assert story_of_outlets(db, config, clock, 6, negative=0.1, topics=("achievement",)) == []


def test_alerts_are_queued_in_the_same_transaction(db, config):
    """A failure while planning leaves neither the incident's notification nor its outbox row behind."""
    clock = Clock()
    add_item(db, "outlet0", violence_title(0), clock.now)
    db.execute("CREATE TRIGGER boom BEFORE INSERT ON notifications WHEN NEW.recipient = 'xa' "
               "BEGIN SELECT RAISE(ABORT, 'boom'); END")
    with pytest.raises(Exception, match="boom"):
        engine.process(db, config, clock.now)
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM incidents").fetchone()[0] == 0
    db.execute("DROP TRIGGER boom")
    alerts = engine.process(db, config, clock.now)  # the story is still marked for evaluation
    assert sent(alerts) == [("truc", "warning", "new"), ("xa", "warning", "new")]
    assert engine.process(db, config, clock.now) == []


def test_no_quiet_hours_when_disabled(db):
    config = esc_config(ESCALATION.replace('quiet_hours = { start = "21:00", end = "06:30" }',
                                           "quiet_hours = { enabled = false }"))
    clock = Clock(start=Clock().now.replace(hour=16))
    assert len(story_of_outlets(db, config, clock, 1, reach="local")) == 2


def test_a_warning_reminder_waits_for_the_morning_too(db):
    config = esc_config(ESCALATION.replace('response_deadline = { warning = "72h"', 'response_deadline = { warning = "10h"'))
    clock = Clock(start=Clock().now.replace(hour=5))  # 12:00 local
    first = story_of_outlets(db, config, clock, 1, reach="local")
    incidents.acknowledge(db, first[0].incident_id, "truc", clock.now)
    clock.now = clock.now.replace(hour=14, minute=5)  # 21:05 local: reminder due, but quiet hours
    assert engine.tick(db, config, clock.now) == []
    clock.now = clock.now.replace(hour=23, minute=30)  # 06:30 local
    assert {a.kind for a in engine.tick(db, config, clock.now)} == {"reminder"}
