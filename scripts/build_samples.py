"""Build data/samples/ from ../shared/data, deterministically.

Copies the recorded VnExpress RSS files unchanged and writes
data/samples/news_items.jsonl: real items of seven other feeds (six outlets
besides VnExpress), education first, general news too. Running it twice gives
the same bytes. See data/samples/README.md for what is selected and why.

Usage: python scripts/build_samples.py [--shared ../shared/data] [--out data/samples]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIETNAM = timezone(timedelta(hours=7))
MAX_TEXT_BYTES = 20_000          # skip the rare 2016 article longer than this (one is 150 KB)
DANTRI_2025 = "news/dantri_2025_8cat.jsonl"
MULTI_2016 = "news/vietnam_news_2016_multisource.jsonl.gz"
DANES = "sentiment/danes_news_sentiment_topic.jsonl"
URL_STAMP = re.compile(r"-(20\d{12})\d{0,3}\.(?:htm|html|chn)$")


def rank(record_id: str) -> str:
    """A stable pseudo-random order that does not depend on file order."""
    return hashlib.sha1(record_id.encode("utf-8")).hexdigest()


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def published(record: dict, url_dates: bool) -> tuple[str | None, str | None]:
    """(ISO date, where it came from): the file's own date, else the timestamp in the URL.

    Dân Trí, VTV and Kenh14 article URLs end in the article's creation time
    (YYYYMMDDhhmmss + 3 digits, Vietnam time); other outlets' numbers are ids.
    """
    value = record.get("published")
    if value:
        return datetime.fromisoformat(value.replace(", ", "T")).isoformat(), "file"
    match = URL_STAMP.search(record.get("url") or "") if url_dates else None
    if match:
        moment = datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
        return moment.isoformat(), "url"
    return None, None


def item(feed: str, outlet: str, origin: str, record: dict, **extra) -> dict:
    date, date_from = published(record, url_dates=outlet in ("dantri.com.vn", "vtv.vn", "kenh14.vn"))
    return {
        "feed": feed,
        "outlet": outlet,
        "id": record["id"],
        "title": record["title"].strip(),
        "url": record["url"],
        "summary": (record.get("summary") or "").strip(),
        "text": (record.get("text") or "").strip(),
        "published": date,
        "published_from": date_from,
        "section": extra.pop("section", record.get("label") or ""),
        "keywords": record.get("keywords") or [],
        "is_education": bool(record.get("is_education")),
        "origin": origin,
        **extra,
    }


def oldest_first(items: list[dict]) -> list[dict]:
    """Feed order for the server's clock: undated items first (stable), then by date."""
    return sorted(items, key=lambda i: (i["published"] is not None, i["published"] or "", i["id"]))


def pick(records: list[dict], education: int, general: int) -> list[dict]:
    """Up to `education` education items and `general` others, each in stable hash order."""
    ranked = sorted(records, key=lambda r: rank(r["id"]))
    edu = [r for r in ranked if r["is_education"]][:education]
    rest = [r for r in ranked if not r["is_education"]][:general]
    return edu + rest


def dantri_2025(shared: Path) -> list[dict]:
    """The newest items, as a live feed would show them: the education section and the front page."""
    rows = [r for r in read_jsonl(shared / DANTRI_2025) if r.get("published")]
    rows.sort(key=lambda r: (r["published"], r["id"]), reverse=True)
    education = [r for r in rows if r["label"] == "giao-duc"][:70]
    front = rows[:60]
    return [item("dantri-giao-duc", "dantri.com.vn", DANTRI_2025, r) for r in education] + [
        item("dantri-tin-moi-nhat", "dantri.com.vn", DANTRI_2025, r) for r in front
    ]


def multisource_2016(shared: Path) -> list[dict]:
    rows = [
        r for r in read_jsonl(shared / MULTI_2016)
        if r["text"].strip() and len(r["text"].encode("utf-8")) <= MAX_TEXT_BYTES
    ]
    by_source: dict[str, list[dict]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    plan = [  # (feed, outlet host, education, general)
        ("dantri-giao-duc-khuyen-hoc", "dantri.com.vn", 60, 0),
        ("vtv", "vtv.vn", 45, 45),
        ("vietbao", "vietbao.vn", 5, 55),
        ("kenh14", "kenh14.vn", 21, 49),
    ]
    out = []
    for feed, host, education, general in plan:
        for r in pick(by_source[host], education, general):
            out.append(item(feed, host, MULTI_2016, r, section=r["label_path"]))
    return out


def danes(shared: Path) -> list[dict]:
    """DANeS outlets with enough items: title and sapo, crowd-annotated sentiment kept as a label."""
    out = []
    for r in read_jsonl(shared / DANES):
        feed = {"tin247.com": "tin247", "toquoc.vn": "toquoc", "ttvn.toquoc.vn": "toquoc"}.get(r["source"])
        if feed:
            out.append(item(feed, r["source"], DANES, r, section=", ".join(r["topics"]),
                            sentiment=r["sentiment"]))
    return out


def build(shared: Path, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "feeds").mkdir(exist_ok=True)
    for xml in sorted((shared / "feeds").glob("vnexpress_*.xml")):
        shutil.copyfile(xml, out / "feeds" / xml.name)
    items = dantri_2025(shared) + multisource_2016(shared) + danes(shared)
    feeds: dict[str, list[dict]] = {}
    for entry in items:
        feeds.setdefault(entry["feed"], []).append(entry)
    counts = {}
    with open(out / "news_items.jsonl", "w", encoding="utf-8", newline="\n") as handle:
        for feed in sorted(feeds):
            for entry in oldest_first(feeds[feed]):
                handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            counts[feed] = len(feeds[feed])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "samples")
    args = parser.parse_args()
    counts = build(args.shared, args.out)
    for feed, count in counts.items():
        print(f"{feed:28} {count:4} items")
    print(f"{sum(counts.values()):33} items -> {args.out / 'news_items.jsonl'}")


if __name__ == "__main__":
    main()
