"""Article pages -> main text and published time, with trafilatura.

Only items worth it are fetched: those from education sources and those the
classifier (or a cheap keyword check before it runs) finds education-related.
Extraction is CPU work, so callers run ``extract`` in a worker process.
"""
from __future__ import annotations

import re

import sqlite_utils
import trafilatura

from monitor.normalize import normalize, parse_date

_EDU_HINT = re.compile(
    r"học sinh|giáo viên|trường|sinh viên|mầm non|tiểu học|THCS|THPT|đại học|tuyển sinh|giáo dục|"
    r"hoc sinh|giao vien|truong|giao duc|thi tốt nghiệp|học phí|nhà giáo|hiệu trưởng",
    re.IGNORECASE,
)


def extract(html: bytes, url: str) -> tuple[str, str | None]:
    """(text, published ISO date or None); empty text when nothing readable was found."""
    try:
        document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                               include_tables=False, favor_precision=True)
    except Exception:  # trafilatura on hostile markup must cost one page only
        return "", None
    if not document:
        return "", None
    data = document if isinstance(document, dict) else document.as_dict()
    return normalize(data.get("text") or ""), data.get("date")


def candidates(db: sqlite_utils.Database, education_sources: list[str], limit: int) -> list[dict]:
    """Newest items without full text that are (or look) education-related."""
    if limit <= 0:
        return []
    marks = ",".join("?" * len(education_sources)) or "''"
    rows = db.query(
        f"""SELECT id, source, url, title, summary, is_education FROM items
            WHERE text_fetched_at IS NULL AND url IS NOT NULL
              AND (source IN ({marks}) OR is_education = 1 OR classified_at IS NULL)
            ORDER BY fetched_at DESC, id DESC LIMIT ?""",
        [*education_sources, limit * 4],
    )
    picked = []
    for row in rows:
        if row["source"] in education_sources or row["is_education"] == 1 or _EDU_HINT.search(row["title"] + " " + row["summary"]):
            picked.append(row)
        if len(picked) >= limit:
            break
    return picked


def adds_to_feed(text: str, title: str, summary: str, minimum: int = 80) -> bool:
    """Whether a page gave us more than the feed already had (not just its title and sapo again)."""
    rest = text
    for known in (title, summary):
        if known:
            rest = rest.replace(known, "")
    return len(rest.strip()) >= minimum


def published(date_text: str | None):
    return parse_date(date_text) if date_text else None
