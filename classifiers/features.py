"""From an item's fields to what the models read, and the shared feature extractor.

An item becomes a ``Prepared`` triple: segmented words (with diacritics as
typed), the same text without diacritics (for character n-grams, which survive
text typed without tone marks) and the plain lower-cased text (for seed words).
Only the start of a long body is read: the title and the lede carry the story,
and segmenting whole articles would cost more than it tells.
"""
from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from classifiers.taxonomy import EDUCATION_SEEDS, NEGATIVE_SEEDS, POSITIVE_SEEDS, SEEDS
from classifiers.text import clean, expand_abbreviations, segment, strip_diacritics

LEAD_CHARS = 1200  # body characters the models read after title and summary
_RAW_CAP = 4 * LEAD_CHARS  # cut before cleaning, so 1 MB of text costs no more than a short article


class Prepared(NamedTuple):
    words: str   # 'học_sinh trường trung_học_cơ_sở ...'
    bare: str    # 'hoc sinh truong trung hoc co so ...'
    plain: str   # 'học sinh trường trung học cơ sở ...'


def compose(title: str | None, summary: str | None = "", text: str | None = "", lead_chars: int = LEAD_CHARS) -> str:
    """The readable text a model judges: title, summary and the lede of the body."""
    body = clean((text or "")[:_RAW_CAP])[:lead_chars]
    parts = [clean((title or "")[:_RAW_CAP]), clean((summary or "")[:_RAW_CAP])[:lead_chars], body]
    return " . ".join(p for p in parts if p)


def prepare(readable: str) -> Prepared:
    expanded = expand_abbreviations(readable)
    plain = expanded.lower()
    return Prepared(segment(expanded), strip_diacritics(plain), plain)


def prepare_item(item: dict, lead_chars: int = LEAD_CHARS) -> Prepared:
    return prepare(compose(item.get("title"), item.get("summary"), item.get("text"), lead_chars))


_VIETNAMESE_MARKED = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


def has_diacritics(text: str) -> bool:
    return _VIETNAMESE_MARKED.search(text) is not None


class SeedCounts(BaseEstimator, TransformerMixin):
    """scale * log(1 + count) of each seed group's words: topic seeds, education, trouble and praise words.

    The scale lets a group weigh in under the same L2 penalty as thousands of
    rare words: one learnt weight generalises to every word of the list.

    Text with diacritics is matched against the seeds as written; text without
    any is matched against the seeds stripped ("tát" must not match "tất").
    """

    def __init__(self, scale: float = 3.0):
        self.scale = scale

    def fit(self, X, y=None):
        self.groups_ = tuple(SEED_GROUPS)  # the columns are fixed at fit time, whatever the lists become
        return self

    def _groups(self) -> tuple:
        return getattr(self, "groups_", tuple(SEED_GROUPS))

    def transform(self, X):
        scale, groups = self.scale, self._groups()
        rows = []
        for p in X:
            found = seed_matches(p)
            rows.append([scale * np.log1p(len(found.get(g, ()))) for g in groups])
        return sparse.csr_matrix(np.asarray(rows, dtype=np.float64).reshape(len(X), len(groups)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"seed:{name}" for name in self._groups()], dtype=object)


SEED_GROUPS = {**{slug: words for slug, words in SEEDS.items() if words},
               "education": EDUCATION_SEEDS, "negative": NEGATIVE_SEEDS, "positive": POSITIVE_SEEDS}


def _pattern(words) -> re.Pattern:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_MARKED = {name: _pattern(words) for name, words in SEED_GROUPS.items()}
_BARE = {name: _pattern({strip_diacritics(w) for w in words}) for name, words in SEED_GROUPS.items()}


def seed_matches(prepared: Prepared) -> dict[str, list[str]]:
    """Seed words found in the text, per group (used as features and shown as reasons)."""
    if has_diacritics(prepared.plain):
        return {name: pattern.findall(prepared.plain) for name, pattern in _MARKED.items()}
    return {name: pattern.findall(prepared.bare) for name, pattern in _BARE.items()}


def words_of(X):
    return [p.words for p in X]


def bare_of(X):
    return [p.bare for p in X]


def build_featurizer(max_words: int = 40000, max_chars: int = 40000) -> FeatureUnion:
    """Segmented word 1-2-grams + diacritic-free character 2-5-grams + seed counts, all sparse."""
    words = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), min_df=2, max_df=0.5,
                            sublinear_tf=True, max_features=max_words, dtype=np.float32)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_df=0.7,
                            sublinear_tf=True, max_features=max_chars, dtype=np.float32)
    return FeatureUnion([
        ("words", Pipeline([("select", FunctionTransformer(words_of)), ("tfidf", words)])),
        ("chars", Pipeline([("select", FunctionTransformer(bare_of)), ("tfidf", chars)])),
        ("seeds", SeedCounts()),
    ])
