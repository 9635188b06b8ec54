"""Stories: the same event told by many outlets and posts, kept as one.

``cluster`` takes the newly classified education items, matches each against
the sliding-window index (index.py) and stores the assignment with the
item's signature; ``summarize`` turns a story's items into the figures the
score and the alerts use: first seen, distinct outlets (and how many are
national), social items and engagement, velocity, merged topics, places and
school levels, and whether the office's province is concerned.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlite_utils

from monitor.escalation.index import NEAR_IDENTICAL, StoryIndex
from monitor.escalation.places import (is_own_province, local_keys, place_keys, place_names, place_key,
                                       school_levels)
from monitor.escalation.similarity import from_bytes, signatures, to_bytes
from monitor.store import iso, parse_iso

log = logging.getLogger(__name__)
ALERT_ITEMS = 20  # items carried by an alert, newest first
REACH_ORDER = {"national": 3, "official": 2, "local": 1, "social": 0}


@dataclass(frozen=True)
class StoryItem:
    id: int
    title: str
    outlet: str
    url: str | None
    seen_at: datetime
    reach: str


@dataclass(frozen=True)
class Story:
    id: int
    title: str
    first_seen: datetime
    last_seen: datetime
    item_count: int
    outlets: tuple[str, ...]
    national_outlets: int
    social_items: int
    engagement: int
    velocity: float
    negative: float
    topics: tuple[str, ...]
    places: tuple[str, ...]
    place_keys: frozenset[str]
    school_levels: frozenset[str]
    own_province: bool
    items: tuple[StoryItem, ...] = field(default=(), compare=False)

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)


def seen_time(published: str | None, fetched: str) -> str:
    """When the item appeared: its publication time, unless that is missing or after we fetched it."""
    return published if published and published < fetched else fetched


def outlet_of(url: str | None, source: str, reach: str, title: str = "") -> str:
    """The outlet behind an item: the site's host, the page or group for social sources,
    the publisher named in a Google News title ("... - VnExpress")."""
    if reach == "social" or not url:
        return source
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith("news.google.com") and " - " in title:
        return title.rsplit(" - ", 1)[1].strip()
    for prefix in ("www.", "m.", "amp."):
        host = host.removeprefix(prefix)
    return host or source


def event_keys(topics: list[str], places: list[dict], schools: list) -> tuple[str, ...]:
    """topic|place pairs for the same-event match (specific places only: commune, district, school)."""
    spots = local_keys(places, schools)
    return tuple(sorted(f"{t}|{p}" for t in topics if t != "other" for p in spots))


def _event(topics: str | None, places: str | None, schools: str | None) -> tuple[tuple[str, ...], frozenset[str]]:
    """(event keys, specific places) of an item from its stored tags."""
    places_, schools_ = _json(places, []), _json(schools, [])
    return event_keys(_json(topics, []), places_, schools_), local_keys(places_, schools_)


def _json(text: str | None, default):
    try:
        value = json.loads(text) if text else default
    except ValueError:
        return default
    return value if value is not None else default


# ---------------------------------------------------------------- the index cache

_INDEXES: dict[tuple, StoryIndex] = {}


def _cache_key(db: sqlite_utils.Database, settings) -> tuple:
    path = db.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(db.conn)}"
    return (path, settings)


def story_index(db: sqlite_utils.Database, settings, now: datetime) -> StoryIndex:
    """The index for this database, built from stored signatures on first use and kept in memory.

    It is rebuilt when the table does not hold what the index took in (another
    process clustered, or a transaction was rolled back).
    """
    key = _cache_key(db, settings)
    index = _INDEXES.get(key)
    stored = db.execute("SELECT COUNT(*) FROM story_items").fetchone()[0]
    if index is None or index.rows != stored:
        index = build_index(db, settings, now)
        index.rows = stored
        _INDEXES[key] = index
    index.pinned = pinned_stories(db)
    index.evict(now.timestamp())
    return index


def forget_index(db: sqlite_utils.Database, settings) -> None:
    _INDEXES.pop(_cache_key(db, settings), None)


def pinned_stories(db: sqlite_utils.Database) -> set[int]:
    return {sid for (sid,) in db.execute("SELECT story_id FROM incidents WHERE state != 'closed'").fetchall()}


def build_index(db: sqlite_utils.Database, settings, now: datetime) -> StoryIndex:
    index = StoryIndex(settings)
    index.pinned = pinned_stories(db)
    since = iso(now - timedelta(seconds=max(settings.window, settings.incident_window)))
    rows = db.execute(
        """SELECT si.item_id, si.story_id, si.seen_at, si.signature, si.how, si.similarity, si.shingles, i.topics,
                  i.places, i.schools
           FROM story_items si JOIN items i ON i.id = si.item_id
           WHERE si.seen_at >= ? ORDER BY si.seen_at, si.item_id""",
        [since],
    )
    window_start = (now - timedelta(seconds=settings.window)).timestamp()
    for item_id, story_id, seen, blob, how, sim, size, topics, places, schools in rows:
        ts = parse_iso(seen).timestamp()
        if ts < window_start and story_id not in index.pinned:
            continue
        keys, spots = _event(topics, places, schools)
        index.add(item_id, story_id, from_bytes(blob), keys, ts, spots=spots, size=size,
                  near_identical=how == "near_duplicate" and (sim or 0) >= NEAR_IDENTICAL)
    return index


# ---------------------------------------------------------------- clustering

NEW_ITEMS = """
SELECT i.id FROM items i LEFT JOIN story_items si ON si.item_id = i.id
WHERE si.item_id IS NULL AND i.classified_at IS NOT NULL AND i.is_education = 1 AND i.fetched_at >= ?
ORDER BY CASE WHEN i.published_at < i.fetched_at THEN i.published_at ELSE i.fetched_at END, i.id
"""
CHUNK = 2000  # items read, signed and matched at a time (bounds memory on a large backlog)


def cluster(db: sqlite_utils.Database, settings, now: datetime, limit: int | None = None) -> set[int]:
    """Put newly classified education items into stories, oldest first; returns the ids of the stories touched.

    Call inside a transaction. Items fetched before the window are left alone.
    """
    index = story_index(db, settings, now)
    since = iso(now - timedelta(seconds=settings.window))
    ids = [i for (i,) in db.execute(NEW_ITEMS + (f" LIMIT {int(limit)}" if limit else ""), [since]).fetchall()]
    touched: set[int] = set()
    try:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = {r[0]: r for r in db.execute(
                f"""SELECT id, title, summary, topics, places, schools, published_at, fetched_at FROM items
                    WHERE id IN ({marks})""", chunk).fetchall()}
            ordered = [rows[i] for i in chunk]
            sigs = signatures([(r[1], r[2]) for r in ordered], settings.num_perm)
            for row, (sig, size) in zip(ordered, sigs):
                touched.add(_assign(db, index, row, sig, size, now))
    except BaseException:
        forget_index(db, settings)
        raise
    return touched


def _assign(db, index: StoryIndex, row, sig, size: int, now: datetime) -> int:
    item_id, title, _summary, topics, places, schools, published, fetched = row
    seen = seen_time(published, fetched)
    ts = parse_iso(seen).timestamp()
    keys, spots = _event(topics, places, schools)
    found = index.match(sig, keys, ts, spots, size)
    story_id = found.story_id
    if story_id is None:
        story_id = db.execute(
            "INSERT INTO stories (title, first_seen, last_seen, updated_at) VALUES (?, ?, ?, ?)",
            [title or "", seen, seen, iso(now)],
        ).lastrowid
    db.execute(
        """INSERT INTO story_items (item_id, story_id, seen_at, how, similarity, signature, shingles)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [item_id, story_id, seen, found.how, round(found.similarity, 3), to_bytes(sig), size],
    )
    if found.story_id is not None:
        db.execute("UPDATE stories SET dirty = 1 WHERE id = ?", [story_id])
    index.add(item_id, story_id, sig, keys, ts, near_identical=found.how == "near_duplicate"
              and found.similarity >= NEAR_IDENTICAL, spots=spots, size=size)
    return story_id


# ---------------------------------------------------------------- figures

def story_rows(db: sqlite_utils.Database, story_id: int) -> list[dict]:
    columns = [c.name for c in db["items"].columns]
    engagement = "i.engagement" if "engagement" in columns else "0"
    cursor = db.execute(
        f"""SELECT i.id, i.title, i.summary, i.url, i.source, s.reach, si.seen_at, i.negative, i.topics,
                   i.places, i.schools, i.province, {engagement} AS engagement
            FROM story_items si JOIN items i ON i.id = si.item_id LEFT JOIN sources s ON s.name = i.source
            WHERE si.story_id = ? ORDER BY si.seen_at, i.id""",
        [story_id],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def summarize(story_id: int, rows: list[dict], now: datetime, office_province: str,
              velocity_window: float = 7200.0) -> Story:
    """A story's figures from its items (pure: rows in, Story out)."""
    outlets: dict[str, str] = {}
    topics: Counter = Counter()
    places: list[dict] = []
    schools: list = []
    texts, provinces, items = [], [], []
    for row in rows:
        reach = row.get("reach") or "national"
        outlet = outlet_of(row.get("url"), row["source"], reach, row.get("title") or "")
        if REACH_ORDER.get(reach, 0) >= REACH_ORDER.get(outlets.get(outlet, "social"), 0):
            outlets[outlet] = reach
        topics.update(t for t in _json(row.get("topics"), []) if t)
        places.extend(p for p in _json(row.get("places"), []) if isinstance(p, dict))
        schools.extend(_json(row.get("schools"), []))
        texts.append(f"{row.get('title') or ''} {row.get('summary') or ''}")
        provinces.append(row.get("province"))
        items.append(StoryItem(row["id"], row.get("title") or "", outlet, row.get("url"), parse_iso(row["seen_at"]), reach))
    seen = [i.seen_at for i in items]
    recent_from = now - timedelta(seconds=velocity_window)
    recent = sum(1 for s in seen if recent_from <= s <= now)
    negatives = sorted((float(r.get("negative") or 0.0) for r in rows), reverse=True)[:3]
    return Story(
        id=story_id,
        title=items[0].title if items else "",
        first_seen=min(seen), last_seen=max(seen),
        item_count=len(items),
        outlets=tuple(outlets),
        national_outlets=sum(1 for r in outlets.values() if r == "national"),
        social_items=sum(1 for i in items if i.reach == "social"),
        engagement=sum(int(r.get("engagement") or 0) for r in rows),
        velocity=recent / (velocity_window / 3600.0),
        negative=sum(negatives) / len(negatives) if negatives else 0.0,
        topics=tuple(t for t, _ in topics.most_common()),
        places=tuple(place_names(places)),
        place_keys=place_keys(places, schools) | frozenset(place_key(p) for p in provinces if p),
        school_levels=school_levels(texts, schools),
        own_province=is_own_province(places, provinces, office_province),
        items=tuple(sorted(items, key=lambda i: i.seen_at, reverse=True)[:ALERT_ITEMS]),
    )


def load_story(db: sqlite_utils.Database, story_id: int, now: datetime, office_province: str,
               velocity_window: float = 7200.0) -> Story:
    return summarize(story_id, story_rows(db, story_id), now, office_province, velocity_window)


def save_figures(db: sqlite_utils.Database, story: Story, now: datetime) -> None:
    db.execute(
        """UPDATE stories SET first_seen = ?, last_seen = ?, item_count = ?, outlet_count = ?, national_outlets = ?,
               social_items = ?, engagement = ?, velocity = ?, negative = ?, topics = ?, places = ?, outlets = ?,
               school_levels = ?, own_province = ?, dirty = 0, updated_at = ? WHERE id = ?""",
        [iso(story.first_seen), iso(story.last_seen), story.item_count, story.outlet_count, story.national_outlets,
         story.social_items, story.engagement, round(story.velocity, 3), round(story.negative, 3),
         json.dumps(story.topics), json.dumps(story.places, ensure_ascii=False),
         json.dumps(story.outlets, ensure_ascii=False), json.dumps(sorted(story.school_levels)),
         int(story.own_province), iso(now), story.id],
    )
