"""Tag items: the one entry point the CLI, the pipeline and the dashboard call.

    classify_items([{"id": 1, "title": "...", "summary": "...", "text": "..."}])
    -> [{"id": 1, "education": 0.97, "is_education": True, "tone": "negative", "negative": 0.91,
         "topics": ["school_violence"], "topic_scores": {...}, "places": [...], "schools": [...]}]

The models are loaded once per process. Any field may be missing or empty and
any text may be garbage: the answer is then "not education", never an error.
"""
from __future__ import annotations

import re
import threading

from classifiers import artifacts
from classifiers.artifacts import Bundle
from classifiers.features import compose, prepare
from classifiers.places import find_places, find_schools
from classifiers.predict import is_education, score, tone_of, topics_of

_lock = threading.Lock()
_bundle: Bundle | None = None


def current_bundle() -> Bundle:
    """The process-wide model bundle, loaded on first use (ModelError if missing or stale)."""
    global _bundle
    with _lock:
        if _bundle is None:
            _bundle = artifacts.load()
        return _bundle


def reset_bundle() -> None:
    """Forget the loaded models (after `monitor train`, or in tests that switch model folders)."""
    global _bundle
    with _lock:
        _bundle = None


def _field(item: dict, name: str) -> str:
    value = item.get(name)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def classify_items(items: list[dict], bundle: Bundle | None = None) -> list[dict]:
    """Tags for each item, in order, scored as one batch.

    Places are looked for in the same text the models read (title, summary,
    lede): the dateline and the lede name where a story happens.
    """
    bundle = bundle or current_bundle()
    readable = [compose(_field(i, "title"), _field(i, "summary"), _field(i, "text")) for i in items]
    scores = score(bundle, [prepare(text) for text in readable])
    return [tags(bundle, item.get("id"), scores, k, readable[k]) for k, item in enumerate(items)]


_LETTERS = re.compile(r"[^\W\d_]{2,}")


def has_words(readable: str) -> bool:
    """Text with no word of two letters (empty, emoji, digits, punctuation) says nothing to judge."""
    return _LETTERS.search(readable) is not None


def tags(bundle: Bundle, item_id, scores, k: int, place_text: str) -> dict:
    row = scores.topics[k]
    if not has_words(place_text):
        return _nothing(bundle, item_id)
    education = float(scores.education[k])
    edu = is_education(bundle, education)
    tone, negative = tone_of(bundle, scores.tone[k])
    return {
        "id": item_id,
        "education": round(education, 4),
        "is_education": edu,
        "tone": tone,
        "negative": round(negative, 4),
        "topics": topics_of(bundle, row) if edu else [],
        "topic_scores": {slug: round(float(p), 4) for slug, p in zip(bundle.topic_labels, row)},
        "places": find_places(place_text),
        "schools": find_schools(place_text),
    }


def _nothing(bundle: Bundle, item_id) -> dict:
    """The answer for an item without words: not education, neutral, no tags."""
    return {"id": item_id, "education": 0.0, "is_education": False, "tone": "neutral", "negative": 0.0,
            "topics": [], "topic_scores": {slug: 0.0 for slug in bundle.topic_labels}, "places": [], "schools": []}
