"""Vietnamese text preparation shared by matching, search and the models.

Text is NFC-normalised and tone marks are moved to one placement ("hoà" ->
"hòa", "thuỷ" -> "thủy") before anything compares it, so the same word has one
spelling whatever keyboard typed it.
"""
from __future__ import annotations

import html
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
# The keys of _NEW_TO_MODERN as character classes (oà…oẹ, uỳ…uỵ, any case): a class
# is several times faster than a 15-way alternation, and this runs on every text.
_SYLLABLE_END_PAIR = re.compile(
    r"(?<![qQ])(?:[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])")


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
    return " ".join(text.split())


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


# --- Cleaning -------------------------------------------------------------

_TAG = re.compile(r"<[^>]{0,500}>")
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\x00-\x08\x0b-\x1f\x7f]")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "\xa0": " "})
_REPEAT_PUNCT = re.compile(r"([!?,;:\-])\1{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)])")


def clean(text: str | None) -> str:
    """Plain readable text: no HTML remnants, no invisible characters, one style of quotes and dashes.

    Offsets are not kept: matchers that report spans run on this output.
    """
    if not text:
        return ""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = _INVISIBLE.sub(" ", text.translate(_QUOTES))
    text = _REPEAT_PUNCT.sub(r"\1", text)
    text = normalize(text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


# --- Abbreviations --------------------------------------------------------

# (pattern, expansion). Case-sensitive: "HS" is an abbreviation, "hs" may not be.
# Short ambiguous ones (TH, MN) only count after "trường"/"bậc"/"cấp".
_ABBREVIATIONS: list[tuple[str, str]] = [
    (r"Sở\s+GD\s*(?:&|và|-|/)?\s*[ĐD]T", "Sở Giáo dục và Đào tạo"),
    (r"Bộ\s+GD\s*(?:&|và|-|/)?\s*[ĐD]T", "Bộ Giáo dục và Đào tạo"),
    (r"Phòng\s+GD\s*(?:&|và|-|/)?\s*[ĐD]T", "Phòng Giáo dục và Đào tạo"),
    (r"B?GD\s*(?:&|-|/)\s*[ĐD]T|B?GD[ĐD]T", "giáo dục và đào tạo"),
    (r"GDPT", "giáo dục phổ thông"),
    (r"GDMN", "giáo dục mầm non"),
    (r"GDTX", "giáo dục thường xuyên"),
    (r"GDNN", "giáo dục nghề nghiệp"),
    (r"THPTQG|THPT\s*QG", "trung học phổ thông quốc gia"),
    (r"THPT", "trung học phổ thông"),
    (r"THCS", "trung học cơ sở"),
    (r"PTDTBT", "phổ thông dân tộc bán trú"),
    (r"PTDTNT", "phổ thông dân tộc nội trú"),
    (r"SGK", "sách giáo khoa"),
    (r"CSVC", "cơ sở vật chất"),
    (r"GVCN", "giáo viên chủ nhiệm"),
    (r"BGH", "ban giám hiệu"),
    (r"PHHS|CMHS", "phụ huynh học sinh"),
    (r"HSSV", "học sinh sinh viên"),
    (r"HSG", "học sinh giỏi"),
    (r"HS", "học sinh"),
    (r"GV", "giáo viên"),
    (r"SV", "sinh viên"),
    (r"ĐHQG|DHQG", "đại học quốc gia"),
    (r"ĐH|DH", "đại học"),
    (r"CĐ", "cao đẳng"),
    (r"UBND", "Ủy ban nhân dân"),
    (r"HĐND", "Hội đồng nhân dân"),
    (r"TP\.?\s*HCM|Tp\.?\s*HCM|tp\.?\s*HCM|TP\.\s*Hồ\s+Chí\s+Minh|TP\s+Hồ\s+Chí\s+Minh", "Thành phố Hồ Chí Minh"),
    (r"TP\.|Tp\.", "thành phố"),
    (r"ĐBSCL", "Đồng bằng sông Cửu Long"),
    (r"CNTT", "công nghệ thông tin"),
    (r"(?<=trường )TH|(?<=bậc )TH|(?<=cấp )TH", "tiểu học"),
    (r"(?<=trường )MN|(?<=bậc )MN|(?<=cấp )MN", "mầm non"),
]
_ABBR = re.compile(
    "|".join(f"(?P<a{i}>(?<![\\w&.])(?:{pattern})(?![\\w&]))" for i, (pattern, _) in enumerate(_ABBREVIATIONS))
)
_EXPANSION = {f"a{i}": expansion for i, (_, expansion) in enumerate(_ABBREVIATIONS)}


def expand_abbreviations(text: str) -> str:
    """'HS trường THCS' -> 'học sinh trường trung học cơ sở': one spelling per concept for the models.

    Only matches that stand as whole tokens are expanded, so 'THPTQG' or 'HSBC'
    are not cut in half.
    """
    if not text:
        return ""
    return _ABBR.sub(lambda m: _EXPANSION[m.lastgroup], text)


# --- Word segmentation ----------------------------------------------------

_CHUNK = re.compile(r"(?<=[.!?;:])\s+|\n+")
SEGMENT_CACHE_SIZE = 100_000


def segment(text: str) -> str:
    """underthesea word segmentation, lower-cased: 'Học sinh giỏi' -> 'học_sinh giỏi'.

    Text is cut at sentence ends and each sentence is cached: feeds repeat
    titles, ledes and boilerplate, and a re-classification repeats everything.
    """
    if not text:
        return ""
    return " ".join(_segment_sentence(chunk) for chunk in _CHUNK.split(text) if chunk)


@lru_cache(maxsize=SEGMENT_CACHE_SIZE)
def _segment_sentence(sentence: str) -> str:
    from underthesea import word_tokenize  # deferred: importing underthesea costs ~0.5 s

    try:
        return word_tokenize(sentence, format="text").lower()
    except Exception:  # noqa: BLE001 - the segmenter must never stop a classification
        return sentence.lower()
