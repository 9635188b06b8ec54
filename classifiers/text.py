"""Vietnamese text preparation shared by matching, search and the models.

Text is NFC-normalised and tone marks are moved to one placement ("hoà" ->
"hòa", "thuỷ" -> "thủy") before anything compares it, so the same word has one
spelling whatever keyboard typed it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Old-style placement (mark on the last vowel of oa/oe/uy) -> new style.
_OLD_TO_NEW = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}
# We unify towards the placement most Vietnamese news sites use today:
# the mark on the main vowel ("hòa", "thủy").
_NEW_TO_MODERN = {new: old for old, new in _OLD_TO_NEW.items()}
_TONE_PAIR = re.compile("|".join(sorted(_NEW_TO_MODERN, key=len, reverse=True)), re.IGNORECASE)
_SYLLABLE_END_PAIR = re.compile(r"(?<![qQ])(?:" + _TONE_PAIR.pattern + r")(?![^\W\d_])", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def _fix_pair(match: re.Match) -> str:
    text = match.group(0)
    fixed = _NEW_TO_MODERN[text.lower()]
    return fixed.upper() if text.isupper() else (fixed[0].upper() + fixed[1:] if text[0].isupper() else fixed)


def normalize(text: str | None) -> str:
    """NFC, one tone-mark placement, collapsed whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    # Only fix pairs at the end of a syllable: "hoà" but not "hoàn"/"khoảng".
    # "qu" is a consonant, so "quý" keeps its mark on the y.
    text = _SYLLABLE_END_PAIR.sub(_fix_pair, text)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def _strip_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def strip_diacritics(text: str | None) -> str:
    """'Đồng Tháp' -> 'Dong Thap': the form text without tone marks arrives in."""
    if not text:
        return ""
    return " ".join(_strip_word(w) for w in text.split(" "))


def fold_d(text: str | None) -> str:
    """Only 'đ' -> 'd': what the search index stores (unicode61 strips the rest)."""
    return (text or "").replace("đ", "d").replace("Đ", "D")
