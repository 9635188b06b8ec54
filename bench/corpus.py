"""Realistic feed documents for the benchmark, built from real Vietnamese news items.

Titles and sapos are real (data/samples/news_items.jsonl, plus the DANeS and
2016 sets in ../shared/data when that folder is beside the clone). Each feed
is laid out like a VnExpress RSS document (thumbnail link + sapo in CDATA), 20
items, about 10-20 KB. Every item gets a URL of its own so that 2,000 feeds
give 40,000 distinct items.
"""
from __future__ import annotations

import gzip
import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "news_items.jsonl"
SHARED = ROOT.parent / "shared" / "data"
VIETNAM = timezone(timedelta(hours=7))
NEWEST = datetime(2025, 12, 21, 18, 0, tzinfo=VIETNAM)
HOSTS = ("vnexpress.net", "dantri.com.vn", "tuoitre.vn", "thanhnien.vn", "vietnamnet.vn", "giaoducthoidai.vn",
         "tienphong.vn", "nld.com.vn", "laodong.vn", "vtcnews.vn", "nhandan.vn", "baotintuc.vn")


def _sapo(record: dict) -> str:
    if record.get("summary"):
        return record["summary"].strip()
    first = next((p.strip() for p in (record.get("text") or "").split("\n") if p.strip()), "")
    return first[:400].rsplit(" ", 1)[0] if len(first) > 400 else first


@lru_cache(maxsize=1)
def corpus() -> tuple[tuple[str, str], ...]:
    """(title, sapo) pairs of real items that have both."""
    records = [json.loads(line) for line in SAMPLES.open(encoding="utf-8")]
    danes = SHARED / "sentiment" / "danes_news_sentiment_topic.jsonl"
    multi = SHARED / "news" / "vietnam_news_2016_multisource.jsonl.gz"
    if danes.exists():
        records += [json.loads(line) for line in danes.open(encoding="utf-8")]
    if multi.exists():
        records += [json.loads(line) for line in gzip.open(multi, "rt", encoding="utf-8")]
    seen, out = set(), []
    for record in records:
        title, sapo = record["title"].strip(), _sapo(record)
        if title and len(sapo) >= 80 and title not in seen:
            seen.add(title)
            out.append((title, sapo))
    return tuple(out)


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def item_xml(feed: int, k: int) -> str:
    """Item k of a feed; higher k is newer."""
    items = corpus()
    title, sapo = items[(feed * 101 + k * 7) % len(items)]
    host = HOSTS[feed % len(HOSTS)]
    article_id = 4_000_000 + feed * 1000 + k
    url = f"https://{host}/{slug(title)}-{article_id}.html"
    when = NEWEST - timedelta(minutes=(feed % 60) + (40 - k) * 17)
    image = f"https://i1-vnexpress.vnecdn.net/2025/12/21/{slug(title)[:40]}-{article_id}.jpg?w=500&amp;h=300&amp;q=100"
    return (
        "<item>\n"
        f"<title>{_escape(title)}</title>\n"
        "<description><![CDATA[ "
        f'<a href="{url}"><img src="{image}" ></a></br>{sapo} ]]></description>\n'
        f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0700')}</pubDate>\n"
        f"<link>{url}</link>\n"
        f"<guid>{url}</guid>\n"
        "</item>"
    )


def feed_document(feed: int, items: int = 20, shift: int = 0) -> bytes:
    """Feed ``feed`` showing items shift..shift+items-1, newest first (shift > 0 = new items)."""
    newest = NEWEST.strftime("%a, %d %b %Y %H:%M:%S +0700")
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>Bench feed {feed} - Tin mới nhất</title>\n<description>RSS</description>\n"
        f"<pubDate>{newest}</pubDate>\n<generator>bench</generator>\n"
        f"<link>https://{HOSTS[feed % len(HOSTS)]}/rss/{feed}.rss</link>\n"
    )
    body = "\n".join(item_xml(feed, k) for k in range(shift + items - 1, shift - 1, -1))
    return (head + body + "\n</channel>\n</rss>\n").encode("utf-8")
