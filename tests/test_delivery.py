"""The outbox and its drain against real servers: outages, crashes, fallback, dead letters.

Time is an injected clock; the SMTP and Zalo servers are real ones on 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest

from monitor.notify import outbox
from monitor.notify.deliver import drain
from monitor.store import open_store
from tests.notify_fixtures import T0, delivery_toml, make_alert, make_delivery_config, zalo_env

incidents = pytest.importorskip("monitor.escalation.incidents")  # the engine's audit log (the contract)


def audit_actions(db, incident_id: int) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT action FROM audit_log WHERE incident_id = ? AND actor = 'hệ thống gửi tin' ORDER BY id", [incident_id])]


def statuses(db) -> list[tuple]:
    return [(r["recipient"], r["channel"], r["status"]) for r in outbox.rows(db)]


def run_drain(db, config, now, env=None):
    return asyncio.run(drain(db, config, now, env={} if env is None else env))


def test_enqueue_is_idempotent_and_joins_the_callers_transaction(db):
    alert = make_alert()
    assert outbox.enqueue(db, alert, T0) is True
    assert outbox.enqueue(db, alert, T0 + timedelta(minutes=5)) is False
    assert outbox.enqueue(db, make_alert(update_no=1), T0) is True
    try:
        with db.atomic():
            assert outbox.enqueue(db, make_alert(incident_id=2), T0) is True
            raise RuntimeError("the engine's transaction fails after queueing")
    except RuntimeError:
        pass
    assert [(r["incident_id"], r["update_no"]) for r in outbox.rows(db)] == [(1, 0), (1, 1)]
    assert outbox.alert_from_json(outbox.rows(db)[0]["payload"]) == alert


def test_restart_sends_what_was_queued_but_unsent(smtp, tmp_path):
    path = tmp_path / "monitor.db"
    config = make_delivery_config(smtp=smtp)
    first = open_store(path)
    outbox.enqueue(first, make_alert(recipient="thanhtra"), T0)
    first.conn.close()                                   # the daemon stops before delivering
    again = open_store(path)
    assert run_drain(again, config, T0 + timedelta(seconds=5)) == 1
    assert [m.message["To"].addresses[0].addr_spec for m in smtp.wait_for(1)] == ["nam.tt@sogd.example.vn"]
    assert audit_actions(again, 1) == ["sent"]


def test_mail_server_down_for_ten_minutes_loses_nothing(smtp, db, clock):
    config = make_delivery_config(smtp=smtp)            # 8 attempts, 30 s doubling to 5 min: 22 min of patience
    smtp.stop()
    recipients = ["thanhtra", "quantri", "chanh_vp"]
    for incident in (1, 2):
        for recipient in recipients:
            outbox.enqueue(db, make_alert(incident_id=incident, recipient=recipient), clock())
    sent = 0
    while clock.now < T0 + timedelta(minutes=20):
        if not smtp.running and clock.now >= T0 + timedelta(minutes=10):
            smtp.start()
        sent += run_drain(db, config, clock())
        assert sent == 0 or smtp.running
        clock.advance(15)
    received = smtp.wait_for(6)
    assert sent == 6 and len(received) == 6
    assert sorted(m.message["Message-ID"] for m in received) == sorted(
        {m.message["Message-ID"] for m in received})  # each exactly once
    rows = outbox.rows(db)
    assert {r["status"] for r in rows} == {"sent"} and all(r["attempts"] >= 5 for r in rows)
    assert all(r["sent_at"] >= (T0 + timedelta(minutes=10)).isoformat() for r in rows)
    assert audit_actions(db, 1) == ["sent"] * 3


CHILD = """
import asyncio, sys
from datetime import datetime
from monitor.config import load_config
from monitor.notify.deliver import drain
from monitor.store import open_store
asyncio.run(drain(open_store(sys.argv[1]), load_config(sys.argv[2]), datetime.fromisoformat(sys.argv[3]), env={}))
"""


def test_crash_between_send_and_record_repeats_only_that_message_marked(smtp, tmp_path):
    path, config_path = tmp_path / "monitor.db", tmp_path / "feeds.toml"
    config_path.write_text(delivery_toml(smtp=smtp), encoding="utf-8")
    config = make_delivery_config(smtp=smtp)
    db = open_store(path)
    for incident, recipient in ((1, "thanhtra"), (2, "chanh_vp"), (3, "quantri")):
        outbox.enqueue(db, make_alert(incident_id=incident, recipient=recipient), T0)

    # A real process delivers; the mail server takes the first message and the process dies
    # before it can record the send (SIGKILL while it waits for the server's "250").
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(config_path), T0.isoformat()],
                             cwd=os.getcwd())
    smtp.on_message = lambda received: os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=60) == -signal.SIGKILL
    smtp.on_message = None
    assert len(smtp.received) == 1 and [r["status"] for r in outbox.rows(db)] == ["sending", "pending", "pending"]

    # Restarted: the others go out; the interrupted one waits for its lease, then goes out once more, marked.
    assert run_drain(db, config, T0 + timedelta(seconds=10)) == 2
    assert run_drain(db, config, T0 + timedelta(seconds=61)) == 1
    assert run_drain(db, config, T0 + timedelta(minutes=30)) == 0
    mails = smtp.wait_for(4)
    by_incident = {}
    for mail in mails:
        by_incident.setdefault(mail.message["Message-ID"], []).append(mail)
    assert sorted(len(v) for v in by_incident.values()) == [1, 1, 2]
    first, repeat = by_incident["<1.thanhtra.email.urgent.0@edu-monitor.local>"]
    assert "(gửi lại)" not in first.subject and first.subject.rstrip().endswith("(sự cố #1)")
    assert repeat.subject.endswith("(gửi lại)") and repeat.message["X-Monitor-Repeat"] == "yes"
    assert "Gửi lại" in repeat.part("plain")
    row = outbox.rows(db, "incident_id = 1")[0]
    assert row["status"] == "sent" and row["repeat"] == 1 and row["attempts"] == 2
    assert audit_actions(db, 1) == ["repeat"] and audit_actions(db, 2) == ["sent"]


def test_recover_at_startup_resends_interrupted_rows_at_once(smtp, db):
    config = make_delivery_config(smtp=smtp)
    outbox.enqueue(db, make_alert(), T0)
    [row] = outbox.rows(db)
    assert outbox.claim(db, row, "email", T0)           # marked, then the process died
    assert outbox.recover(db) == 1
    assert run_drain(db, config, T0 + timedelta(seconds=1)) == 1
    assert smtp.wait_for(1)[0].subject.endswith("(gửi lại)")


def test_failing_channel_falls_back_to_the_contacts_next_channel(smtp, zalo, db, clock):
    config = make_delivery_config(smtp=smtp, zalo=zalo, channels='["zalo_bot", "zns", "email"]')
    env = zalo_env(zalo)
    zalo.fail("bot", 403)                                # the bot was blocked: not retryable
    outbox.enqueue(db, make_alert(recipient="vanphong"), clock())
    assert run_drain(db, config, clock(), env) == 1      # the same call falls over; no phone, so no ZNS
    assert statuses(db) == [("vanphong", "zalo_bot", "failed"), ("vanphong", "email", "sent")]
    assert not zalo.delivered("bot")
    assert smtp.wait_for(1)[0].message["To"].addresses[0].addr_spec == "lan.vp@sogd.example.vn"
    assert audit_actions(db, 1) == ["failed", "sent"]

    # Retryable failures fall over too, once the channel has had its attempts.
    zalo.fail("bot", *[503] * 8)
    outbox.enqueue(db, make_alert(incident_id=2, recipient="vanphong"), clock())
    while len(smtp.wait_for(2, timeout=0)) < 2:
        run_drain(db, config, clock(), env)
        clock.advance(300)                               # past the longest backoff
    bot_row = outbox.rows(db, "incident_id = 2 AND channel = 'zalo_bot'")[0]
    assert bot_row["status"] == "failed" and bot_row["attempts"] == 8 and "503" in bot_row["last_error"]


def test_phone_only_path_reaches_zns_after_the_bot(smtp, zalo, db, clock):
    config = make_delivery_config(smtp=smtp, zalo=zalo, channels='["zalo_bot", "zns", "email"]')
    outbox.enqueue(db, make_alert(recipient="chanh_vp"), clock())   # phone and e-mail, no Zalo chat
    assert run_drain(db, config, clock(), zalo_env(zalo)) == 1
    assert statuses(db) == [("chanh_vp", "zns", "sent")]
    assert zalo.delivered("zns")[0].body["phone"] == "84912345678" and not smtp.received


def test_dead_letter_alerts_the_admin(smtp, zalo, db, clock, caplog):
    config = make_delivery_config(smtp=smtp, zalo=zalo, channels='["zalo_bot", "email"]')
    env = zalo_env(zalo)
    zalo.fail("bot", 400)
    outbox.enqueue(db, make_alert(recipient="zalo_only"), clock())
    assert run_drain(db, config, clock(), env) == 1      # the admin's notice goes out in the same call
    rows = outbox.rows(db)
    assert [(r["recipient"], r["status"], r["dead_letter_of"]) for r in rows] == [
        ("zalo_only", "dead", 0), ("quantri", "sent", rows[0]["id"])]
    [notice] = smtp.wait_for(1)
    assert notice.message["To"].addresses[0].addr_spec == "quantri@sogd.example.vn"
    assert "Không gửi được cảnh báo tới Phạm Thu Hà" in notice.subject
    assert "zalo_bot" in notice.part("plain") and "400" in notice.part("plain")
    assert audit_actions(db, 1) == ["dead_letter", "sent"]

    # A notice that dies too is logged, never re-notified in a loop.
    smtp.fail(550)
    zalo.fail("bot", 400)
    outbox.enqueue(db, make_alert(incident_id=2, recipient="zalo_only"), clock())
    for _ in range(3):
        run_drain(db, config, clock(), env)
    assert [r["status"] for r in outbox.rows(db, "incident_id = 2")] == ["dead", "dead"]
    assert "could not be delivered either" in caplog.text


def test_unknown_recipient_goes_to_dead_letter(smtp, db, clock):
    config = make_delivery_config(smtp=smtp)
    outbox.enqueue(db, make_alert(recipient="nobody"), clock())
    run_drain(db, config, clock())
    assert [(r["recipient"], r["status"]) for r in outbox.rows(db)] == [("nobody", "dead"), ("quantri", "sent")]


def test_alerts_carry_working_signed_links(smtp, db, clock):
    from monitor.web.links import verify

    config = make_delivery_config(smtp=smtp)
    outbox.enqueue(db, make_alert(incident_id=7), clock())
    run_drain(db, config, clock(), {"MONITOR_LINK_SECRET": "s" * 32})
    html = smtp.wait_for(1)[0].part("html")
    token = html.split("http://127.0.0.1:8080/l/")[1].split('"')[0]
    grant = verify("s" * 32, token, clock())
    assert (grant.incident_id, grant.action, grant.recipient) == (7, "ack", "thanhtra")
    payload = json.loads(outbox.rows(db)[0]["payload"])
    assert payload["headline"].startswith("Học sinh lớp 7")


def test_no_secret_in_outbox_errors_or_logs(zalo, db, clock, caplog):
    caplog.set_level("DEBUG")
    config = make_delivery_config(zalo=zalo, channels='["zalo_bot", "zns"]')
    env = zalo_env(zalo)
    zalo.fail("bot", 500, 401)
    zalo.fail("oauth", 500)
    outbox.enqueue(db, make_alert(recipient="vanphong"), clock())
    outbox.enqueue(db, make_alert(incident_id=2, recipient="chanh_vp"), clock())
    for _ in range(4):
        run_drain(db, config, clock(), env)
        clock.advance(120)
    errors = " ".join(str(r["last_error"]) for r in outbox.rows(db))
    audit = " ".join(row[0] for row in db.execute("SELECT detail FROM audit_log"))
    for secret in ("bot-token-demo", "app-secret-demo", zalo.state.refresh_token, "refresh-0"):
        assert secret not in errors and secret not in audit and secret not in caplog.text
    for token in zalo.state.access_tokens:
        assert token not in caplog.text


def test_daemon_delivery_loop_recovers_at_start_and_sends_until_stopped(smtp, db, clock):
    from monitor.notify.deliver import delivery_loop

    config = make_delivery_config(smtp=smtp)
    outbox.enqueue(db, make_alert(incident_id=1), clock())
    [row] = outbox.rows(db)
    outbox.claim(db, row, "email", clock())              # the previous run died while sending this one
    outbox.enqueue(db, make_alert(incident_id=2), clock())

    async def run():
        stop = asyncio.Event()
        task = asyncio.create_task(delivery_loop(db, config, stop, clock=clock, interval=0.05, env={}))
        while len(smtp.received) < 2:
            await asyncio.sleep(0.02)
        outbox.enqueue(db, make_alert(incident_id=3), clock())   # queued while running: picked up next round
        while len(smtp.received) < 3:
            await asyncio.sleep(0.02)
        stop.set()
        await task

    asyncio.run(asyncio.wait_for(run(), timeout=20))
    subjects = sorted(m.subject for m in smtp.received)
    assert [s.endswith("(gửi lại)") for s in subjects].count(True) == 1
    assert {r["status"] for r in outbox.rows(db)} == {"sent"}
