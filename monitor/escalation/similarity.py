"""Text -> MinHash signature (datasketch), and back from the bytes we store.

Shingles are the syllables and syllable pairs of the title and the lead,
folded to lower case without tone marks (some outlets drop them), with a few
function words left out so that two unrelated education headlines do not
look alike for sharing "học sinh" and "của".
"""
from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np
from datasketch import LeanMinHash, MinHash

# Pinned, because signatures are stored: changing any of these needs a migration that recomputes them.
SCHEME = "affine32"  # datasketch's default permutation scheme since 2.0
SEED = 1
HASH = zlib.crc32    # stable across processes and about twice as fast as datasketch's default SHA-1
LEAD_CHARS = 400
_WORD = re.compile(r"\w+", re.UNICODE)
_MARKS = {code: None for code in range(0x300, 0x370)}  # combining diacritics, dropped after NFD
STOPWORDS = frozenset(
    "va cua la co cho voi cac nhung mot duoc bi tai trong khi da dang se nay do thi ma de tu den ve "
    "ra vao len o nhu sau truoc theo tren duoi hay hon rat cung con van".split()
)


def shingles(title: str, summary: str = "") -> set[bytes]:
    """Syllables (minus function words) and adjacent syllable pairs of title + lead."""
    text = f"{title or ''} {(summary or '')[:LEAD_CHARS]}".lower()
    # Without tone marks the old/new mark placements ("hoà"/"hòa") and mark-less text agree.
    bare = unicodedata.normalize("NFD", text).translate(_MARKS).replace("đ", "d")
    words = _WORD.findall(bare)
    out = {w.encode() for w in words if w not in STOPWORDS and len(w) > 1}
    out.update(f"{a} {b}".encode() for a, b in zip(words, words[1:]))
    return out or {b"\x00empty"}


def signature(title: str, summary: str = "", num_perm: int = 64) -> LeanMinHash:
    minhash = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME, hashfunc=HASH)
    minhash.update_batch(list(shingles(title, summary)))
    return LeanMinHash(minhash)


def signatures(texts: list[tuple[str, str]], num_perm: int = 64) -> list[tuple[LeanMinHash, int]]:
    """(signature, number of shingles) for many texts at once (datasketch's bulk path is several times faster)."""
    sets = [list(shingles(title, summary)) for title, summary in texts]
    hashes = MinHash.bulk(sets, num_perm=num_perm, seed=SEED, scheme=SCHEME, hashfunc=HASH)
    return [(LeanMinHash(m), len(s)) for m, s in zip(hashes, sets)]


def to_bytes(minhash: LeanMinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(data, dtype="<u4").astype(np.uint32), scheme=SCHEME)


def similarity(a: LeanMinHash, b: LeanMinHash) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(a.hashvalues == b.hashvalues)) / len(a.hashvalues)


def containment(a: LeanMinHash, size_a: int, b: LeanMinHash, size_b: int) -> float:
    """Estimated share of the smaller set found in the larger one.

    A headline alone against a headline with its lead has a low Jaccard
    similarity however alike they are; containment does not punish the
    difference in length. From Jaccard J: |A and B| = J (|A| + |B|) / (1 + J).
    """
    jaccard = similarity(a, b)
    if not size_a or not size_b:
        return jaccard
    return min(1.0, jaccard * (size_a + size_b) / ((1 + jaccard) * min(size_a, size_b)))
