"""The one path from a fetched source to stored items, top to bottom.

``record`` takes a FetchResult and what its parser returned, and in one
transaction updates the source's polling state, writes the fetch log and
upserts the items. The daemon calls it once per source per cycle; later
stages (full text, classification, escalation) run on what it stored.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from monitor.config import Config
from monitor.models import FetchResult, ParseResult
from monitor.sources.schedule import next_due
from monitor.store import iso
from monitor.store.items import upsert_items

log = logging.getLogger("monitor.pipeline")


@dataclass
class SourceOutcome:
    source: str
    outcome: str                 # ok | not_modified | error
    new_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def record(db: sqlite_utils.Database, config: Config, row: dict, result: FetchResult,
           parsed: ParseResult | None, now: datetime, rng: random.Random | None = None) -> SourceOutcome:
    """Store one source's fetch: polling state, fetch log and items, atomically."""
    source = config.source(row["name"])
    interval = config.interval(source) if source else config.polling.default_interval
    error = result.error
    if error is None and parsed is not None and not parsed.items and parsed.errors:
        error = parsed.errors[0]          # nothing usable came back: count it as a failure
    outcome = SourceOutcome(row["name"], "error" if error else ("not_modified" if result.not_modified else "ok"),
                            error=error, warnings=list(parsed.errors) if parsed and not error else [])
    with db.atomic():
        if outcome.outcome == "ok" and parsed is not None:
            outcome.new_ids, outcome.changed_ids = upsert_items(db, parsed.items, now)
        failures = row["consecutive_failures"] + 1 if error else 0
        due = next_due(now, interval, failures, config.polling.max_backoff, result.retry_after, rng)
        fresh = result.ok and not error   # new validators only for a body we could use
        # Plain SQL: this runs once per source per cycle on the event loop.
        db.execute(
            """UPDATE sources SET last_attempt_at = ?, last_status = ?, consecutive_failures = ?,
                   next_due_at = ?, last_error = ?,
                   last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END,
                   etag = CASE WHEN ? THEN ? ELSE etag END,
                   last_modified = CASE WHEN ? THEN ? ELSE last_modified END,
                   moved_to = COALESCE(?, moved_to)
               WHERE name = ?""",
            [iso(now), result.status, failures, iso(due), error,
             not error, iso(now), fresh, result.etag, fresh, result.last_modified,
             result.final_url, row["name"]],
        )
        db.execute(
            """INSERT INTO fetch_log (source, started_at, duration_ms, outcome, status, bytes, new_items,
                                      updated_items, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [row["name"], iso(now), int(result.elapsed * 1000), outcome.outcome, result.status, len(result.body),
             len(outcome.new_ids), len(outcome.changed_ids), error],
        )
    if error and error != row.get("last_error"):
        # Log a failure when it starts or changes, not on every retry.
        log.warning("source=%r url=%s attempt=%d failed: %s", row["name"], row["url"], failures, error)
    return outcome
