"""The sources table: configured feeds and their polling state."""
from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from monitor.config import Config
from monitor.store import iso, parse_iso


def sync_sources(db: sqlite_utils.Database, config: Config, now: datetime) -> None:
    """Make the table match feeds.toml, keeping the polling state of sources that stay.

    A source removed from the config is disabled, not deleted: its items and
    history remain searchable.
    """
    names = set()
    with db.atomic():
        for source in config.sources:
            names.add(source.name)
            row = {
                "name": source.name,
                "url": source.fetch_url,
                "kind": source.kind,
                "reach": source.reach,
                "tags": json.dumps(list(source.tags), ensure_ascii=False),
                "enabled": int(source.enabled),
            }
            existing = db.execute("SELECT url FROM sources WHERE name = ?", [source.name]).fetchone()
            if existing is None:
                db["sources"].insert({**row, "created_at": iso(now), "next_due_at": iso(now)})
            else:
                if existing[0] != row["url"]:
                    # A new URL starts fresh: old validators and failures belong to the old URL.
                    row.update(etag=None, last_modified=None, consecutive_failures=0, next_due_at=iso(now), moved_to=None)
                db["sources"].update(source.name, row)
        for (name,) in db.execute("SELECT name FROM sources").fetchall():
            if name not in names:
                db["sources"].update(name, {"enabled": 0})


def due_sources(db: sqlite_utils.Database, now: datetime, everything: bool = False) -> list[dict]:
    """Enabled sources whose ``next_due_at`` has passed (all enabled ones with ``everything``)."""
    due = "" if everything else "AND (next_due_at IS NULL OR next_due_at <= ?)"
    return list(db.query(f"SELECT * FROM sources WHERE enabled = 1 {due} ORDER BY next_due_at",
                         [] if everything else [iso(now)]))


def next_due(db: sqlite_utils.Database) -> datetime | None:
    row = db.execute("SELECT MIN(next_due_at) FROM sources WHERE enabled = 1").fetchone()
    return parse_iso(row[0]) if row and row[0] else None


def source_health(db: sqlite_utils.Database) -> list[dict]:
    """One row per source with the figures `monitor sources` shows."""
    return list(
        db.query(
            """
            SELECT s.*, (SELECT COUNT(*) FROM items i WHERE i.source = s.name) AS items,
                   (SELECT MAX(fetched_at) FROM items i WHERE i.source = s.name) AS last_item_at
            FROM sources s ORDER BY s.enabled DESC, s.consecutive_failures DESC, s.name
            """
        )
    )
