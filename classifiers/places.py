"""Localities named in a text, mapped onto the 34 provinces and 3,321 communes of 2025.

    find_places("Học sinh trường THCS ở huyện Lạc Sơn, Hòa Bình")
    -> [{"province": "Phú Thọ", "legacy_province": "Hòa Bình", "district": "Lạc Sơn",
         "commune": None, "span": "huyện Lạc Sơn"}]

Each entry: `province` spelt as `vietnam_provinces.Province.name`; `legacy_province`
the pre-2025 province (vietnamadminunits spelling, "Bà Rịa - Vũng Tàu") only when
the mention lies in a province merged away or renamed, else None; `district` the
legacy district without its unit word ("Lạc Sơn", "3" for "quận 3") or None;
`commune` the 2025 commune as `vietnam_provinces.Ward.name` spells it
("Xã Lạc Sơn") when the text names a commune the data maps, else None; `span` the
substring of the input naming the most specific mention (unit word included).

Resolution rule: a mention that fits several places ("Tam Nông" is in Phú Thọ and
Đồng Tháp; "xã An Hòa" in dozens) takes the one in a province or district named
elsewhere in the text; with no such help it yields nothing, unless all its
readings lie in one 2025 province, which is then reported alone. Mentions of
one place are merged: a district and its province give one entry.
"""
from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from dataclasses import replace

from classifiers.gazetteer import ABBREV, DISTRICT, PROVINCE, WARD, WARD2025, Gazetteer, Unit, load
from classifiers.placematch import STRONG, Mention, scan
from classifiers.placetext import prepare
from classifiers.schools import find_schools, school_spans

__all__ = ["find_places", "find_schools", "main_province", "score_places"]
log = logging.getLogger(__name__)
_ROUNDS = 3
# Only the head of a huge text is read: the place a story is about is named early,
# and a pasted megabyte must not hold up the pipeline.
MAX_CHARS = 100_000
_RANK = {PROVINCE: 0, ABBREV: 0, DISTRICT: 1, WARD2025: 2, WARD: 2}


class _Support:
    """Places already accepted in the text: the context for the ambiguous ones."""

    def __init__(self) -> None:
        self.legacy: Counter = Counter()
        self.provinces: Counter = Counter()
        self.districts: Counter = Counter()

    def add(self, u: Unit, n: int = 1) -> None:
        self.provinces[u.province] += n
        if u.legacy is not None:
            self.legacy[u.legacy] += n
        if u.district is not None:
            self.districts[u.district] += n

    def score(self, u: Unit, minus: "_Support | None" = None) -> int:
        """3: its district is named, 2: its legacy province, 1: its 2025 province, else 0."""
        for points, table, key in ((3, "districts", u.district), (2, "legacy", u.legacy),
                                   (1, "provinces", u.province)):
            if key is not None and getattr(self, table)[key] > (getattr(minus, table)[key] if minus else 0):
                return points
        return 0


def find_places(text: str) -> list[dict]:
    """Places the text names, one entry per distinct place, in text order."""
    if not text or not isinstance(text, str):
        return []
    try:
        g = load()
        prep = prepare(text[:MAX_CHARS])
        resolved = _resolve(g, _outside_universities(prep.norm, scan(prep, g)))
        merged = _merge(g, resolved)
        return [_entry(g, u, prep.span(m.start, m.end)) for m, u in merged]
    except Exception:  # matching must never take an item down with it
        log.exception("find_places failed on %d characters", len(text))
        return []


def _outside_universities(norm: str, mentions: list[Mention]) -> list[Mention]:
    """Drop names inside university names ("Đại học Y Hà Nội", "ĐH Quốc gia TPHCM"):
    national institutions named after a city do not place the story there."""
    if not any(word in norm for word in ("ĐH", "Đại học", "đại học", "Học viện", "Cao đẳng", "CĐ")):
        return mentions
    spans = sorted((s, e) for _, s, e, higher in school_spans(norm) if higher)
    starts = [s for s, _ in spans]
    kept = []
    for m in mentions:
        i = bisect_right(starts, m.start) - 1
        if i < 0 or spans[i][1] < m.end:
            kept.append(m)
    return kept


def _resolve(g: Gazetteer, mentions: list[Mention]) -> list[tuple[Mention, Unit]]:
    """Accept clear mentions first, then let them settle the ambiguous ones;
    last, let ambiguous mentions of different names narrow each other
    ("xã An Hòa, huyện Tam Nông": only one Tam Nông has an An Hòa)."""
    support, chosen = _Support(), {}
    # Provinces first, then districts, then communes: each level is the context of the next.
    pending = dict.fromkeys(sorted(range(len(mentions)), key=lambda k: (_level(mentions[k]), k)))
    for _ in range(_ROUNDS):
        if not _round(g, mentions, pending, chosen, support) and not _joint_round(g, mentions, pending, chosen, support):
            break
    return [(mentions[k], chosen[k]) for k in sorted(chosen)]


def _round(g: Gazetteer, mentions: list[Mention], pending: dict, chosen: dict, support: _Support) -> bool:
    return _settle(pending, chosen, support, lambda k: _choose(g, mentions[k].candidates, support))


def _joint_round(g: Gazetteer, mentions: list[Mention], pending: dict, chosen: dict,
                 support: _Support) -> bool:
    """Score each pending mention against what the others (of other names) could be."""
    total, by_name = _Support(), {}
    for k in pending:
        for u in _strong(mentions[k]):
            total.add(u)
            by_name.setdefault(mentions[k].key, _Support()).add(u)
    return _settle(pending, chosen, support,
                   lambda k: _choose(g, mentions[k].candidates, total, minus=by_name.get(mentions[k].key), joint=True))


def _settle(pending: dict, chosen: dict, support: _Support, pick) -> bool:
    """Fix every pending mention ``pick`` can resolve, in order; True when any was."""
    progress = False
    for k in list(pending):
        unit = pick(k)
        if unit is not None:
            chosen[k] = unit
            support.add(unit)
            del pending[k]
            progress = True
    return progress


def _strong(m: Mention) -> set[Unit]:
    return {u for u, level in m.candidates if level == STRONG}


def _level(m: Mention) -> int:
    return min((_RANK[u.kind] for u, _ in m.candidates), default=3)


def _choose(g: Gazetteer, candidates: list[tuple[Unit, int]], support: _Support,
            minus: _Support | None = None, joint: bool = False) -> Unit | None:
    if joint:
        candidates = [(u, level) for u, level in candidates if level == STRONG]
    scored = [(support.score(u, minus), u) for u, level in candidates]
    scored = [(s, u) for (s, u), (_, level) in zip(scored, candidates) if level == STRONG or s > 0]
    if not scored:
        return None
    best = max(s for s, _ in scored)
    if joint and best < 2:
        return None  # two names merely sharing a 2025 province prove nothing
    return _collapse(g, [u for s, u in scored if s == best])


def _collapse(g: Gazetteer, units: list[Unit]) -> Unit | None:
    """One reading, or the province all readings share, or None."""
    if len({_key(u) for u in units}) == 1:
        return units[0]
    if len({u.province for u in units}) > 1:
        # A live monitor reads today's press: a commune name that only one 2025
        # commune carries means that commune, not a dissolved namesake elsewhere.
        current = [u for u in units if u.kind == WARD2025]
        return current[0] if len(current) == 1 else None
    for kind in (PROVINCE, DISTRICT, WARD2025, WARD):
        same = [u for u in units if u.kind == kind]
        if same and len({_key(u) for u in same}) == 1:
            return same[0]
        if same:
            break
    legacy = {u.legacy for u in units}
    communes = {u.commune for u in units}
    return Unit(PROVINCE, g.provinces[units[0].province]["short"], units[0].province,
                legacy.pop() if len(legacy) == 1 else None,
                commune=communes.pop() if len(communes) == 1 else None)


def _key(u: Unit) -> tuple:
    return (u.province, u.legacy, u.district, u.commune)


def _specificity(u: Unit) -> int:
    return (u.district is not None) + 2 * (u.commune is not None and u.kind != DISTRICT)


def _compatible(g: Gazetteer, a: Unit, b: Unit) -> bool:
    """b adds nothing that contradicts a (same province, same or unknown parts).
    Two province names stay apart ("TP.HCM, BR-VT" lists two places)."""
    if a.province != b.province:
        return False
    if _key(a) != _key(b) and _specificity(a) == 0 and _specificity(b) == 0:
        return False
    legacy_ok = (a.legacy is None or b.legacy is None or g.same_legacy(a, b)
                 or (b.district is None and b.commune is None and g.survivor(b))
                 or (a.district is None and a.commune is None and g.survivor(a)))
    return (legacy_ok and (a.district is None or b.district is None or a.district == b.district)
            and (a.commune is None or b.commune is None or a.commune == b.commune))


def _combine(g: Gazetteer, a: Unit, b: Unit) -> Unit:
    """a, the more specific, completed by what b knows (a merged-away province beats its survivor)."""
    legacy = a.legacy
    if legacy is None or (g.legacy_name(a) is None and g.legacy_name(b) is not None):
        legacy = b.legacy if b.legacy is not None else legacy
    return replace(a, legacy=legacy,
                   district=a.district if a.district is not None else b.district,
                   commune=a.commune if a.commune is not None else b.commune)


def _merge(g: Gazetteer, resolved: list[tuple[Mention, Unit]]) -> list[tuple[Mention, Unit]]:
    """One entry per place; the most specific mention keeps its span."""
    order = sorted(range(len(resolved)), key=lambda k: (-_specificity(resolved[k][1]), k))
    kept: list[list] = []
    for k in order:
        mention, unit = resolved[k]
        for slot in kept:
            if _compatible(g, slot[1], unit):
                slot[1] = _combine(g, slot[1], unit)
                break
        else:
            kept.append([mention, unit])
    return sorted(((m, u) for m, u in kept), key=lambda mu: mu[0].start)


def _entry(g: Gazetteer, u: Unit, span: str) -> dict:
    district = g.districts[u.district]["name"] if u.district is not None else None
    commune = g.wards2025[u.commune]["name"] if u.commune is not None else None
    return {"province": g.province_name(u), "legacy_province": g.legacy_name(u),
            "district": district, "commune": commune, "span": span}


def main_province(places: list[dict]) -> str | None:
    """The 2025 province the item is about: most entries, the more specific
    weighing more, the earliest winning a tie (titles name their place first)."""
    score: Counter = Counter()
    first: dict[str, int] = {}
    for i, p in enumerate(places or []):
        name = p.get("province")
        if not name:
            continue
        score[name] += 1 + (p.get("district") is not None) + (p.get("commune") is not None)
        first.setdefault(name, i)
    if not score:
        return None
    return max(score, key=lambda n: (score[n], -first[n]))


def score_places(pred: list[dict], gold: list[dict]) -> dict:
    """Compare one item's places; see classifiers.evaluate_places for the totals."""
    from classifiers.evaluate_places import score_item
    return score_item(pred, gold)
