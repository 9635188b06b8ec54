"""Text prepared for place matching: normalised, folded, split into words,
with a way back to the caller's offsets.

Matching runs on a normalised copy (NFC, one tone-mark placement) and on a
folded copy (lowercase, no diacritics) of the same length, so one index
lookup serves text with and without tone marks. Spans are reported in the
caller's own text, which may be NFD or hold odd whitespace.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from classifiers.gazetteer import WORD
from classifiers.text import normalize, strip_diacritics

_CHUNK = re.compile(r"\S+|\s+")
_QUOTES = str.maketrans("", "", "'’‘")


class _FoldTable(dict):
    """str.translate table: each character to one lowercase bare character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        low = ch.lower()
        bare = strip_diacritics(low) if len(low) == 1 else ch
        value = bare if len(bare) == 1 else (low if len(low) == 1 else ch)
        self[code] = value
        return value


_FOLD = _FoldTable()


@lru_cache(maxsize=65536)
def _normalize_chunk(chunk: str) -> tuple[str, tuple[int, ...] | None]:
    """A non-space chunk normalised, plus its char offsets when the length changed."""
    out = normalize(chunk)
    if len(out) == len(chunk):
        return out, None
    # NFD input: map each composed character back to where its cluster starts.
    starts, i = [], 0
    while i < len(chunk):
        starts.append(i)
        i += 1
        while i < len(chunk) and unicodedata.combining(chunk[i]):
            i += 1
    if len(starts) != len(out):
        starts = [min(len(chunk) - 1, j * len(chunk) // len(out)) for j in range(len(out))]
    return out, tuple(starts)


@dataclass
class Prepared:
    text: str              # the caller's text
    norm: str              # normalised, one char per output char
    folded: str            # same length as norm: lowercase, no diacritics
    words: list[tuple[int, int]]   # word spans in norm
    keys: list[str]        # folded word per span
    offsets: list[int] | None      # norm index -> text index (None: identical)
    bare: bool             # the text carries (almost) no tone marks

    def span(self, start: int, end: int) -> str:
        """The caller's substring for norm[start:end]."""
        if self.offsets is None:
            return self.text[start:end]
        a = self.offsets[start]
        b = self.offsets[end] if end < len(self.offsets) else len(self.text)
        return self.text[a:b]

    def word(self, i: int) -> str:
        s, e = self.words[i]
        return self.norm[s:e]


def prepare(text: str) -> Prepared:
    """Normalise without moving any word, then fold and split."""
    parts, moved = [], False
    for m in _CHUNK.finditer(text):
        chunk = m.group(0)
        if chunk[0].isspace():
            # One space per character; line breaks stay, since they end a name.
            parts.append(("".join("\n" if c in "\n\r\u2028\u2029" else " " for c in chunk), m.start(), None))
            continue
        out, starts = _normalize_chunk(chunk)
        parts.append((out, m.start(), starts))
        moved = moved or starts is not None
    norm = "".join(p for p, _, _ in parts)
    folded = norm.translate(_FOLD)
    words = [(m.start(), m.end()) for m in WORD.finditer(folded)]
    keys = [folded[s:e].translate(_QUOTES) for s, e in words]
    marked = len(norm) - len(norm.encode("ascii", "ignore"))
    return Prepared(text, norm, folded, words, keys, _offsets(parts) if moved else None,
                    bare=marked * 50 < max(len(words), 1))


def _offsets(parts: list[tuple[str, int, tuple[int, ...] | None]]) -> list[int]:
    """norm index -> text index, for text whose normalisation changed lengths."""
    offsets: list[int] = []
    for out, begin, starts in parts:
        if starts is None:
            offsets.extend(range(begin, begin + len(out)))
        else:
            offsets.extend(begin + s for s in starts)
    return offsets
