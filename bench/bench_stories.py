"""Story clustering benchmark: a 100,000-item window, clustered cold and then cycle by cycle.

    .venv/bin/python bench/bench_stories.py                  # 100,000 items, about a minute
    .venv/bin/python bench/bench_stories.py --items 20000    # a quick look

Not a test: it prints figures. The window is built from real Vietnamese
titles and sapos (bench/corpus.py): events with one to dozens of items each,
told by several outlets as syndicated copies and as rewrites (words dropped,
a lead-in or a tail added, another sentence of the lead), each event in one
real 2025 commune, spread over the 72-hour window. A rewrite keeps one
sentence of the lead or none, so many rewrites can only be joined by the
same-event match (topic and commune), not by their text alone. Every item knows its
event, so the figures include how well the clustering found the events:

* purity: share of items whose story's majority event is their own event
  (low = different events merged);
* completeness: share of items that sit in the story holding most of their
  event (low = one event split into several stories).

Phases (one process, one temporary database built through the real migrations):

1. cold: ``stories.cluster`` over the whole window (a first start with a
   backlog): items/s, stories/s, memory of the index;
2. steady: the window full, new cycles of ``--batch`` items each through
   ``stories.cluster`` and then through ``engine.process`` (scoring and
   incidents for the stories touched);
3. restart: the index rebuilt from the stored signatures.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import HOSTS, corpus  # noqa: E402

from monitor.config import parse_config  # noqa: E402
from monitor.escalation import engine, stories  # noqa: E402
from monitor.store import iso, open_store  # noqa: E402

NOW = datetime(2025, 12, 21, 12, 0, tzinfo=timezone.utc)
TOPICS = ("school_violence", "food_safety_health", "fees_finance", "exams_admissions", "teacher_conduct",
          "facilities", "policy", "achievement", "extra_classes", "curriculum_textbooks")
LEADS = ("Vụ ", "Nóng: ", "Clip: ", "Phụ huynh bức xúc: ", "Vụ việc ", "")
TAILS = (": công an vào cuộc", ", nhà trường nói gì?", ": Sở GD&ĐT chỉ đạo xác minh", " (video)",
         ": lãnh đạo địa phương lên tiếng", "")
CONFIG = """
[office]
name = "Văn phòng Sở"
province_code = 25
[contacts.truc]
name = "Trực ban"
email = "truc@so.example"
[routes]
to = ["truc"]
"""


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def communes() -> list[dict]:
    from vietnam_provinces import Province, Ward

    wards = list(Ward.iter_all())
    provinces = {p.code: p.name for p in Province.iter_all()}
    return [{"province": provinces[w.province_code], "commune": w.name, "legacy_province": None,
             "district": None, "span": w.name} for w in wards]


def rewrite(rng: random.Random, text: str) -> str:
    """An outlet's own words for the same news: a lead-in, a tail, a word or two gone."""
    words = text.split()
    for _ in range(rng.randint(0, 2)):
        if len(words) > 6:
            del words[rng.randrange(1, len(words) - 1)]
    return rng.choice(LEADS) + " ".join(words) + rng.choice(TAILS)


def other_lead(rng: random.Random, lead: str) -> str:
    """A rewrite keeps one sentence of the lead, or none at all."""
    parts = sentences(lead)
    return "" if rng.random() < 0.25 else rng.choice(parts)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def make_items(count: int, seed: int) -> list[dict]:
    """``count`` items in events of 1 to 60 items, each event in one commune, over the last 72 hours."""
    rng = random.Random(seed)
    base, places = corpus(), communes()
    local = [p for p in places if p["province"].endswith("Phú Thọ")]
    items: list[dict] = []
    event = 0
    while len(items) < count:
        title, sapo = base[rng.randrange(len(base))]
        _, other_sapo = base[rng.randrange(len(base))]    # mixed with another lead: no two events alike
        # Half the events in the office's province (148 communes): there, different events often share a
        # topic and a commune within days, and only their words can tell them apart.
        place = rng.choice(local if rng.random() < 0.5 else places)
        name = place["commune"].split(" ", 1)[1]
        title = f"{title} ở {name}"
        lead = f"{sapo} {sentences(other_sapo)[0]}"
        size = min(60, max(1, int(rng.paretovariate(1.3))))
        start = NOW - timedelta(hours=72) + timedelta(seconds=rng.uniform(0, 70 * 3600))
        topic = rng.choice(TOPICS)
        for k in range(size):
            copy = k == 0 or rng.random() < 0.35
            items.append({
                "event": event, "host": HOSTS[rng.randrange(len(HOSTS))],
                "title": title if copy else rewrite(rng, title),
                "summary": lead if copy else other_lead(rng, lead),
                "at": min(NOW - timedelta(minutes=1), start + timedelta(minutes=rng.expovariate(1 / 90) * k)),
                "topics": [topic], "places": [place], "province": place["province"],
                "negative": rng.random(),
            })
        event += 1
    return items[:count]


def insert(db, items: list[dict], first_id: int) -> None:
    hosts = sorted({i["host"] for i in items})
    db.conn.executemany("INSERT OR IGNORE INTO sources (name, url, kind, reach, created_at) VALUES (?, ?, 'rss', "
                        "'national', ?)", [(h, f"https://{h}/rss", iso(NOW)) for h in hosts])
    rows = []
    for n, item in enumerate(items, start=first_id):
        url = f"https://{item['host']}/bai-{n}.html"
        stamp = iso(item["at"])
        rows.append((n, item["host"], url, url, item["title"], item["summary"], stamp, stamp, stamp, stamp,
                     json.dumps(item["topics"]), json.dumps(item["places"], ensure_ascii=False), item["province"],
                     round(item["negative"], 3)))
    db.conn.executemany(
        """INSERT INTO items (id, source, guid, url, title, summary, published_at, fetched_at, updated_at,
               classified_at, content_hash, is_education, topics, places, province, negative, tone)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, ?, ?, ?, ?, 'negative')""", rows)
    db.conn.commit()


def quality(db, items: list[dict], first_id: int) -> tuple[float, float, int, int]:
    """(purity, completeness, stories, events) of the clustering against the known events."""
    story_of = dict(db.execute("SELECT item_id, story_id FROM story_items").fetchall())
    event_of = {first_id + n: item["event"] for n, item in enumerate(items)}
    by_story, by_event = defaultdict(Counter), defaultdict(Counter)
    for item_id, story in story_of.items():
        event = event_of.get(item_id)
        if event is None:
            continue
        by_story[story][event] += 1
        by_event[event][story] += 1
    total = sum(sum(c.values()) for c in by_story.values())
    purity = sum(c.most_common(1)[0][1] for c in by_story.values()) / total
    completeness = sum(c.most_common(1)[0][1] for c in by_event.values()) / total
    return purity, completeness, len(by_story), len(by_event)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="items in the window (default 100,000)")
    parser.add_argument("--batch", type=int, default=1000, help="new items per steady-state cycle")
    parser.add_argument("--cycles", type=int, default=5, help="steady-state cycles")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--same-event", type=float, help="override [stories] same_event (containment)")
    parser.add_argument("--near-duplicate", type=float, help="override [stories] near_duplicate (Jaccard)")
    parser.add_argument("--num-perm", type=int, help="override [stories] num_perm")
    args = parser.parse_args()
    overrides = "".join(f"{key} = {value}\n" for key, value in (("same_event", args.same_event),
                                                                 ("near_duplicate", args.near_duplicate),
                                                                 ("num_perm", args.num_perm)) if value)
    config = parse_config(CONFIG + ("[stories]\n" + overrides if overrides else ""))
    settings = config.stories

    print(f"Building {args.items:,} items (+{args.batch * args.cycles:,} for the cycles) from "
          f"{len(corpus()):,} real titles and leads...", flush=True)
    items = make_items(args.items + args.batch * args.cycles, args.seed)
    window, later = items[:args.items], items[args.items:]
    with tempfile.TemporaryDirectory() as tmp:
        db = open_store(Path(tmp) / "bench.db")
        insert(db, window, 1)

        # 1. cold
        before, _ = rss_mb()
        reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        with db.atomic():
            touched = stories.cluster(db, settings, NOW)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        after, peak = rss_mb()
        purity, completeness, n_stories, n_events = quality(db, window, 1)
        index = stories.story_index(db, settings, NOW)
        print(f"\nCold: {args.items:,} items clustered in {wall:.1f} s ({cpu:.1f} s CPU)")
        print(f"  {args.items / wall:,.0f} items/s, {len(touched) / wall:,.0f} stories/s "
              f"({len(touched):,} stories for {n_events:,} events)")
        print(f"  purity {purity:.3f}, completeness {completeness:.3f}")
        print(f"  memory: RSS {before:,.0f} -> {after:,.0f} MB (+{after - before:,.0f} MB for the index of "
              f"{len(index):,} items; {(after - before) * 1024 / max(len(index), 1):.1f} KB/item); peak {peak:,.0f} MB")

        # 2. steady: the window is full; each cycle brings --batch new items.
        db.execute("UPDATE stories SET dirty = 0")
        db.conn.commit()
        cluster_s, process_s, first_id = [], [], args.items + 1
        for cycle in range(args.cycles):
            batch = later[cycle * args.batch:(cycle + 1) * args.batch]
            for item in batch:
                item["at"] = NOW + timedelta(seconds=30 * cycle + 1)
            insert(db, batch, first_id)
            now = NOW + timedelta(seconds=30 * cycle + 2)
            started = time.perf_counter()
            with db.atomic():
                stories.cluster(db, settings, now)
            cluster_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            engine.process(db, config, now)                                   # scores the touched stories
            process_s.append(time.perf_counter() - started)
            first_id += len(batch)
        mean_cluster = sum(cluster_s) / len(cluster_s)
        mean_process = sum(process_s) / len(process_s)
        print(f"\nSteady: window of {len(stories.story_index(db, settings, now)):,} items, "
              f"{args.cycles} cycles of {args.batch:,} new items")
        print(f"  clustering: {mean_cluster * 1000:,.0f} ms per cycle = {args.batch / mean_cluster:,.0f} items/s")
        print(f"  scoring + incidents of the touched stories: {mean_process * 1000:,.0f} ms per cycle")
        now_rss, peak = rss_mb()
        print(f"  memory: RSS {now_rss:,.0f} MB, peak {peak:,.0f} MB")

        # 3. restart
        stories.forget_index(db, settings)
        started = time.perf_counter()
        index = stories.story_index(db, settings, now)
        print(f"\nRestart: index of {len(index):,} items rebuilt from stored signatures in "
              f"{time.perf_counter() - started:.1f} s")
        db.conn.close()


if __name__ == "__main__":
    main()
