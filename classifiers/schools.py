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

from classifiers.text import normalize

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
# Levels that only mean a school right after "Trường".
_NEEDS_TRUONG = re.compile(r"TH|MN|MG|(?i:mầm non|mẫu giáo|nhà trẻ|tiểu học.*|trung học.*|phổ thông.*|liên cấp)")
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
        name = _name_after(text, m.end(), higher=higher)
        if name and _plausible(m, name):
            out.append((_canonical(m, name), m.start(), m.end() + len(name), higher))
    return out


def _name_after(text: str, pos: int, higher: bool) -> str:
    """Capitalised words (and numbers) from pos. Higher-education names may hold
    lowercase words between capitalised ones ("Bách khoa Hà Nội") or one closing
    word after the first ("Đại học Bách khoa")."""
    parts: list[str] = []
    while len(parts) < _MAX_WORDS:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        word = m.group(0)
        if word in ("Trường", "TRƯỜNG"):
            break
        if not (word[0].isupper() or word[0].isdigit()):
            if not parts or parts[-1][0].islower() or word == "số":
                if word == "số" and not parts:
                    parts.append(word)
                    pos = _skip_space(text, m.end())
                    continue
                break
            nxt = _TOKEN.match(text, _skip_space(text, m.end()))
            between = nxt and nxt.group(0)[0].isupper() and nxt.group(0) != "Trường"
            if not higher or not (between or len(parts) == 1):
                break
        parts.append(word)
        end = m.end()
        pos = _skip_space(text, end)
        if pos == end:
            break
    while parts and (parts[-1][0].islower() and not _closing_word(parts)):
        parts.pop()
    if parts == ["số"]:
        return ""
    return " ".join(parts)


def _closing_word(parts: list[str]) -> bool:
    return len(parts) == 2 and parts[0][0].isupper()


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _plausible(m: re.Match, name: str) -> bool:
    level, truong = m.group("level"), m.group("truong")
    if not truong:
        if _NEEDS_TRUONG.fullmatch(level) and not level[0].isupper():
            return False
        if level in ("TH", "MN", "MG"):
            return False
        if not m.group("chuyen") and not _HIGHER.fullmatch(level) and _is_place(name):
            return False
    return bool(name) and name[0].isupper() or name[:1].isdigit() or name.startswith("số")


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
