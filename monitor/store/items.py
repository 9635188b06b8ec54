"""The items table and its search index."""
from __future__ import annotations

import re
from datetime import datetime

import sqlite_utils

from classifiers.text import fold_d, normalize
from monitor.models import Item
from monitor.normalize import content_hash
from monitor.store import iso
from monitor.store.migrations import folded_sql


def upsert_items(db: sqlite_utils.Database, items: list[Item], now: datetime) -> tuple[list[int], list[int]]:
    """Store items; one seen again (same source+guid, or same canonical URL) is updated, never duplicated.

    Returns (new ids, changed ids). Items whose content hash is unchanged are
    neither: re-reading an old feed costs no writes. Call inside a transaction.
    """
    new_ids, changed_ids = [], []
    stamp = iso(now)
    known = _known(db, items)
    for item in items:
        digest = content_hash(item.title, item.summary, item.url)
        row = known.get((item.source, item.guid)) or (known.get(item.url) if item.url else None)
        if row is None:
            cursor = db.execute(
                """INSERT INTO items (source, guid, url, title, summary, text, author, outlet, published_at,
                                      fetched_at, updated_at, content_hash, language)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [item.source, item.guid, item.url, item.title, item.summary, item.text, item.author, item.outlet,
                 iso(item.published_at), stamp, stamp, digest, item.language],
            )
            item_id = cursor.lastrowid
            new_ids.append(item_id)
        elif row[1] != digest:
            item_id = row[0]
            db.execute(
                """UPDATE items SET title = ?, summary = ?, author = COALESCE(?, author),
                       published_at = COALESCE(?, published_at), updated_at = ?, content_hash = ?,
                       classified_at = NULL
                   WHERE id = ?""",
                [item.title, item.summary, item.author, iso(item.published_at), stamp, digest, item_id],
            )
            changed_ids.append(item_id)
        else:
            continue
        known[(item.source, item.guid)] = (item_id, digest)
        if item.url:
            known[item.url] = (item_id, digest)
    return new_ids, changed_ids


def _known(db: sqlite_utils.Database, items: list[Item], chunk: int = 400) -> dict:
    """(id, content hash) of stored items, keyed by (source, guid) and by URL: two queries per chunk, not two per item."""
    found: dict = {}
    for start in range(0, len(items), chunk):
        part = items[start:start + chunk]
        by_source: dict[str, list[str]] = {}
        for item in part:
            by_source.setdefault(item.source, []).append(item.guid)
        for source, guids in by_source.items():
            for item_id, guid, digest in db.execute(
                    f"SELECT id, guid, content_hash FROM items WHERE source = ? AND guid IN ({', '.join('?' * len(guids))})",
                    [source, *guids]):
                found[(source, guid)] = (item_id, digest)
        urls = [item.url for item in part if item.url]
        if urls:
            for item_id, url, digest in db.execute(
                    f"SELECT id, url, content_hash FROM items WHERE url IN ({', '.join('?' * len(urls))}) "
                    "ORDER BY id DESC", urls):
                found[url] = (item_id, digest)
    return found


def set_fulltext(db: sqlite_utils.Database, item_id: int, text: str, published_at: datetime | None, now: datetime) -> None:
    """Store an article's extracted text; the page's own date fills a missing feed date."""
    db.execute(
        """UPDATE items SET text = ?, text_fetched_at = ?, published_at = COALESCE(published_at, ?),
               classified_at = NULL WHERE id = ?""",
        [text, iso(now), iso(published_at), item_id],
    )


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """User words -> a safe FTS5 query: every word must appear, marks optional."""
    words = _WORD.findall(fold_d(normalize(text)))
    return " ".join(f'"{w}"' for w in words)


def index_pending(db: sqlite_utils.Database) -> int:
    """Add the items stored since the last batch to the search index; returns how many.

    Ingestion calls this once per cycle (and search before it reads), so a
    crash between storing and indexing only delays indexing: the rows wait
    above the ``search_state`` mark until the next call.
    """
    with db.atomic():
        mark = db.execute("SELECT indexed_through FROM search_state").fetchone()[0]
        top = db.execute("SELECT COALESCE(MAX(id), 0) FROM items").fetchone()[0]
        if top <= mark:
            return 0
        db.execute(
            f"""INSERT INTO items_fts (rowid, title, summary, text)
                SELECT id, {folded_sql("title")}, {folded_sql("summary")}, {folded_sql("text")}
                FROM items WHERE id > ? AND id <= ?""",
            [mark, top],
        )
        db.execute("UPDATE search_state SET indexed_through = ?", [top])
        return top - mark


def search_items(db: sqlite_utils.Database, text: str, limit: int = 20) -> list[dict]:
    query = fts_query(text)
    if not query:
        return []
    index_pending(db)
    return list(
        db.query(
            """SELECT items.* FROM items_fts JOIN items ON items.id = items_fts.rowid
               WHERE items_fts MATCH ? ORDER BY bm25(items_fts), items.published_at DESC LIMIT ?""",
            [query, limit],
        )
    )


def latest_items(db: sqlite_utils.Database, limit: int = 20, source: str | None = None) -> list[dict]:
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    return list(
        db.query(
            f"SELECT * FROM items {where} ORDER BY COALESCE(published_at, fetched_at) DESC, id DESC LIMIT ?",
            params + [limit],
        )
    )


