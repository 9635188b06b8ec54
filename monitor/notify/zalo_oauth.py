"""The Zalo OA token pair, kept in the database.

The access token lives about 25 hours; the refresh token is single-use and
every refresh returns a new one. The new pair is written in one statement
right after the refresh answers, before it is used, so a restart never holds
a spent refresh token. The environment's MONITOR_ZALO_REFRESH_TOKEN only
seeds the table: it is adopted again only when an administrator sets a
different one (its hash differs from the one seeded last).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from monitor.store import iso, parse_iso


@dataclass(frozen=True)
class TokenPair:
    access_token: str | None
    access_expires_at: datetime | None
    refresh_token: str

    def fresh(self, now: datetime, margin: float) -> bool:
        return bool(self.access_token and self.access_expires_at
                    and self.access_expires_at - timedelta(seconds=margin) > now)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def seed(db: sqlite_utils.Database, app_id: str, refresh_token: str, now: datetime) -> None:
    """Store the environment's refresh token unless it is the one already seeded."""
    row = db.execute("SELECT seed_hash FROM zalo_oauth WHERE app_id = ?", [app_id]).fetchone()
    if row and row[0] == _hash(refresh_token):
        return
    with db.atomic():
        db.execute(
            """INSERT INTO zalo_oauth (app_id, access_token, access_expires_at, refresh_token, seed_hash, updated_at)
               VALUES (?, NULL, NULL, ?, ?, ?)
               ON CONFLICT(app_id) DO UPDATE SET access_token = NULL, access_expires_at = NULL,
                   refresh_token = excluded.refresh_token, seed_hash = excluded.seed_hash,
                   updated_at = excluded.updated_at""",
            [app_id, refresh_token, _hash(refresh_token), iso(now)],
        )


def load(db: sqlite_utils.Database, app_id: str) -> TokenPair | None:
    row = db.execute(
        "SELECT access_token, access_expires_at, refresh_token FROM zalo_oauth WHERE app_id = ?", [app_id]
    ).fetchone()
    return TokenPair(row[0], parse_iso(row[1]), row[2]) if row else None


def save(db: sqlite_utils.Database, app_id: str, access_token: str, expires_in: float, refresh_token: str,
         now: datetime) -> TokenPair:
    """Persist a freshly rotated pair (one UPDATE: the old refresh token is gone for good)."""
    expires_at = now + timedelta(seconds=expires_in)
    with db.atomic():
        db.execute(
            """UPDATE zalo_oauth SET access_token = ?, access_expires_at = ?, refresh_token = ?, updated_at = ?
               WHERE app_id = ?""",
            [access_token, iso(expires_at), refresh_token, iso(now), app_id],
        )
    return TokenPair(access_token, expires_at, refresh_token)
