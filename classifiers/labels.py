"""The office's corrections: stored with who and when, shown at once, learnt at the next `monitor train`.

``add_label`` is the one function the CLI and a dashboard call. A correction
names only what it corrects (tone, topics, places, education); the rest of
the item's tags stay the model's. The latest correction of a field wins.
"""
from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from classifiers.data import Example
from classifiers.taxonomy import TONES, TOPICS
from monitor.errors import MonitorError
from monitor.store import iso, utcnow

TEXT_CHARS = 20000  # how much of the body a label keeps


class LabelError(MonitorError):
    """A correction that cannot be stored (unknown item, tone or topic; nothing to correct)."""


def add_label(db: sqlite_utils.Database, item_id: int, by: str, *, education: bool | None = None,
              tone: str | None = None, topics: list[str] | None = None, places: list[dict] | None = None,
              note: str | None = None, now: datetime | None = None) -> int:
    """Store one correction and apply it to the item's tags; returns the label id."""
    _check(by, education, tone, topics, places)
    row = db.execute("SELECT title, summary, text FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise LabelError(f"Không có tin số {item_id}.")
    if topics and education is None:
        education = True  # naming a topic says the item is about education
    with db.atomic():
        cursor = db.execute(
            """INSERT INTO labels (item_id, title, summary, text, education, tone, topics, places,
                                   labelled_by, labelled_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [item_id, row[0] or "", row[1] or "", (row[2] or "")[:TEXT_CHARS],
             None if education is None else int(education), tone, _json(topics), _json(places),
             by.strip(), iso(now or utcnow()), note],
        )
        apply_labels(db, [item_id])
    return cursor.lastrowid


def _check(by, education, tone, topics, places) -> None:
    if not by or not by.strip():
        raise LabelError("Cần ghi rõ người sửa nhãn (--by).")
    if education is None and tone is None and topics is None and places is None:
        raise LabelError("Không có gì để sửa: hãy nêu --tone, --topic, --place hoặc --education/--not-education.")
    if tone is not None and tone not in TONES:
        raise LabelError(f"Sắc thái không hợp lệ: {tone} (chọn {', '.join(TONES)}).")
    unknown = [t for t in topics or () if t not in TOPICS]
    if unknown:
        raise LabelError(f"Chủ đề không có trong danh mục: {', '.join(unknown)}.")
    for place in places or ():
        if not isinstance(place, dict) or not place.get("province"):
            raise LabelError("Mỗi địa danh cần ít nhất tỉnh/thành (province).")


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def corrections(db: sqlite_utils.Database, item_ids: list[int] | None = None) -> dict[int, dict]:
    """The latest corrected value of each field, per item: {item_id: {field: value, "label_id": n}}."""
    where, params = "WHERE item_id IS NOT NULL", []
    if item_ids is not None:
        where += f" AND item_id IN ({','.join('?' * len(item_ids))})"
        params = list(item_ids)
    merged: dict[int, dict] = {}
    for row in db.query(f"SELECT * FROM labels {where} ORDER BY id", params):
        _fold(merged.setdefault(row["item_id"], {}), row)
    return merged


def _fold(into: dict, row: dict) -> None:
    """Lay one label over the earlier ones: only the fields it sets."""
    into["label_id"] = row["id"]
    for name in ("title", "summary", "text"):
        into[name] = row[name]
    if row["education"] is not None:
        into["education"] = bool(row["education"])
    if row["tone"] is not None:
        into["tone"] = row["tone"]
    if row["topics"] is not None:
        into["topics"] = json.loads(row["topics"])
    if row["places"] is not None:
        into["places"] = json.loads(row["places"])


def apply_labels(db: sqlite_utils.Database, item_ids: list[int]) -> None:
    """Write the office's corrections over the model's tags of these items (call inside a transaction)."""
    for item_id, fixed in corrections(db, item_ids).items():
        update = {}
        if "education" in fixed:
            update["is_education"] = int(fixed["education"])
        if "tone" in fixed:
            update["tone"] = fixed["tone"]
        if "topics" in fixed:
            update["topics"] = json.dumps(fixed["topics"], ensure_ascii=False)
        if "places" in fixed:
            update["places"] = json.dumps(fixed["places"], ensure_ascii=False)
            update["province"] = fixed["places"][0]["province"] if fixed["places"] else None
        if update:
            db["items"].update(item_id, update)


def office_examples(db: sqlite_utils.Database | None) -> list[Example]:
    """One training example per corrected item, id 'office-<latest label id>'."""
    if db is None or "labels" not in db.table_names():
        return []
    merged: dict = {}
    for row in db.query("SELECT * FROM labels ORDER BY id"):
        key = row["item_id"] if row["item_id"] is not None else f"gone-{row['id']}"
        _fold(merged.setdefault(key, {}), row)
    examples = []
    for fixed in merged.values():
        topics = fixed.get("topics")
        examples.append(Example(
            id=f"office-{fixed['label_id']}", origin="office", title=fixed["title"], summary=fixed["summary"],
            text=fixed["text"], education=fixed.get("education"), tone=fixed.get("tone"),
            topics=tuple(topics) if topics is not None else None,
            places=tuple(fixed["places"]) if "places" in fixed else None, kind="office",
        ))
    return sorted(examples, key=lambda e: int(e.id.split("-")[1]))


def list_labels(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    return list(db.query("SELECT * FROM labels ORDER BY id DESC LIMIT ?", [limit]))
