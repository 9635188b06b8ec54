"""Signed acknowledge/resolve links and the web app that serves them (real ASGI app, real SQLite)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from monitor.notify import outbox
from monitor.notify.deliver import drain
from monitor.web.app import create_app
from monitor.web.links import BadLink, links_for, sign, verify
from tests.notify_fixtures import LINK_SECRET, T0, Clock, make_alert, make_delivery_config, open_test_incident

incidents = pytest.importorskip("monitor.escalation.incidents")  # the engine's side of the contract


def test_sign_and_verify_round_trip():
    token = sign(LINK_SECRET, 12, "ack", "chanh_vp", T0 + timedelta(days=7))
    grant = verify(LINK_SECRET, token, T0)
    assert (grant.incident_id, grant.action, grant.recipient) == (12, "ack", "chanh_vp")


@pytest.mark.parametrize("damage", [
    lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),        # signature changed
    lambda t: sign(LINK_SECRET, 13, "ack", "chanh_vp", T0 + timedelta(days=7)).split(".")[0] + "." + t.split(".")[1],
    lambda t: sign("another-secret-of-someone-else", 12, "ack", "chanh_vp", T0 + timedelta(days=7)),
    lambda t: t.replace(".", ""),
    lambda t: "",
    lambda t: "%%%.###",
])
def test_forged_links_are_refused(damage):
    token = sign(LINK_SECRET, 12, "ack", "chanh_vp", T0 + timedelta(days=7))
    with pytest.raises(BadLink):
        verify(LINK_SECRET, damage(token), T0)


def test_expired_link_is_refused():
    token = sign(LINK_SECRET, 12, "resolve", "chanh_vp", T0 + timedelta(hours=1))
    verify(LINK_SECRET, token, T0 + timedelta(minutes=59))
    with pytest.raises(BadLink, match="hết hạn"):
        verify(LINK_SECRET, token, T0 + timedelta(hours=1))


@pytest.fixture
def app_client(db, clock):
    config = make_delivery_config()
    with TestClient(create_app(db, config, LINK_SECRET, clock)) as client:
        yield client


def token_for(action: str, clock: Clock, incident_id: int = 5, recipient: str = "chanh_vp") -> str:
    url = links_for("http://x", LINK_SECRET, incident_id, recipient, clock(), 3600)[action]
    return url.rsplit("/", 1)[1]


def test_get_shows_the_action_and_does_not_act(app_client, db, clock):
    outbox.enqueue(db, make_alert(incident_id=5, headline="<b>Phụ huynh</b> phản ánh lạm thu"), clock())
    page = app_client.get(f"/l/{token_for('ack', clock)}")
    assert page.status_code == 200 and "Xác nhận đã nhận cảnh báo" in page.text and "Trần Văn Minh" in page.text
    assert "&lt;b&gt;Phụ huynh&lt;/b&gt;" in page.text and "<b>Phụ huynh</b>" not in page.text
    assert not db.execute("SELECT 1 FROM audit_log WHERE action LIKE 'ack%'").fetchall()


def test_forged_and_expired_links_get_an_error_page(app_client, clock):
    good = token_for("ack", clock)
    forged = app_client.post(f"/l/{good[:-1]}{'A' if good[-1] != 'A' else 'B'}")
    assert forged.status_code == 403 and "Không thực hiện được" in forged.text
    clock.advance(3601)
    expired = app_client.post(f"/l/{good}")
    assert expired.status_code == 410 and "hết hạn" in expired.text


def test_resolve_needs_an_outcome(app_client, clock):
    token = token_for("resolve", clock)
    assert "Kết quả xử lý" in app_client.get(f"/l/{token}").text
    missing = app_client.post(f"/l/{token}", data={"outcome": "  "})
    assert missing.status_code == 400 and "Vui lòng ghi kết quả xử lý" in missing.text


def test_link_from_a_delivered_email_acknowledges_the_incident(smtp, db, clock):
    """The whole path: alert queued -> e-mail with a signed link -> POST on the app -> the engine records it."""
    config = make_delivery_config(smtp=smtp)
    incident_id = open_test_incident(db, clock())
    outbox.enqueue(db, make_alert(incident_id=incident_id, recipient="chanh_vp"), clock())
    asyncio.run(drain(db, config, clock(), env={"MONITOR_LINK_SECRET": LINK_SECRET}))
    html = smtp.wait_for(1)[0].part("html")
    ack_url = html.split('href="http://127.0.0.1:8080')[1].split('"')[0]     # the first link: acknowledge
    clock.advance(120)
    with TestClient(create_app(db, config, LINK_SECRET, clock)) as client:
        done = client.post(ack_url)
    assert done.status_code == 200 and "Đã ghi nhận" in done.text
    incident = incidents.get(db, incident_id)
    assert incident.state == "acknowledged" and incident.acknowledged_by == "Trần Văn Minh"
    log = [(row["actor"], row["action"]) for row in incidents.audit_log(db, incident_id)]
    assert log == [("hệ thống", "opened"), ("hệ thống gửi tin", "sent"), ("Trần Văn Minh (qua liên kết)", "acknowledged")]


def test_resolve_through_the_link_records_outcome_and_public_url(db, clock):
    incident_id = open_test_incident(db, clock())
    config = make_delivery_config()
    token = token_for("resolve", clock, incident_id=incident_id)
    with TestClient(create_app(db, config, LINK_SECRET, clock)) as client:
        done = client.post(f"/l/{token}", data={"outcome": "Đã xác minh, xử lý kỷ luật; thông tin trên cổng Sở.",
                                                "public_url": "https://sogd.example.vn/tin/ket-qua-xu-ly"})
        assert done.status_code == 200
        again = client.post(f"/l/{token}", data={"outcome": "lần hai"})
    incident = incidents.get(db, incident_id)
    assert incident.state == "resolved" and incident.public_url == "https://sogd.example.vn/tin/ket-qua-xu-ly"
    assert again.status_code == 409 and "đã xử lý" in again.text
