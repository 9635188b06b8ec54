"""Training and evaluation examples read from the real data sets and the annotated labels.

Every example carries the labels its origin can vouch for and None for the
rest: an outlet's section says education yes/no but nothing about tone, an
annotated row says everything. Which examples are held out is decided by a
hash of the id alone, so the split never depends on what else was loaded.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from classifiers.text import normalize, strip_diacritics

REPO = Path(__file__).resolve().parents[1]
LABELS_DIR = REPO / "data" / "labels"
# The pools each annotation round of carried-over news (data/news/README.md) was split into.
NEWS_ROUND_POOLS = {4: tuple("klmno"), 5: tuple("pqrs"), 6: tuple("tuvwx"), 7: tuple("yz"),
                    8: ("r8a", "r8b", "r8c"), 9: ("r9a",),
                    10: ("r10a", "r10b", "r10c", "r10d", "r10e")}
HELD_OUT_PERCENT = 20


def shared_data_dir() -> Path:
    """../shared/data beside the repository, or MONITOR_SHARED_DATA."""
    return Path(os.environ.get("MONITOR_SHARED_DATA", REPO.parent / "shared" / "data"))


@dataclass(frozen=True)
class Example:
    id: str
    origin: str
    title: str
    summary: str = ""
    text: str = ""
    education: bool | None = None
    tone: str | None = None
    topics: tuple[str, ...] | None = None
    places: tuple[dict, ...] | None = field(default=None, compare=False)
    kind: str = "section"           # annotated | section | sentiment | office
    weight: float = 1.0


def held_out(example_id: str) -> bool:
    """Deterministic 20% test split: the same id is always on the same side."""
    digest = hashlib.sha1(example_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        rows = []
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a batch being appended right now may end in half a line
        return rows


_DATELINE = re.compile(r"^\s*(Dân trí|VTV\.vn\s*-)\s*")


def lead(text: str | None) -> str:
    """A body without the outlet's dateline, which says nothing about the story."""
    return _DATELINE.sub("", text or "")


def annotated_files(labels_dir: Path = LABELS_DIR) -> list[Path]:
    """The first readings of every pool (annotated_a ... annotated_z, annotated_r8a ...), not the blind second ones."""
    return [p for p in sorted(labels_dir.glob("annotated_*.jsonl")) if not p.name.startswith("annotated_agreement")]


def load_annotated(labels_dir: Path = LABELS_DIR) -> list[Example]:
    """The annotated rows joined to their pool rows (title and summary the annotator read).

    Whatever exists is read, so training works while annotators are still
    appending. An item labelled by several annotators gets the majority answer;
    the blind second reading (annotated_agreement) measures agreement and is not read;
    a re-reading under a revised guideline replaces the answer it changes.
    """
    pool = {}
    for path in sorted(labels_dir.glob("pool_*.jsonl")):
        for row in read_jsonl(path):
            pool.setdefault(row["id"], row)
    votes: dict[str, list[dict]] = {}
    for path in annotated_files(labels_dir):
        for row in read_jsonl(path):
            if row.get("id") in pool and isinstance(row.get("education"), bool):
                votes.setdefault(row["id"], []).append(row)
    labels = {item_id: majority(rows) for item_id, rows in votes.items()}
    labels.update(revisions(labels, labels_dir))
    examples = []
    for item_id, label in sorted(labels.items()):
        source = pool[item_id]
        topics = tuple(label.get("topics") or ()) if label["education"] else ()
        # Round three's tone on general news stays in the files but is not learnt: out of fold it
        # lowered negative recall on education items (0.625 to 0.57-0.63, by weight).
        general = source.get("round") == 3 and not label["education"]
        examples.append(Example(
            id=item_id, origin=label.get("origin") or source.get("origin", ""), title=source.get("title") or "",
            summary=source.get("summary") or "", education=label["education"],
            tone=None if general else label.get("tone"),
            topics=topics or (("other",) if label["education"] else ()), places=_places(label),
            kind="annotated",
        ))
    return examples


def revisions(labels: dict[str, dict], labels_dir: Path = LABELS_DIR) -> dict[str, dict]:
    """The rows of revised_*.jsonl that change an item's answer to `education`.

    Guideline v2 widened what counts as education (advertorials, lessons);
    the rows v2 could change were read again. A re-reading that confirms the
    first answer leaves the first reading, and the places it recorded, as it was.
    """
    changed = {}
    for path in sorted(labels_dir.glob("revised_*.jsonl")):
        for row in read_jsonl(path):
            first = labels.get(row.get("id"))
            if first is not None and isinstance(row.get("education"), bool) \
                    and row["education"] != first["education"]:
                changed[row["id"]] = row
    return changed


def _places(label: dict) -> tuple[dict, ...] | None:
    """The annotated places; None where the round did not read places (pools f-j), so none are scored."""
    return None if label.get("places") is None else tuple(label["places"])


def majority(rows: list[dict]) -> dict:
    """One label from several annotators: majority per field, topics chosen by at least half."""
    if len(rows) == 1:
        return rows[0]
    education = sum(r["education"] for r in rows) * 2 >= len(rows)
    tones = Counter(r.get("tone") for r in rows if r.get("tone"))
    topic_votes = Counter(t for r in rows if r["education"] for t in (r.get("topics") or ()))
    topics = [t for t, n in sorted(topic_votes.items()) if n * 2 >= len(rows)] or [topic_votes.most_common(1)[0][0]] \
        if topic_votes else []
    places = next((r["places"] for r in rows if r.get("places")), [])
    return {**rows[0], "education": education, "tone": tones.most_common(1)[0][0] if tones else None,
            "topics": topics, "places": places}


def load_sections(shared: Path | None = None) -> list[Example]:
    """News items labelled only by the outlet's section: education section or not."""
    shared = shared or shared_data_dir()
    examples = []
    for row in read_jsonl(shared / "news" / "vnexpress_titles_8cat.jsonl"):
        examples.append(Example(row["id"], "vnexpress_titles_8cat", row["title"], education=row["is_education"]))
    for row in read_jsonl(shared / "news" / "dantri_2025_8cat.jsonl"):
        examples.append(Example(row["id"], "dantri_2025_8cat", row["title"], "; ".join(row.get("keywords") or []),
                                education=row["is_education"]))
    for row in read_jsonl(shared / "news" / "vietnam_news_2016_multisource.jsonl.gz"):
        examples.append(Example(row["id"], "vietnam_news_2016_multisource", row["title"], text=lead(row.get("text")),
                                education=row["is_education"]))
    for row in read_jsonl(shared / "sentiment" / "danes_news_sentiment_topic.jsonl"):
        examples.append(Example(row["id"], "danes_news_sentiment_topic", row["title"], row.get("summary") or "",
                                education=row["is_education"],
                                tone=row.get("sentiment") if row.get("sentiment") in ("negative", "neutral", "positive") else None,
                                kind="sentiment"))
    return examples


def merge(*groups: list[Example]) -> list[Example]:
    """One example per id; a later group's labels win field by field (annotated beats section)."""
    merged: dict[str, Example] = {}
    for group in groups:
        for example in group:
            old = merged.get(example.id)
            if old is None:
                merged[example.id] = example
                continue
            merged[example.id] = replace(
                old, education=_pick(example.education, old.education), tone=_pick(example.tone, old.tone),
                topics=_pick(example.topics, old.topics), places=_pick(example.places, old.places),
                kind=example.kind, weight=max(example.weight, old.weight),
                summary=example.summary or old.summary, text=old.text or example.text,
            )
    return [merged[key] for key in sorted(merged)]


def _pick(new, old):
    return new if new is not None else old


def title_key(title: str) -> str:
    return strip_diacritics(normalize(title)).lower()


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, test) by id hash; a training example whose title repeats a test title is dropped."""
    test = [e for e in examples if held_out(e.id) and e.kind != "office"]
    test_ids = {e.id for e in test}
    test_titles = {title_key(e.title) for e in test}
    train = [e for e in examples if e.id not in test_ids and title_key(e.title) not in test_titles]
    return train, test


def data_hash(examples: list[Example]) -> str:
    """A digest of everything a model learns from, recorded in the artifact's metadata."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(json.dumps([e.id, e.title, e.summary, e.text[:2000], e.education, e.tone, e.topics, e.weight],
                                 ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()
