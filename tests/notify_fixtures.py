"""Fixtures for delivery tests: a real SMTP server, a real local Zalo API server, an injected clock.

Registered for every test module by ``pytest_plugins`` in conftest.py; helpers are imported from here.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from monitor.config import parse_config
from monitor.demo.smtp_server import LocalSMTP
from monitor.demo.zalo_server import LocalZalo
from monitor.notify.alert import Alert, AlertItem

T0 = datetime(2025, 11, 20, 1, 0, tzinfo=timezone.utc)   # 08:00 in Vietnam
LINK_SECRET = "test-link-secret-0123456789abcdef"


class Clock:
    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def smtp():
    server = LocalSMTP().start()
    yield server
    server.stop()


@pytest.fixture
def zalo():
    server = LocalZalo().start()
    yield server
    server.stop()


def zalo_env(zalo: LocalZalo, **extra: str) -> dict[str, str]:
    state = zalo.state
    env = {
        "MONITOR_ZALO_BOT_TOKEN": state.bot_token,
        "MONITOR_ZALO_BOT_URL": zalo.url,
        "MONITOR_ZALO_APP_ID": state.app_id,
        "MONITOR_ZALO_APP_SECRET": state.app_secret,
        "MONITOR_ZALO_REFRESH_TOKEN": state.refresh_token,
        "MONITOR_ZNS_URL": zalo.url,
        "MONITOR_ZALO_OAUTH_URL": zalo.url,
        "MONITOR_LINK_SECRET": LINK_SECRET,
    }
    env.update(extra)
    return env


CONTACTS = """
[contacts.vanphong]
name = "Nguyễn Thị Lan"
role = "Chuyên viên Văn phòng Sở"
email = "lan.vp@sogd.example.vn"
zalo_chat_id = "zl-chat-lan"

[contacts.chanh_vp]
name = "Trần Văn Minh"
role = "Chánh Văn phòng"
email = "minh.cvp@sogd.example.vn"
phone = "0912 345 678"

[contacts.thanhtra]
name = "Lê Hoàng Nam"
email = "nam.tt@sogd.example.vn"

[contacts.zalo_only]
name = "Phạm Thu Hà"
zalo_chat_id = "zl-chat-ha"

[contacts.quantri]
name = "Quản trị hệ thống"
email = "quantri@sogd.example.vn"
"""


def make_delivery_config(smtp: LocalSMTP | None = None, zalo: LocalZalo | None = None, **kwargs):
    return parse_config(delivery_toml(smtp, zalo, **kwargs))


def delivery_toml(smtp: LocalSMTP | None = None, zalo: LocalZalo | None = None, delivery: str = "",
                  channels: str = '["zalo_bot", "zns", "email", "webhook"]', max_attempts: int = 8) -> str:
    webhook = f'url = "{zalo.url}/webhook"' if zalo else ""
    return (f"""
[office]
name = "Văn phòng Sở GDĐT thử nghiệm"
province_code = 25

[delivery]
channels = {channels}
max_attempts = {max_attempts}
backoff_base = "30s"
backoff_max = "5m"
lease = "60s"
{delivery}

[delivery.email]
host = "127.0.0.1"
port = {smtp.port if smtp else 1}
security = "none"
sender = "Giám sát truyền thông <canhbao@sogd.example.vn>"
timeout = "3s"

[delivery.zns]
template_id = "tpl-canh-bao-1"

[delivery.webhook]
{webhook}

[web]
public_url = "http://127.0.0.1:8080"

[escalation]
admin = "quantri"
{CONTACTS}
""")


def make_alert(incident_id: int = 1, recipient: str = "thanhtra", level: str = "urgent", update_no: int = 0,
               headline: str = "Học sinh lớp 7 bị đánh hội đồng, clip lan truyền trên mạng",
               kind: str = "new") -> Alert:
    published = datetime(2025, 11, 20, 0, 30, tzinfo=timezone.utc)
    return Alert(
        incident_id=incident_id, story_id=incident_id * 10, recipient=recipient, level=level, kind=kind,
        update_no=update_no, headline=headline,
        explanation="Tin tiêu cực về bạo lực học đường tại địa phương, đã có 3 báo đăng trong 2 giờ.",
        topics=("school_violence",), places=("Phú Thọ", "Việt Trì"),
        items=(
            AlertItem("Nữ sinh lớp 7 bị bạn đánh hội đồng trong giờ ra chơi", "Dân Trí",
                      "https://dantri.com.vn/giao-duc/nu-sinh-bi-danh-hoi-dong.htm", published),
            AlertItem("Phú Thọ: Xác minh vụ học sinh bị đánh hội đồng", "VnExpress",
                      "https://vnexpress.net/phu-tho-xac-minh-vu-hoc-sinh-bi-danh.html", published),
        ),
        first_seen=published, created_at=published,
    )


def open_test_incident(db, now: datetime, title: str = "Học sinh lớp 7 bị đánh hội đồng", level: str = "urgent") -> int:
    """A story and its incident, made through the engine's own functions."""
    from monitor.escalation import incidents
    from monitor.store import iso

    story = db.execute("INSERT INTO stories (title, first_seen, last_seen, level, updated_at) VALUES (?, ?, ?, ?, ?)",
                       [title, iso(now), iso(now), level, iso(now)]).lastrowid
    return incidents.open_incident(db, story, level, 70.0, now).id
