"""What the demo server serves: the outlets' feeds and the real items behind them.

``data/samples/news_items.jsonl`` holds real items of seven outlets (made by
``scripts/build_samples.py`` from ../shared/data); ``data/samples/feeds/``
holds VnExpress RSS documents recorded from the real site. No feed was ever
recorded from the other outlets, so theirs are built from their real items.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
ITEMS_FILE = "news_items.jsonl"


@dataclass(frozen=True)
class FeedSpec:
    """One feed of the demo: who publishes it and how it is served."""

    slug: str
    name: str                     # the source's name in the demo config
    title: str                    # the channel title
    site: str                     # the outlet's home or section page
    format: str = "rss"           # rss | atom | recorded
    tags: tuple[str, ...] = ("general",)
    recorded: tuple[str, ...] = ()  # recorded files, served in turn as the clock advances

    @property
    def path(self) -> str:
        return f"/feeds/{self.slug}.{'atom' if self.format == 'atom' else 'rss'}"

    @property
    def kind(self) -> str:
        return "atom" if self.format == "atom" else "rss"


FEEDS: tuple[FeedSpec, ...] = (
    FeedSpec("vnexpress-tin-moi-nhat", "VnExpress – Tin mới nhất", "Tin mới nhất - VnExpress RSS",
             "http://vnexpress.net", "recorded", ("general",),
             recorded=("vnexpress_tin-moi-nhat_2017-02-18.xml", "vnexpress_tin-moi-nhat_2017-04-19.xml",
                       "vnexpress_tin-moi-nhat_2017-05-20.xml", "vnexpress_tin-moi-nhat_2017-08-30.xml",
                       "vnexpress_tin-moi-nhat_2017-11-14.xml")),
    FeedSpec("vnexpress-the-gioi", "VnExpress – Thế giới", "Thế giới - VnExpress RSS",
             "https://vnexpress.net/the-gioi", "recorded", ("general",),
             recorded=("vnexpress_the-gioi_2025-02-06.xml",)),
    FeedSpec("dantri-giao-duc", "Dân Trí – Giáo dục", "Giáo dục - Dân trí",
             "https://dantri.com.vn/giao-duc.htm", tags=("education",)),
    FeedSpec("dantri-tin-moi-nhat", "Dân Trí – Tin mới nhất", "Tin mới nhất - Dân trí",
             "https://dantri.com.vn/"),
    FeedSpec("dantri-giao-duc-khuyen-hoc", "Dân Trí – Giáo dục - Khuyến học (2016)",
             "Giáo dục - Khuyến học - Dân trí", "http://dantri.com.vn/giao-duc-khuyen-hoc.htm",
             tags=("education",)),
    FeedSpec("vtv", "VTV – Tin tức", "VTV.vn - Tin tức", "http://vtv.vn/"),
    FeedSpec("vietbao", "Vietbao – Tin tức", "Vietbao.vn - Tin tức", "http://vietbao.vn/"),
    FeedSpec("kenh14", "Kenh14 – Tin tức", "Kenh14.vn", "http://kenh14.vn/", "atom"),
    FeedSpec("tin247", "Tin247 – Tin tức", "Tin247.com - Tin tức", "https://www.tin247.com/"),
    FeedSpec("toquoc", "Tổ Quốc – Tin tức", "Báo điện tử Tổ Quốc", "https://toquoc.vn/"),
)


@dataclass
class SampleItem:
    """One real item of the extract (see data/samples/README.md for the fields)."""

    feed: str
    outlet: str
    id: str
    title: str
    url: str
    summary: str = ""
    text: str = ""
    published: datetime | None = None
    section: str = ""
    keywords: list[str] = field(default_factory=list)
    is_education: bool = False
    origin: str = ""


def load_items(samples: Path = SAMPLES) -> dict[str, list[SampleItem]]:
    """The extract, grouped by feed slug, oldest first (undated items first)."""
    feeds: dict[str, list[SampleItem]] = {}
    with open(samples / ITEMS_FILE, encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            raw["published"] = datetime.fromisoformat(raw["published"]) if raw.get("published") else None
            item = SampleItem(**{k: v for k, v in raw.items() if k in SampleItem.__dataclass_fields__})
            feeds.setdefault(item.feed, []).append(item)
    return feeds
