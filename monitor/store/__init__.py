"""The one SQLite file behind the product, opened through sqlite-utils.

Every feature registers its own ``sqlite_utils.Migrations`` set in
``MIGRATION_SETS`` (core first); ``open_store`` applies them in order, so a
test database and a production database are built the same way.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from monitor.errors import StoreError
from monitor.store.migrations import MIGRATION_SETS

DEFAULT_DB = Path("data/monitor.db")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None) -> str | None:
    """Timestamps are stored as UTC ISO 8601 text, which sorts correctly."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def open_store(path: str | Path = DEFAULT_DB, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database in WAL mode and bring its schema up to date."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        if migrate:
            for migrations in MIGRATION_SETS:
                migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db
