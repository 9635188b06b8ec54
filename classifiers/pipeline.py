"""Tagging stored items: new and changed ones in the ingestion path, all of them after a model change.

Both run in a worker thread (the connection allows it) and write each batch in
one transaction. Office corrections are laid over the model's tags, so a
re-classification never undoes what a person fixed.
"""
from __future__ import annotations

import json
import logging

import sqlite_utils

from classifiers.classify import classify_items, current_bundle
from classifiers.labels import apply_labels
from classifiers.places import main_province
from monitor.store import iso, utcnow

log = logging.getLogger("classifiers.pipeline")
BATCH = 200


def classify_pending(db: sqlite_utils.Database, limit: int = 500) -> list[int]:
    """Tag up to ``limit`` items that have no tags yet (or changed since); returns their ids."""
    rows = list(db.query(
        "SELECT id, title, summary, text FROM items WHERE classified_at IS NULL ORDER BY id LIMIT ?", [limit]))
    return _tag(db, rows)


def reclassify(db: sqlite_utils.Database, batch: int = BATCH, progress=None) -> int:
    """Re-tag every stored item with the current models; returns how many were tagged."""
    done, last = 0, 0
    while True:
        rows = list(db.query("SELECT id, title, summary, text FROM items WHERE id > ? ORDER BY id LIMIT ?",
                             [last, batch]))
        if not rows:
            return done
        done += len(_tag(db, rows))
        last = rows[-1]["id"]
        if progress:
            progress(done)


def _tag(db: sqlite_utils.Database, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    bundle = current_bundle()
    ids = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        results = classify_items(chunk, bundle)
        stamp = iso(utcnow())
        with db.atomic():
            for row, tags in zip(chunk, results):
                db.execute(
                    """UPDATE items SET classified_at = ?, model_version = ?, education = ?, is_education = ?,
                           tone = ?, negative = ?, topics = ?, topic_scores = ?, places = ?, schools = ?, province = ?
                       WHERE id = ?""",
                    [stamp, bundle.version, tags["education"], int(tags["is_education"]), tags["tone"],
                     tags["negative"], _json(tags["topics"]), _json(tags["topic_scores"]), _json(tags["places"]),
                     _json(tags["schools"]), main_province(tags["places"]), row["id"]],
                )
            apply_labels(db, [row["id"] for row in chunk])
        ids.extend(row["id"] for row in chunk)
    log.info("classified %d items with model %s", len(ids), bundle.version)
    return ids


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
