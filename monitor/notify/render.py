"""Vietnamese texts of an alert for each channel.

HTML goes through Jinja2 with autoescaping, so a title carrying markup or a
script arrives as text. Header values lose line breaks (no header injection).
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from monitor.notify.base import Message

LEVELS = {"warning": "CẢNH BÁO", "urgent": "KHẨN", "critical": "KHẨN CẤP"}
KINDS = {
    "new": "",
    "update": "Cập nhật",
    "escalation": "Chuyển cấp",
    "reminder": "Nhắc lại",
    "resolved": "Đã xử lý",
    "dead_letter": "Không gửi được cảnh báo",
}
REPEAT_MARK = "(gửi lại)"


def topic_label(slug: str) -> str:
    try:
        from classifiers.taxonomy import TOPICS
    except ImportError:  # the classifier package is optional for delivery
        return slug
    return TOPICS.get(slug, slug)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def local_time(moment: datetime | None, message: Message) -> str:
    return moment.astimezone(message.tz).strftime("%H:%M %d/%m/%Y") if moment else ""


def subject(message: Message) -> str:
    """E.g. "[KHẨN] Cập nhật – Phú Thọ: Học sinh bị đánh hội đồng... (sự cố #12)"."""
    alert = message.alert
    parts = [f"[{LEVELS.get(alert.level, alert.level.upper())}]"]
    kind = KINDS.get(alert.kind, "")
    place = ", ".join(alert.places[:2])
    lead = " – ".join(p for p in (kind, place) if p)
    if lead:
        parts.append(lead + ":")
    parts.append(truncate(one_line(alert.headline), 120))
    parts.append(f"(sự cố #{alert.incident_id})")
    if message.repeat:
        parts.append(REPEAT_MARK)
    return one_line(" ".join(parts))


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def context(message: Message) -> dict:
    alert = message.alert
    return {
        "m": message,
        "alert": alert,
        "subject": subject(message),
        "level": LEVELS.get(alert.level, alert.level),
        "kind": KINDS.get(alert.kind, ""),
        "topics": [topic_label(t) for t in alert.topics],
        "places": list(alert.places),
        "items": [
            {"title": one_line(i.title), "outlet": i.outlet, "url": i.url, "when": local_time(i.published_at, message)}
            for i in alert.items[:10]
        ],
        "more": max(len(alert.items) - 10, 0),
        "first_seen": local_time(alert.first_seen, message),
        "repeat_mark": REPEAT_MARK,
    }


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("monitor.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def email_html(message: Message) -> str:
    return _env().get_template("alert.html").render(context(message))


def email_text(message: Message) -> str:
    return _env().get_template("alert.txt").render(context(message))


def short_text(message: Message, limit: int) -> str:
    """Plain text for chat channels, cut to ``limit`` characters by dropping items first."""
    ctx = context(message)
    head = [subject(message), "", one_line(message.alert.explanation)] if message.alert.explanation else [subject(message)]
    tail = []
    if message.links.get("ack"):
        tail.append(f"Xác nhận đã nhận: {message.links['ack']}")
    if message.links.get("resolve"):
        tail.append(f"Báo đã xử lý: {message.links['resolve']}")
    lines = []
    for item in ctx["items"]:
        line = f"• {item['title']} ({item['outlet']})"
        if item["url"]:
            line += f" {item['url']}"
        lines.append(line)
    while lines:
        text = "\n".join(head + [""] + lines + [""] + tail)
        if len(text) <= limit:
            return text
        lines.pop()
    return truncate("\n".join(head + [""] + tail), limit)


def zns_data(message: Message) -> dict[str, str]:
    """Parameters for the office's ZNS template (each value cut to ZNS's 100-character limit)."""
    alert = message.alert
    first = alert.items[0] if alert.items else None
    data = {
        "muc_do": LEVELS.get(alert.level, alert.level),
        "dia_ban": ", ".join(alert.places[:2]) or "-",
        "tieu_de": alert.headline,
        "so_tin": str(len(alert.items)),
        "nguon": first.outlet if first else "-",
        "ma_su_co": str(alert.incident_id),
        # The template's button is "{public_url}/l/<lien_ket>": only the token travels, so it fits.
        "lien_ket": message.links.get("ack", "").rsplit("/l/", 1)[-1],
    }
    return {k: truncate(one_line(v), 100) for k, v in data.items()}


def webhook_body(message: Message) -> dict:
    alert = message.alert
    return {
        "key": message.key,
        "incident_id": alert.incident_id,
        "story_id": alert.story_id,
        "recipient": alert.recipient,
        "recipient_name": message.contact_name,
        "level": alert.level,
        "kind": alert.kind,
        "update_no": alert.update_no,
        "repeat": message.repeat,
        "subject": subject(message),
        "headline": alert.headline,
        "explanation": alert.explanation,
        "topics": list(alert.topics),
        "places": list(alert.places),
        "items": [
            {"title": i.title, "outlet": i.outlet, "url": i.url,
             "published_at": i.published_at.isoformat() if i.published_at else None}
            for i in alert.items
        ],
        "links": dict(message.links),
    }
