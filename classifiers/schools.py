"""School names as entities: "Trường THCS Nguyễn Du", "Trường Mầm non Hoa Sen".

A school is a level word ("Mầm non", "Tiểu học", "THCS", "THPT", "Đại học", ...)
followed by a capitalised name. Without the word "Trường" the level must be
capitalised or an abbreviation, and a bare province name does not count as a
school name ("học sinh THPT Hà Nội" is a level in a city, not a school).
Schools of general education are reported with "Trường" in front, so
"THCS Nguyễn Du" and "trường THCS Nguyễn Du" give one entity.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from classifiers.text import normalize

COMPOUNDS = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "compounds.txt"

_FULL_LEVELS = (
    r"Mầm non|Mẫu giáo|Nhà trẻ|Tiểu học và (?:THCS|Trung học cơ sở)|Tiểu học|Trung học cơ sở"
    r"|Trung học phổ thông|Phổ thông dân tộc (?:nội|bán) trú|Phổ thông liên cấp|Phổ thông năng khiếu"
    r"|Liên cấp|Đại học|Cao đẳng|Trung cấp|Học viện"
)
_ABBR_LEVELS = (
    r"PTDT(?:BT|NT)(?:\s*(?:TH\s*(?:&|và)\s*THCS|THCS|THPT|TH))?|TH\s*(?:&|và|-)\s*THCS"
    r"|THCS\s*(?:&|và|-)\s*THPT|THCS|THPT|PTTH|ĐHQG|ĐH|CĐ|TH|MN|MG"
)
_SCHOOL = re.compile(
    r"(?:(?P<truong>\b[Tt]rường|TRƯỜNG)\s+)?"
    r"(?P<level>(?i:" + _FULL_LEVELS + r")|" + _ABBR_LEVELS + r")"
    r"(?:\s+(?P<chuyen>(?i:chuyên)))?\s+(?=[^\W_])"
)
_HIGHER = re.compile(r"(?i:đại học|cao đẳng|trung cấp|học viện)|ĐHQG|ĐH|CĐ")
_TOKEN = re.compile(r"[^\W_][\w'’]*(?:-[^\W_][\w'’]*)*|\d+")
_MAX_WORDS = 8


def find_schools(text: str) -> list[str]:
    """School names in text order, normalised, each once."""
    if not text or not isinstance(text, str):
        return []
    found, seen = [], set()
    for school, _, _, _ in school_spans(normalize(text)):
        if school.lower() not in seen:
            seen.add(school.lower())
            found.append(school)
    return found


def school_spans(text: str) -> list[tuple[str, int, int, bool]]:
    """(canonical name, start, end, higher education) for each school in normalised text."""
    out = []
    for m in _SCHOOL.finditer(text):
        higher = bool(_HIGHER.fullmatch(m.group("level")))
        name, end = _name_after(text, m.end(), higher=higher)
        if name and _plausible(m, name):
            out.append((_canonical(m, name), m.start(), end, higher))
    return out


def _name_after(text: str, pos: int, higher: bool) -> tuple[str, int]:
    """Capitalised words (and numbers) from pos, with the lowercase second half of
    a compound ("Bách khoa", "Kinh tế Quốc dân"); in higher education also "và"
    between capitalised words ("Khoa học Xã hội và Nhân văn")."""
    parts: list[tuple[str, int]] = []
    while len(parts) < _MAX_WORDS:
        m = _TOKEN.match(text, pos)
        if not m or m.group(0) in ("Trường", "TRƯỜNG"):
            break
        word, prev = m.group(0), parts[-1][0] if parts else ""
        if not (word[0].isupper() or word[0].isdigit() or (not parts and word == "số")
                or (prev and _compound(prev, word))
                or (higher and prev and word == "và" and _capital_next(text, m.end()))):
            break
        parts.append((word, m.end()))
        pos = _skip_space(text, m.end())
        if pos == m.end():
            break
    while parts and (parts[-1][0] in ("và", "số") or (parts[-1][0].isdigit() and len(parts[-1][0]) > 2)):
        parts.pop()   # "... TW 2012": a year, not part of the name
    if not parts:
        return "", pos
    return " ".join(w for w, _ in parts), parts[-1][1]


def _compound(prev: str, word: str) -> bool:
    """'Bách' + 'khoa': one word of the dictionary, only its first half capitalised."""
    return prev[0].isupper() and word.islower() and f"{prev.lower()} {word}" in _compounds()


def _capital_next(text: str, end: int) -> bool:
    nxt = _TOKEN.match(text, _skip_space(text, end))
    return bool(nxt) and nxt.group(0)[0].isupper() and nxt.group(0) != "Trường"


@lru_cache(maxsize=1)
def _compounds() -> frozenset[str]:
    """Two-syllable lowercase words (generated from the underthesea word lists)."""
    return frozenset(COMPOUNDS.read_text("utf-8").splitlines())


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _plausible(m: re.Match, name: str) -> bool:
    level, truong = m.group("level"), m.group("truong")
    if not truong:
        if not level[0].isupper():
            return False
        if level in ("TH", "MN", "MG"):
            return False  # too short to mean a school without "Trường"
        if not m.group("chuyen") and not _HIGHER.fullmatch(level) and _is_place(name):
            return False
    return bool(name)


def _is_place(name: str) -> bool:
    """A name that is nothing but a province ("THPT Hà Nội")."""
    from classifiers.gazetteer import PROVINCE, ABBREV, fold, load

    units = load().index.get(fold(name), [])
    return any(u.kind in (PROVINCE, ABBREV) for u in units)


def _canonical(m: re.Match, name: str) -> str:
    level = m.group("level")
    level = level[0].upper() + level[1:] if level[0].islower() else level
    chuyen = " chuyên" if m.group("chuyen") else ""
    higher = _HIGHER.fullmatch(level)
    prefix = "Trường " if m.group("truong") or not higher else ""
    return f"{prefix}{level}{chuyen} {name}"
