"""Finding place-name mentions in prepared text and weighing their evidence.

A mention is the longest run of words whose folded form is a gazetteer key.
Each candidate unit behind the key gets an evidence level:

- STRONG: enough on its own (a unit word in front: "tỉnh", "huyện", "xã";
  an abbreviation; a capitalised province name that is not an ordinary word).
- WEAK: believable only if another place in the same province is mentioned
  ("Hòa Bình" inside a longer capitalised phrase, "Hoa Binh" without tone
  marks, a district name without its unit word that several provinces share).
- rejected: lowercase ordinary words ("hòa bình thế giới"), a commune name
  without a unit word, tone marks that differ from the name ("Hóa" is not "Hòa").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from classifiers.gazetteer import (ABBREV, DISTRICT, PROVINCE, WARD, WARD2025, Gazetteer, Unit,
                                   split_words, words)
from classifiers.placetext import Prepared

STRONG, WEAK = 2, 1

# Unit words (folded) -> (level they name, spelling with tone marks).
UNIT_WORDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("tinh",): ("province", "tỉnh"),
    ("thanh", "pho"): ("city", "thành phố"),
    ("tp",): ("city", "tp"),
    ("quan",): ("district", "quận"),
    ("huyen",): ("district", "huyện"),
    ("thi", "xa"): ("district", "thị xã"),
    ("tx",): ("district", "tx"),
    ("q",): ("district", "q"),
    ("xa",): ("commune", "xã"),
    ("phuong",): ("commune", "phường"),
    ("thi", "tran"): ("commune", "thị trấn"),
    ("tt",): ("commune", "tt"),
    ("p",): ("commune", "p"),
    ("dac", "khu"): ("commune", "đặc khu"),
}
# The unit word a candidate must carry for each level ("thị trấn" is only legacy).
_UNIT_OF = {"quận": "quận", "huyện": "huyện", "thị xã": "thị xã", "tx": "thị xã", "q": "quận",
            "xã": "xã", "phường": "phường", "thị trấn": "thị trấn", "tt": "thị trấn", "p": "phường",
            "đặc khu": "đặc khu", "thành phố": "thành phố", "tp": "thành phố"}
# Words that make the next name a street, bridge or river, not the unit itself.
_NOT_A_UNIT = frozenset({"đường", "phố", "cầu", "sông", "chợ", "ngõ", "hẻm", "kênh", "quốc lộ", "xa lộ"})
# Most common family names: a three-word name starting with one reads as a person
# ("Hồ Chí Minh") and needs a unit word or a neighbouring place.
_SURNAMES = frozenset({"nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ",
                       "đặng", "bùi", "đỗ", "hồ", "ngô", "dương", "lý"})
_NAME_GAP = re.compile(r"[ \-–—'’‘]{1,3}")
_UNIT_GAP = re.compile(r"[ .]{1,3}")
_QUOTES = str.maketrans("", "", "'’‘")
_PLURAL = frozenset({"cac", "nhung", "hai", "ba", "bon", "nam"})
_LIST_GAP = re.compile(r"\s*(?:,|;|&|và|hoặc)\s*")


@dataclass
class Mention:
    first: int                 # first word of the name
    last: int                  # one past the last word
    start: int                 # norm offset of the span (unit word included)
    end: int
    unit: str | None           # 'province' / 'city' / 'district' / 'commune'
    unit_word: str | None      # the unit word as spelt with tone marks
    shared: bool = False       # the name belongs to units in several provinces
    key: str = ""              # the folded name
    unit_at: int = -1          # the unit word's first word, -1 without one
    candidates: list[tuple[Unit, int]] = field(default_factory=list)


@lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    return words(name)


def _surface(prep: Prepared, first: int, last: int) -> tuple[str, ...]:
    return tuple(prep.word(i).lower().translate(_QUOTES) for i in range(first, last))


def _diacritics(surface: tuple[str, ...], folded: tuple[str, ...], name: tuple[str, ...]) -> str:
    """'exact', 'bare' (typed without tone marks) or 'variant'."""
    if "".join(surface) == "".join(name):
        return "exact"
    return "bare" if surface == folded else "variant"


def _case(prep: Prepared, first: int, last: int, name: str) -> str:
    """'title' ("Lạc Sơn"), 'upper' ("LẠC SƠN") or 'lower' (anything else)."""
    shape = []
    expected = split_words(name)
    for i, want in zip(range(first, last), expected):
        w = prep.word(i)
        if w[0].isdigit():
            continue
        if len(w) > 1 and w.isupper():
            shape.append("U")
        elif w[0].isupper() or not want[0].isupper():
            shape.append("T")
        else:
            return "lower"
    if shape and all(s == "U" for s in shape):
        return "upper"
    return "title"


def _is_title_word(w: str) -> bool:
    return w[0].isupper() and not (len(w) > 1 and w.isupper())


def _embedded(prep: Prepared, first: int, last: int) -> bool:
    """The name sits inside a longer capitalised phrase ("Nobel Hòa Bình", "Dinh Thống Nhất")."""
    if first > 0 and prep.norm[prep.words[first - 1][1]:prep.words[first][0]] == " ":
        if _is_title_word(prep.word(first - 1)):
            return True
    if last < len(prep.words) and prep.norm[prep.words[last - 1][1]:prep.words[last][0]] == " ":
        if _is_title_word(prep.word(last)):
            return True
    return False


def _after_street_word(prep: Prepared, first: int) -> bool:
    """'đường Lê Lợi', 'cầu Thăng Long', '369 Điện Biên Phủ': a street, not the unit."""
    if first == 0 or prep.norm[prep.words[first - 1][1]:prep.words[first][0]] != " ":
        return False
    prev = prep.word(first - 1).lower()
    if prev.isdigit():
        return True
    two = prep.word(first - 2).lower() + " " + prev if first > 1 else ""
    return prev in _NOT_A_UNIT or two in _NOT_A_UNIT


def unit_before(prep: Prepared, first: int, bare_name: bool = False) -> tuple[str, str, int] | None:
    """(level, unit word, its first word) when a unit word stands right before word `first`.
    A unit word typed without tone marks counts before a name typed without them."""
    for n in (2, 1):
        i = first - n
        if i < 0:
            continue
        key = tuple(prep.keys[i:first])
        if key not in UNIT_WORDS:
            continue
        gap = prep.norm[prep.words[first - 1][1]:prep.words[first][0]]
        if not _UNIT_GAP.fullmatch(gap) or (key in (("q",), ("p",)) and "." not in gap):
            continue
        level, spelt = UNIT_WORDS[key]
        surface = " ".join(prep.word(j).lower() for j in range(i, first))
        if surface == spelt or ((prep.bare or bare_name) and surface == " ".join(key)):
            if n == 2 and prep.norm[prep.words[i][1]:prep.words[i + 1][0]] != " ":
                continue
            return level, spelt, i
    return None


def scan(prep: Prepared, g: Gazetteer) -> list[Mention]:
    """Leftmost-longest mentions whose words could name a unit."""
    found, i, n_words = [], 0, len(prep.words)
    joined = [bool(_NAME_GAP.fullmatch(prep.norm[prep.words[j][1]:prep.words[j + 1][0]]))
              for j in range(n_words - 1)]
    while i < n_words:
        mention = None
        for last in reversed(_key_ends(prep.keys, joined, i, g)):
            mention = _mention(prep, g, i, last, g.index[" ".join(prep.keys[i:last])], found)
            if mention.candidates:
                break
            mention = None
        if mention:
            found.append(mention)
            i = mention.last
        else:
            i += 1
    return found


def _key_ends(keys: list[str], joined: list[bool], i: int, g: Gazetteer) -> list[int]:
    """Every `last` such that words i..last form an index key, shortest first."""
    ends, key = [], keys[i]
    last = i + 1
    while key in g.prefixes:
        if key in g.index:
            ends.append(last)
        if last >= len(keys) or not joined[last - 1]:
            break
        key = key + " " + keys[last]
        last += 1
    return ends


def _mention(prep: Prepared, g: Gazetteer, first: int, last: int, units: list[Unit],
             before: list[Mention]) -> Mention:
    bare_name = prep.norm[prep.words[first][0]:prep.words[last - 1][1]].isascii()
    unit = unit_before(prep, first, bare_name)
    level, spelt, start_word = unit if unit else (None, None, first)
    unit_at = start_word if unit else -1
    if unit is None and before:
        level, spelt = _inherited(prep, before[-1], first)
        unit_at = before[-1].unit_at if level else -1
    end = prep.words[last - 1][1]
    key = " ".join(prep.keys[first:last])
    m = Mention(first, last, prep.words[start_word][0], end, level, spelt, key=key, unit_at=unit_at)
    _weigh(prep, g, m, units)
    if not m.candidates and level is not None:
        # "o xa Ha Noi": without tone marks "xa" may be "far", not "xã".
        m = Mention(first, last, prep.words[first][0], end, None, None, key=key)
        _weigh(prep, g, m, units)
    return m


def _weigh(prep: Prepared, g: Gazetteer, m: Mention, units: list[Unit]) -> None:
    """Fill m.candidates with the units whose evidence holds."""
    m.shared = len({u.province for u in units}) > 1
    surface = _surface(prep, m.first, m.last)
    folded = tuple(prep.keys[m.first:m.last])
    seen: dict[str, tuple[str, str]] = {}
    for u in units:
        shape = seen.get(u.name)
        if shape is None:
            shape = seen[u.name] = (_diacritics(surface, folded, _name_words(u.name)),
                                    _case(prep, m.first, m.last, u.name))
        level_ok = _evidence(prep, g, m, u, shape, folded)
        if level_ok:
            m.candidates.append((u, level_ok))
    if m.unit is None and any(u.kind in (PROVINCE, ABBREV) for u, _ in m.candidates):
        # Without a unit word a province name is the province, not its namesake town.
        m.candidates = [(u, lv) for u, lv in m.candidates if u.kind in (PROVINCE, ABBREV)]


def _inherited(prep: Prepared, prev: Mention, first: int) -> tuple[str | None, str | None]:
    """'các xã An Hòa, Tân Lạc': a plural list carries the unit word of its first item.
    ("huyện Lạc Sơn, Hòa Bình" is an address: the second name is the province.)"""
    if prev.unit in ("district", "commune") and prev.last == first:
        gap = prep.norm[prep.words[prev.last - 1][1]:prep.words[first][0]]
        at = prev.unit_at
        plural = at > 0 and (prep.keys[at - 1] in _PLURAL or prep.keys[at - 1].isdigit())
        if plural and _LIST_GAP.fullmatch(gap):
            return prev.unit, prev.unit_word
    return None, None


def _evidence(prep: Prepared, g: Gazetteer, m: Mention, u: Unit,
              shape: tuple[str, str], folded: tuple[str, ...]) -> int | None:
    name = _name_words(u.name)
    diac, case = shape
    if u.kind == ABBREV:
        return STRONG if _abbrev_ok(prep, m, u) else None
    if diac == "variant" and u.kind != PROVINCE:
        return None  # "Tân Thành" is not "Tân Thạnh"
    if m.unit is not None:
        return _with_unit(g, m, u, diac, case)
    if u.kind in (WARD, WARD2025) or u.name.isdigit() or _after_street_word(prep, m.first):
        return None
    key = " ".join(name)
    ordinary = key in g.ordinary or len(name) == 1 or _person_like(name)
    if diac == "bare":
        ordinary = ordinary or " ".join(folded) in g.ordinary_bare
    embedded = _embedded(prep, m.first, m.last) or _person_like(name)
    if u.kind == PROVINCE or u.alias:
        return _province_alone(diac, case, ordinary, embedded)
    # A district name alone: capitalised, spelt right, not part of a longer name,
    # and no other province has a unit of that name (else "Xuân Trường" the footballer).
    if diac == "exact" and case == "title" and not ordinary and not embedded and not m.shared:
        return STRONG
    if diac in ("exact", "bare") and case == "title":
        return WEAK
    return None


def _person_like(name: tuple[str, ...]) -> bool:
    return len(name) == 3 and name[0] in _SURNAMES


def _province_alone(diac: str, case: str, ordinary: bool, embedded: bool) -> int | None:
    if diac == "variant":
        return STRONG if case == "title" and not ordinary and not embedded else None
    if case == "title":
        if not ordinary:
            return STRONG
        return WEAK if embedded or diac == "bare" else STRONG
    if diac == "bare":
        return None
    if case == "upper":
        return WEAK if ordinary else STRONG
    return None if ordinary else STRONG


def _with_unit(g: Gazetteer, m: Mention, u: Unit, diac: str, case: str) -> int | None:
    """Names after a unit word: the unit must fit the candidate and the name be capitalised."""
    if case == "lower" and (diac != "exact" or len(u.name.split()) < 2
                            or " ".join(_name_words(u.name)) in g.ordinary):
        return None  # "xã hội", "tỉnh thành"; but "phường xuân hương" in keyword lists
    if m.unit == "province":
        return STRONG if u.kind == PROVINCE else None
    if m.unit == "city":
        if u.kind == PROVINCE:
            return STRONG if g.legacy[u.legacy]["city"] else None
        return STRONG if u.kind == DISTRICT and "thành phố" in u.units else None
    wanted = _UNIT_OF.get(m.unit_word or "", "")
    if m.unit == "district":
        if u.kind != DISTRICT:
            return None
        return STRONG if wanted in u.units else WEAK
    if u.kind in (WARD, WARD2025):
        return STRONG if wanted in u.units else WEAK
    if u.kind == DISTRICT and wanted == "đặc khu":
        return WEAK  # the island district the special zone replaced
    return None


def _abbrev_ok(prep: Prepared, m: Mention, u: Unit) -> bool:
    """Abbreviations count as written: 'HN', 'BR-VT', 'TP.HCM'; lowercase only when long."""
    surface = prep.norm[prep.words[m.first][0]:prep.words[m.last - 1][1]]
    plain = re.sub(r"[\s.\-]", "", surface)
    want = re.sub(r"[\s.\-]", "", u.name)
    if plain == want:
        return True
    return len(want) >= 3 and plain.lower() == want.lower() and plain.isascii()
