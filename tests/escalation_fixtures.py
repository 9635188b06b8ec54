"""Helpers for the escalation tests: a config with a small office, classified items, a clock we move."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from monitor.config import parse_config
from monitor.store import iso

# 09:00 in Phú Thọ (UTC+7) on a Monday.
T0 = datetime(2025, 10, 6, 2, 0, tzinfo=timezone.utc)

OFFICE = """
[office]
name = "Văn phòng Sở GDĐT thử nghiệm"
province_code = 25
"""

CONTACTS = """
[contacts.truc]
name = "Cán bộ trực"
email = "truc@so.example"

[contacts.chanh]
name = "Chánh Văn phòng"
email = "chanh@so.example"

[contacts.pho]
name = "Phó Giám đốc"
email = "pho@so.example"

[contacts.gd]
name = "Giám đốc"
email = "gd@so.example"

[contacts.ttra]
name = "Thanh tra Sở"
email = "ttra@so.example"

[contacts.xa]
name = "Đầu mối xã Mai Châu"
zalo_chat_id = "zalo-xa"
"""

ROUTES = """
[routes]
to = ["truc"]

[[routes.routes]]
min_level = "critical"
to = ["chanh", "pho", "gd"]
continue = true

[[routes.routes]]
min_level = "urgent"
to = ["chanh"]
continue = true

[[routes.routes]]
name = "Thanh tra"
topics = ["extra_classes", "exam_misconduct"]
to = ["ttra"]
continue = true

[[routes.routes]]
name = "Xã"
own_province = true
school_levels = ["preschool", "primary", "lower_secondary", "unknown"]

[[routes.routes.routes]]
name = "Mai Châu"
places = ["Xã Mai Châu", "Huyện Mai Châu"]
to = ["xa"]
"""

ESCALATION = """
[escalation]
admin = "truc"
chain = ["truc", "chanh", "pho", "gd"]
ack_timeout = { warning = "4h", urgent = "30m", critical = "15m" }
repeat_interval = { warning = "24h", urgent = "2h", critical = "1h" }
response_deadline = { warning = "72h", urgent = "24h", critical = "6h" }
remind_before = "1h"
group_interval = "30m"
update_new_outlets = 3
max_updates = 3
quiet_hours = { start = "21:00", end = "06:30" }
"""


def esc_config(escalation: str = ESCALATION, extra: str = ""):
    return parse_config(OFFICE + CONTACTS + ROUTES + escalation + extra)


class Clock:
    """Time the test moves by hand."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


MAI_CHAU = {"province": "Tỉnh Phú Thọ", "legacy_province": "Hòa Bình", "district": "Huyện Mai Châu",
            "commune": None, "span": "Mai Châu, Hòa Bình"}
ELSEWHERE = {"province": "Thành phố Hà Nội", "legacy_province": None, "district": "Quận Cầu Giấy", "commune": None,
             "span": "Cầu Giấy"}


def add_source(db, name: str, reach: str = "national") -> str:
    db.execute("INSERT OR IGNORE INTO sources (name, url, kind, reach, created_at) VALUES (?, ?, 'rss', ?, ?)",
               [name, f"https://{name}.example/rss", reach, iso(T0)])
    return name


def add_item(db, source: str, title: str, at: datetime, *, summary: str = "", url: str | None = None,
             topics=("school_violence",), places=(MAI_CHAU,), negative: float = 0.92, province="Phú Thọ",
             schools=(), education: bool = True, reach: str | None = None) -> int:
    """A classified item, as the classifier leaves it in the items table."""
    add_source(db, source, reach or "national")
    count = db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    url = url or f"https://{source}.example/bai-{count + 1}.html"
    cursor = db.execute(
        """INSERT INTO items (source, guid, url, title, summary, published_at, fetched_at, updated_at, content_hash,
                              classified_at, is_education, tone, negative, topics, places, schools, province)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?)""",
        [source, url, url, title, summary, iso(at), iso(at), iso(at), iso(at), int(education),
         "negative" if negative >= 0.5 else "neutral", negative, json.dumps(list(topics)),
         json.dumps(list(places), ensure_ascii=False), json.dumps(list(schools), ensure_ascii=False), province],
    )
    db.conn.commit()
    return cursor.lastrowid


VIOLENCE = [
    "Nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu, clip lan truyền trên mạng",
    "Học sinh lớp 8 ở Mai Châu bị bạn đánh hội đồng, quay clip đăng mạng",
    "Vụ nữ sinh lớp 8 bị đánh hội đồng tại Mai Châu: công an vào cuộc",
    "Mai Châu: nữ sinh lớp 8 bị nhóm bạn đánh hội đồng, nhà trường lên tiếng",
    "Xác minh clip nữ sinh lớp 8 bị đánh hội đồng ở Mai Châu",
]


def violence_title(n: int) -> str:
    """The same event in the words of outlet n."""
    return VIOLENCE[n % len(VIOLENCE)] + ("" if n < len(VIOLENCE) else f" (cập nhật {n})")
