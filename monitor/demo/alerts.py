"""The alert scenario of `monitor demo`: a real negative local story spreads across outlets.

One real item (``data/samples/alert_scenario.json``) is re-served by several
outlets over an hour of scenario time: feeds added to the demo server
(``DemoServer.add_feed``), each copy released at its minute. Each round runs
the product's own path: ``poll_cycle`` (classification, stories, incidents)
and ``engine.tick`` -> outbox -> ``drain`` -> a real SMTP server and a real
Zalo API server on 127.0.0.1. Then
nobody answers, the (shortened) acknowledgement timeouts pass and the
incident escalates; the escalated person acknowledges through the signed link
in their e-mail, served by the real web app; the audit log closes the show.

The scenario keeps its own database (``alerts.db`` beside the demo's): it
plays another office, Bắc Ninh, because the demo data has no incident local to
the demo's office, Phú Thọ (see data/samples/README.md), and a database's
incidents, outbox and audit log are one office's. In the demo's database the
story would also start late: the rounds already stored the Dân Trí original,
so its minute-0 copy would not be new.
"""
from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from rich.panel import Panel
from rich.table import Table

from monitor.config import parse_config
from monitor.demo.catalog import SAMPLES, FeedSpec, SampleItem
from monitor.demo.server import DemoServer
from monitor.demo.smtp_server import LocalSMTP, free_port
from monitor.demo.zalo_server import LocalZalo
from monitor.escalation.words import action_name
from monitor.notify import outbox
from monitor.notify.deliver import drain
from monitor.notify.registry import build_registry, close_registry
from monitor.notify.render import KINDS, LEVELS
from monitor.store import open_store, parse_iso, utcnow
from monitor.store.sources import sync_sources
from monitor.web.app import create_app, serve

SCENARIO_FILE = SAMPLES / "alert_scenario.json"
ROUNDS = (0, 15, 25, 35, 45)          # scenario minutes at which the monitor polls
ACK_TIMEOUT = {"warning": "30m", "urgent": "20m", "critical": "15m"}   # shortened for the demo


class ScenarioClock:
    def __init__(self, start: datetime):
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, minute: float) -> datetime:
        self.now = self.start + timedelta(minutes=minute)
        return self.now


@dataclass(frozen=True)
class Pickup:
    minute: int
    source: str
    reach: str
    url: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname


def load_scenario(path: Path = SCENARIO_FILE) -> dict:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    scenario["pickups"] = [Pickup(**p) for p in scenario["pickups"]]
    return scenario


def add_feeds(server: DemoServer, scenario: dict, clock: ScenarioClock) -> dict[str, str]:
    """One demo-server feed per outlet, whose copy appears at its minute; {source name: feed URL}."""
    record = scenario["origin"]["record"]
    summary = f"{record['title']}. Từ khóa: {', '.join(record['keywords'])}."
    urls = {}
    for pickup in scenario["pickups"]:
        slug = "alert-" + pickup.host.replace(".", "-")
        spec = FeedSpec(slug, pickup.source, pickup.source, f"https://{pickup.host}/", tags=("education",))
        item = SampleItem(feed=slug, outlet=pickup.host, id=record["id"], title=record["title"], url=pickup.url,
                          summary=summary, published=clock.start + timedelta(minutes=pickup.minute),
                          keywords=record["keywords"], is_education=True)
        urls[pickup.source] = server.add_feed(spec, [item], clock)
    return urls


def scenario_config(scenario: dict, feeds: dict[str, str], smtp: LocalSMTP, web_port: int):
    office = scenario["office"]
    sources = "".join(
        f'\n[[sources]]\nname = "{p.source}"\nurl = "{feeds[p.source]}"\nreach = "{p.reach}"\n'
        f'tags = ["education"]\n' for p in scenario["pickups"])
    timeouts = ", ".join(f'{level} = "{value}"' for level, value in ACK_TIMEOUT.items())
    return parse_config(f"""
[office]
name = "{office['name']}"
province_code = {office['province_code']}

[polling]
allow_private = true
fulltext = false
min_interval = "1m"
default_interval = "5m"
{sources}
[contacts.truc_vp]
name = "Nguyễn Thị Thu – cán bộ trực truyền thông"
email = "truc.truyenthong@sogd-bacninh.example"
zalo_chat_id = "zalo-truc-vp"

[contacts.chanh_vp]
name = "Trần Quốc Huy – Chánh Văn phòng Sở"
email = "chanh.vanphong@sogd-bacninh.example"
phone = "0912345678"

[contacts.pho_gd]
name = "Lê Minh Đức – Phó Giám đốc Sở"
email = "pho.giamdoc@sogd-bacninh.example"
zalo_chat_id = "zalo-pho-gd"

[contacts.giam_doc]
name = "Phạm Văn Hải – Giám đốc Sở"
email = "giamdoc@sogd-bacninh.example"

[contacts.xa_lim]
name = "Đầu mối truyền thông xã Tiên Du"
email = "daumoi.tiendu@sogd-bacninh.example"

[contacts.quan_tri]
name = "Quản trị hệ thống"
email = "quantri@sogd-bacninh.example"

[routes]
name = "Văn phòng Sở"
to = ["truc_vp"]

[[routes.routes]]
name = "Chánh Văn phòng (khẩn)"
min_level = "urgent"
to = ["chanh_vp"]
continue = true

[[routes.routes]]
name = "Đầu mối cấp xã"
own_province = true
school_levels = ["lower_secondary", "unknown"]
to = ["xa_lim"]

[escalation]
admin = "quan_tri"
chain = ["truc_vp", "chanh_vp", "pho_gd", "giam_doc"]
ack_timeout = {{ {timeouts} }}
group_interval = "10m"

[escalation.quiet_hours]
enabled = false

[delivery]
channels = ["zalo_bot", "zns", "email"]

[delivery.email]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
sender = "Giám sát truyền thông Sở GDĐT <canhbao@sogd-bacninh.example>"

[delivery.zns]
template_id = "demo-canh-bao"

[web]
public_url = "http://127.0.0.1:{web_port}"
host = "127.0.0.1"
port = {web_port}
""", "demo alert scenario")


def delivery_env(zalo: LocalZalo) -> dict[str, str]:
    state = zalo.state
    return {
        "MONITOR_ZALO_BOT_TOKEN": state.bot_token, "MONITOR_ZALO_BOT_URL": zalo.url,
        "MONITOR_ZALO_APP_ID": state.app_id, "MONITOR_ZALO_APP_SECRET": state.app_secret,
        "MONITOR_ZALO_REFRESH_TOKEN": state.refresh_token, "MONITOR_ZNS_URL": zalo.url,
        "MONITOR_ZALO_OAUTH_URL": zalo.url, "MONITOR_LINK_SECRET": secrets.token_urlsafe(32),
    }


class Show:
    """Prints what was delivered since the last call, as the recipients saw it."""

    def __init__(self, console, db, config, smtp: LocalSMTP, zalo: LocalZalo):
        self.console, self.db, self.config, self.smtp, self.zalo = console, db, config, smtp, zalo
        self.seen = 0

    def deliveries(self, title: str, quiet: bool = False) -> int:
        rows = outbox.rows(self.db, "status = 'sent' AND id > ?", [self.seen])
        if not rows:
            if not quiet:
                self.console.print(f"[dim]{title}: không có tin mới cần gửi.[/dim]")
            return 0
        table = Table(title=title)
        for column in ("Giờ", "Kênh", "Người nhận", "Loại", "Mức", "Nội dung"):
            table.add_column(column)
        tz = self.config.office.tz
        for row in rows:
            alert = json.loads(row["payload"])
            contact = self.config.contacts.get(row["recipient"])
            table.add_row(parse_iso(row["sent_at"]).astimezone(tz).strftime("%H:%M"), row["channel"],
                          contact.name if contact else row["recipient"], KINDS.get(row["kind"]) or "Mới",
                          LEVELS.get(row["level"], row["level"]), alert["headline"][:70])
        self.console.print(table)
        self.seen = max(r["id"] for r in outbox.rows(self.db))
        self.console.print(f"Máy chủ SMTP cục bộ đã nhận {len(self.smtp.received)} thư; máy chủ Zalo cục bộ "
                           f"{len(self.zalo.delivered('bot'))} tin Zalo Bot, {len(self.zalo.delivered('zns'))} tin ZNS.")
        return len(rows)

    def last_email(self) -> None:
        """The latest e-mail as its recipient reads it (plain-text part, first lines)."""
        if not self.smtp.received:
            return
        mail = self.smtp.received[-1]
        lines = [line for line in mail.part("plain").splitlines() if line.strip()][:14]
        self.console.print(Panel("\n".join(lines), title=f"Thư tới {mail.message['To']}: {mail.subject}",
                                 title_align="left"))


async def alert_scenario(demo) -> None:
    """The demo stage (see module docstring)."""
    from monitor.daemon import poll_cycle
    from monitor.escalation import engine, incidents

    console = demo.console
    directory = Path(demo.db.execute("PRAGMA database_list").fetchone()[2]).parent
    scenario = load_scenario()
    start = utcnow().replace(second=0, microsecond=0)
    clock = ScenarioClock(start)
    console.rule("Kịch bản cảnh báo: một tin tiêu cực tại địa phương lan rộng")
    record = scenario["origin"]["record"]
    console.print(f"Tin thật (Dân Trí, {record['published'][:10]}): “{record['title']}”, được phát lại như "
                  f"{len(scenario['pickups'])} nguồn lần lượt đăng trong {scenario['pickups'][-1].minute} phút.")
    for stale in directory.glob("alerts.db*"):
        stale.unlink()
    feeds = add_feeds(demo.server, scenario, clock)
    with LocalSMTP() as smtp, LocalZalo() as zalo:
        web_port = free_port()
        config = scenario_config(scenario, feeds, smtp, web_port)
        env = delivery_env(zalo)
        db = open_store(directory / "alerts.db")
        sync_sources(db, config, clock())
        rt = replace(demo.rt, db=db, config=config, clock=clock)
        registry = build_registry(config, db, env, clock)
        show = Show(console, db, config, smtp, zalo)
        console.print(f"Máy chủ SMTP: {smtp.host}:{smtp.port} · máy chủ Zalo API: {zalo.url} · "
                      f"ứng dụng xác nhận: http://127.0.0.1:{web_port}")
        try:
            for minute in ROUNDS:
                clock.at(minute)
                report = await poll_cycle(rt, everything=True)    # fetch, store, classify, stories, alerts
                engine.tick(db, config, clock())                   # timeouts: escalation, repeats, reminders
                await drain(db, config, clock(), registry, env=env)
                show.deliveries(f"Phút {minute}: {report.new_items} bài mới – tin đã gửi")
            incident = next(iter(incidents.find(db)), None)
            if incident is None:
                console.print("[red]Không có sự cố nào được mở: kiểm tra mô hình phân loại (monitor train).[/red]")
                return
            # Nobody acknowledges: the shortened timeout passes and the chain moves on.
            wait = parse_duration_text(ACK_TIMEOUT[incident.level]) + 60
            clock.now += timedelta(seconds=wait)
            engine.tick(db, config, clock())
            await drain(db, config, clock(), registry, env=env)
            show.deliveries(f"Thêm {wait // 60:.0f} phút không ai xác nhận", quiet=True)
            show.last_email()
            await acknowledge_by_link(console, db, config, env, smtp, zalo, clock, web_port)
            clock.now += timedelta(minutes=30)
            engine.tick(db, config, clock())
            await drain(db, config, clock(), registry, env=env)
            show.deliveries("30 phút sau khi xác nhận (không chuyển cấp thêm)")
            print_audit(console, db, config, incident.id)
        finally:
            await close_registry(registry)
            db.conn.close()
    console.print(f"Xem lại: monitor --db {directory / 'alerts.db'} outbox --all · "
                  f"monitor --db {directory / 'alerts.db'} incidents show 1")


def parse_duration_text(text: str) -> float:
    from monitor.config import parse_duration

    return parse_duration(text)


def ack_link(db, config, smtp: LocalSMTP, zalo: LocalZalo) -> tuple[str, str, str] | None:
    """(who, channel, link) for the person the incident was escalated to (else the last one told):
    the acknowledge link as it reached them, read back from the local SMTP or Zalo server."""
    rows = outbox.rows(db, "status = 'sent'", order="kind = 'escalation', id")
    for row in reversed(rows):
        contact = config.contacts.get(row["recipient"])
        if contact is None:
            continue
        texts = []
        if row["channel"] == "email":
            texts = [m.part("plain") for m in smtp.received
                     if m.message["To"].addresses[0].addr_spec == contact.email]
        elif row["channel"] == "zalo_bot":
            texts = [c.body.get("text", "") for c in zalo.delivered("bot") if c.body.get("chat_id") == contact.zalo_chat_id]
        elif row["channel"] == "zns":
            texts = [f"{config.web.public_url}/l/{c.body['template_data']['lien_ket']}" for c in zalo.delivered("zns")]
        for text in reversed(texts):
            found = re.search(re.escape(config.web.public_url) + r"/l/[A-Za-z0-9_\-.]+", text)
            if found:
                return contact.name, row["channel"], found.group(0)
    return None


async def acknowledge_by_link(console, db, config, env, smtp: LocalSMTP, zalo: LocalZalo, clock, web_port: int) -> None:
    """Open the acknowledge link on the real web app, as the recipient would, and press the button."""
    found = ack_link(db, config, smtp, zalo)
    if found is None:
        console.print("[red]Không tìm thấy liên kết xác nhận trong các tin đã gửi.[/red]")
        return
    who, channel, url = found
    stop = asyncio.Event()
    app = create_app(db, config, env["MONITOR_LINK_SECRET"], clock)
    server = asyncio.create_task(serve(app, "127.0.0.1", web_port, stop))
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            for _ in range(50):                      # until the app listens
                try:
                    page = await client.get(url)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            done = await client.post(url)
    finally:
        stop.set()
        await server
    console.print(f"{who} mở liên kết xác nhận (nhận qua {channel}: {url[:60]}…): trang {page.status_code}; "
                  f"bấm “Xác nhận đã nhận”: {done.status_code} – "
                  + ("Đã ghi nhận." if "Đã ghi nhận" in done.text else "không thành công."))


def print_audit(console, db, config, incident_id: int) -> None:
    from monitor.escalation import incidents

    incident = incidents.get(db, incident_id)
    tz = config.office.tz
    table = Table(title=f"Nhật ký sự cố #{incident_id} – trạng thái: {incidents.STATE_NAMES[incident.state]}")
    for column in ("Giờ", "Ai", "Việc", "Chi tiết"):
        table.add_column(column)
    for row in incidents.audit_log(db, incident_id):
        table.add_row(parse_iso(row["at"]).astimezone(tz).strftime("%H:%M"), row["actor"], action_name(row["action"]),
                      (row["detail"] or "")[:90])
    console.print(table)
