"""Places and school levels of a story, in the forms routing compares.

Routing and matching compare *keys*: a name without tone marks, without case
and without its administrative prefix, so "Xã Mai Châu", "huyện Mai Chau"
and "Mai Châu" are one key. The press still uses legacy districts and
provinces (DOMAIN.md, the 2025 reform); the classifier maps them to 2025
units, and ``own_province`` also maps a legacy province name on its own.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from classifiers.text import normalize, strip_diacritics

_PREFIX = re.compile(
    r"^(tinh|thanh pho|tp\.?|quan|huyen|thi xa|tx\.?|xa|phuong|thi tran|tt\.?|dac khu)\s+", re.IGNORECASE
)
# The level a prefix pins a configured name to. "Thành phố" is a province for the six centrally-run
# cities and a district-level city otherwise ("Thành phố Hòa Bình", "TP Việt Trì").
_CITIES = frozenset({"ha noi", "hue", "hai phong", "da nang", "can tho", "ho chi minh"})
_PREFIX_LEVEL = {"tinh": "province", "quan": "district", "huyen": "district", "thi xa": "district", "tx": "district",
                 "xa": "commune", "phuong": "commune", "thi tran": "commune", "tt": "commune", "dac khu": "commune"}
LEVEL_FIELDS = ("commune", "district", "legacy_province", "province")


def _bare(name: str | None) -> str:
    return strip_diacritics(normalize(name)).lower().strip()


def place_key(name: str | None) -> str:
    """'Xã Mai Châu' -> 'mai chau'; 'Tỉnh Phú Thọ' -> 'phu tho'."""
    bare = _PREFIX.sub("", _bare(name), count=1)
    return " ".join(re.sub(r"[^\w ]+", " ", bare).split())


def route_key(name: str) -> str:
    """A configured place: 'Phường Hòa Bình' -> 'commune:hoa binh' (that level only); 'Mai Châu' -> 'mai chau' (any)."""
    match = _PREFIX.match(_bare(name))
    key = place_key(name)
    if not match:
        return key
    prefix = match.group(1).rstrip(".")
    if prefix in ("thanh pho", "tp"):
        return f"{'province' if key in _CITIES else 'district'}:{key}"
    return f"{_PREFIX_LEVEL[prefix]}:{key}"


def place_names(places: Iterable[dict]) -> list[str]:
    """Display names, most specific first (commune, district, legacy province, province), without repeats."""
    seen, out = set(), []
    for field in LEVEL_FIELDS:
        for place in places:
            name = place.get(field) if isinstance(place, dict) else None
            if name and place_key(name) not in seen:
                seen.add(place_key(name))
                out.append(name)
    return out


def place_keys(places: Iterable[dict], schools: Iterable = ()) -> frozenset[str]:
    """Keys of every named place, bare ('hoa binh') and with its level ('province:hoa binh'), plus school names.

    A legacy province counts at the province level, as the press names it.
    """
    keys = set()
    for place in places:
        if not isinstance(place, dict):
            continue
        for field in LEVEL_FIELDS:
            key = place_key(place.get(field)) if place.get(field) else ""
            if key:
                keys.add(key)
                keys.add(f"{'province' if field == 'legacy_province' else field}:{key}")
    keys |= {place_key(school_name(s)) for s in schools if school_name(s)}
    return frozenset(k for k in keys if k)


def local_keys(places: Iterable[dict], schools: Iterable = ()) -> frozenset[str]:
    """The specific places (commune, district, school) that tell one event from another in a province."""
    keys = {place_key(p.get(f)) for p in places if isinstance(p, dict) for f in ("commune", "district") if p.get(f)}
    keys |= {place_key(school_name(s)) for s in schools if school_name(s)}
    return frozenset(k for k in keys if k)


def school_name(school) -> str:
    if isinstance(school, dict):
        return school.get("name") or school.get("span") or ""
    return str(school or "")


_LEVEL_PATTERNS = {
    "preschool": r"\bmam non\b|\bmau giao\b|\bnha tre\b|\btruong mn\b|\bmn\b",
    "primary": r"\btieu hoc\b|\btruong th\b|\bth&thcs\b",
    "lower_secondary": r"\btrung hoc co so\b|\bthcs\b|\bpt dtbt thcs\b",
    "upper_secondary": r"\btrung hoc pho thong\b|\bthpt\b|\blop (10|11|12)\b",
    "continuing": r"\bgiao duc thuong xuyen\b|\bgdtx\b|\bgdnn-gdtx\b",
}
_LEVEL_RES = {level: re.compile(pattern) for level, pattern in _LEVEL_PATTERNS.items()}
_GRADES = re.compile(r"\blop ([1-9])\b")


def school_levels(texts: Iterable[str], schools: Iterable = ()) -> frozenset[str]:
    """Which school levels a story concerns, from school names, titles and summaries.

    Grade numbers count too: "lớp 3" is primary, "lớp 8" lower secondary.
    Empty when nothing tells; routing then treats the level as "unknown".
    """
    found: set[str] = set()
    for school in schools:
        if isinstance(school, dict) and school.get("level"):
            found.add(str(school["level"]))
    bare = " ".join(strip_diacritics(normalize(t)).lower() for t in list(texts) + [school_name(s) for s in schools])
    for level, pattern in _LEVEL_RES.items():
        if pattern.search(bare):
            found.add(level)
    for grade in _GRADES.findall(bare):
        found.add("primary" if int(grade) <= 5 else "lower_secondary")
    return frozenset(found)


def is_own_province(places: Iterable[dict], provinces: Iterable[str | None], office_province: str) -> bool:
    """True when any place (or the item's province) is the office's province, legacy names included."""
    own = place_key(office_province)
    for place in places:
        if not isinstance(place, dict):
            continue
        if place.get("province") and place_key(place["province"]) == own:
            return True
        if place.get("legacy_province") and legacy_to_2025(place["legacy_province"]) == own:
            return True
    return any(p and place_key(p) == own for p in provinces)


@lru_cache(maxsize=256)
def legacy_to_2025(name: str) -> str:
    """Key of the 2025 province a legacy province now belongs to ('Hòa Bình' -> 'phu tho')."""
    try:
        from vietnamadminunits import convert_address

        unit = convert_address(name)
        return place_key(getattr(unit, "province", "") or name)
    except Exception:  # the converter raises on names it does not know
        return place_key(name)
