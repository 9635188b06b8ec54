"""Time-to-alert: from an item's publication to the alert's arrival at the mail server.

    .venv/bin/python bench/bench_alert.py                  # 500 sources polled every 30 s, 20 hot stories
    .venv/bin/python bench/bench_alert.py --sources 100 --interval 15 --stories 8   # a quick look

Not a test: it prints figures. Everything is real and local: this process
serves 500 feeds on 127.0.0.1 (10 real background items each, from
bench/corpus.py; ETag and 304 like real feeds) and runs a real SMTP server (aiosmtpd); the monitor runs as
`monitor run` in a child process, with its own database and a config that
polls every feed each ``--interval`` seconds and mails alerts to the local
server. After the monitor's first cycle, hot stories (real negative education
headlines from ../shared/data) appear in feeds at known wall-clock times, each
carried by two national outlets at once. For each story: publication ->
first alert e-mail received. Target: p95 <= the poll interval + 5 s.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import HOSTS, SHARED, item_xml, slug  # noqa: E402

from monitor.demo.smtp_server import LocalSMTP  # noqa: E402

NEGATIVE_WORDS = ("đánh hội đồng", "bạo hành", "xâm hại", "ngộ độc", "lạm thu", "nhập viện", "dâm ô", "đuối nước",
                  "tử vong", "bị đánh", "hành hung", "quấy rối", "đình chỉ", "kỷ luật", "cách chức", "bức xúc",
                  "đánh nhau")


def hot_headlines(count: int) -> list[dict]:
    """Real negative education headlines (Dân Trí, education section, late 2025)."""
    path = SHARED / "news" / "dantri_2025_8cat.jsonl"
    found, seen = [], []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        title = record["title"]
        words = set(title.lower().split())
        if (record["is_education"] and any(w in title.lower() for w in NEGATIVE_WORDS)
                and all(len(words & kept) < 0.4 * len(words) for kept in seen)):   # one headline per event
            seen.append(words)
            found.append({"title": title, "keywords": record.get("keywords") or []})
    if len(found) < count:
        raise SystemExit(f"only {len(found)} hot headlines in {path}; ask for fewer stories")
    return found[:count]


class Feeds:
    """Feed n: its 10 background items, plus every hot item whose publication time has passed."""

    def __init__(self, count: int):
        self.count = count
        self.background = ["\n".join(item_xml(n, k) for k in range(9, -1, -1)) for n in range(count)]
        self.hot: dict[int, list[tuple[float, str]]] = {}
        self.lock = threading.Lock()

    def publish(self, feed: int, at: float, story: int, headline: dict) -> str:
        host = HOSTS[feed % len(HOSTS)]
        url = f"https://{host}/bench-hot-{story}-{slug(headline['title'])}-{feed}.html"
        sapo = f"{headline['title']}. Từ khóa: {', '.join(headline['keywords'])}."
        when = format_datetime(datetime.fromtimestamp(at, timezone.utc), usegmt=True)
        xml = (f"<item><title>{_escape(headline['title'])}</title><link>{url}</link><guid>{url}</guid>"
               f"<description>{_escape(sapo)}</description><pubDate>{when}</pubDate></item>")
        with self.lock:
            self.hot.setdefault(feed, []).append((at, xml))
        return url

    def document(self, feed: int) -> bytes:
        now = time.time()
        with self.lock:
            hot = [xml for at, xml in self.hot.get(feed, ()) if at <= now]
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>Bench feed {feed}</title><link>https://{HOSTS[feed % len(HOSTS)]}/</link>"
                "<description>RSS</description>\n" + "\n".join(hot) + "\n" + self.background[feed]
                + "\n</channel></rss>\n").encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def serve_feeds(feeds: Feeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            try:
                body = feeds.document(int(self.path.removeprefix("/feeds/").removesuffix(".rss")))
                status = 200
            except (ValueError, IndexError):
                body, status = b"not found", 404
            etag = '"%s"' % hashlib.blake2b(body, digest_size=10).hexdigest()
            if status == 200 and self.headers.get("If-None-Match") == etag:
                status, body = 304, b""          # like real feeds: unchanged costs a 304
            self.send_response(status)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True).start()
    return server


def config_text(feed_port: int, smtp_port: int, sources: int, interval: float) -> str:
    lines = [f"""
[office]
name = "Văn phòng Sở GDĐT (đo thời gian cảnh báo)"
province_code = 1

[polling]
allow_private = true
fulltext = false
max_concurrency = 64
per_host = 32
timeout = "10s"
default_interval = {interval}
min_interval = {interval}

[contacts.truc]
name = "Cán bộ trực"
email = "truc@sogd.example"

[routes]
to = ["truc"]

[escalation]
admin = "truc"
group_interval = "1s"

[escalation.quiet_hours]
enabled = false

[delivery]
channels = ["email"]

[delivery.email]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "canhbao@sogd.example"

[web]
in_daemon = false
"""]
    for n in range(sources):
        lines.append(f'[[sources]]\nname = "Nguồn {n:03d}"\nurl = "http://127.0.0.1:{feed_port}/feeds/{n}.rss"\n'
                     f'reach = "national"\n')
    return "\n".join(lines)


def fetched(db_path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT COUNT(DISTINCT source) FROM fetch_log").fetchone()[0]
    except sqlite3.Error:
        return 0


def breakdown(db_path: Path, stories: list[dict]) -> None:
    """Where the time went (database times have one-second resolution): publication -> item stored
    (waiting for the next poll, fetching), stored -> alert queued (classification, stories, incident),
    queued -> received (outbox worker, SMTP)."""
    parts: dict[str, list[float]] = {"poll wait + fetch": [], "classify + escalate": [], "deliver": []}
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        for story in stories:
            if story["arrived"] is None:
                continue
            marks = ",".join("?" * len(story["urls"]))
            stored = conn.execute(f"SELECT MIN(fetched_at) FROM items WHERE url IN ({marks})", story["urls"]).fetchone()[0]
            queued = conn.execute(
                "SELECT MIN(o.created_at) FROM outbox o JOIN incidents i ON i.id = o.incident_id "
                f"JOIN story_items s ON s.story_id = i.story_id JOIN items t ON t.id = s.item_id WHERE t.url IN ({marks})",
                story["urls"]).fetchone()[0]
            if not (stored and queued):
                continue
            stored_at, queued_at = _epoch(stored), _epoch(queued)
            parts["poll wait + fetch"].append(stored_at - story["at"])
            parts["classify + escalate"].append(queued_at - stored_at)
            parts["deliver"].append(story["arrived"] - queued_at)
    if parts["deliver"]:
        print("median of each step: " + ", ".join(f"{name} {statistics.median(values):.1f} s"
                                                    for name, values in parts.items()))


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--interval", type=float, default=30.0, help="poll interval of every source, seconds")
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--span", type=float, default=None, help="seconds over which stories appear (2 intervals)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    span = args.span or 2 * args.interval
    rng = random.Random(args.seed)
    feeds = Feeds(args.sources)
    feed_server = serve_feeds(feeds)
    work = Path(tempfile.mkdtemp(prefix="bench-alert-"))
    with LocalSMTP() as smtp:
        config = work / "feeds.toml"
        config.write_text(config_text(feed_server.server_address[1], smtp.port, args.sources, args.interval),
                          encoding="utf-8")
        db_path = work / "monitor.db"
        env = {**os.environ, "MONITOR_LINK_SECRET": "bench-link-secret-0123456789"}
        started = time.time()
        child = subprocess.Popen([sys.executable, "-c", "from monitor.cli import cli; cli()", "--db", str(db_path), "--config", str(config),
                                  "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(work / "log", "w"))
        try:
            while fetched(db_path) < args.sources:
                if child.poll() is not None:
                    raise SystemExit(f"monitor run stopped (exit {child.returncode}); see {work / 'log'}")
                if time.time() - started > 600:
                    raise SystemExit("the first cycle took more than 10 minutes")
                time.sleep(0.5)
            warm = time.time() - started
            print(f"{args.sources} sources, poll every {args.interval:.0f} s; first cycle done after {warm:.1f} s")
            base = time.time() + 1.0
            stories = []
            for number, headline in enumerate(hot_headlines(args.stories)):
                at = base + rng.uniform(0, span)
                outlets = rng.sample(range(args.sources), 2)
                urls = [feeds.publish(feed, at, number, headline) for feed in outlets]
                stories.append({"at": at, "urls": urls, "title": headline["title"], "arrived": None})
            deadline = max(s["at"] for s in stories) + args.interval + 30
            while time.time() < deadline and any(s["arrived"] is None for s in stories):
                for mail in list(smtp.received):
                    text = mail.part("plain")
                    for story in stories:
                        if story["arrived"] is None and any(url in text for url in story["urls"]):
                            story["arrived"] = mail.at
                time.sleep(0.2)
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
            feed_server.shutdown()
    latencies = [s["arrived"] - s["at"] for s in stories if s["arrived"] is not None]
    print(f"hot stories published: {len(stories)}; alerted by e-mail: {len(latencies)}")
    if not latencies:
        print(f"no alert arrived; monitor log: {work / 'log'}")
        return
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    target = args.interval + 5
    print(f"time to alert (publication -> SMTP arrival): p50 {p50:.1f} s, p95 {p95:.1f} s, "
          f"min {min(latencies):.1f} s, max {max(latencies):.1f} s")
    print(f"target p95 <= poll interval + 5 s = {target:.0f} s: {'met' if p95 <= target else 'NOT met'}")
    breakdown(db_path, stories)
    missing = [s["title"] for s in stories if s["arrived"] is None]
    for title in missing:
        print(f"  no alert: {title}")


if __name__ == "__main__":
    main()
