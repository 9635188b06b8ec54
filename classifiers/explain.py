"""Why an item got its tags: the features that pushed each linear model most, and the seed words seen.

A feature's push is its value times the model's weight, so the list is exact
for these models, not an approximation.
"""
from __future__ import annotations

import numpy as np

from classifiers.artifacts import Bundle
from classifiers.classify import tags
from classifiers.features import compose, prepare, seed_matches
from classifiers.predict import score

TOP = 6


def feature_names(bundle: Bundle) -> np.ndarray:
    """Readable names in the featurizer's column order (cached on the bundle)."""
    cached = getattr(bundle, "_feature_names", None)
    if cached is not None:
        return cached
    parts = dict(bundle.featurizer.transformer_list)
    words = [w.replace("_", " ") for w in parts["words"].named_steps["tfidf"].get_feature_names_out()]
    chars = [f"“{c}”" for c in parts["chars"].named_steps["tfidf"].get_feature_names_out()]
    seeds = [f"[từ khóa {name.split(':', 1)[1]}]" for name in parts["seeds"].get_feature_names_out()]
    names = np.asarray(words + chars + seeds, dtype=object)
    bundle._feature_names = names
    return names


def _strongest(x, weights: np.ndarray, names: np.ndarray, top: int = TOP) -> list[str]:
    row = x.tocsr()
    contributions = row.data * weights[row.indices]
    order = np.argsort(-contributions)
    return [names[row.indices[i]] for i in order[:top] if contributions[i] > 0]


def explain(bundle: Bundle, title: str, summary: str = "", text: str = "") -> dict:
    """Tags plus reasons for one item."""
    readable = compose(title, summary, text)
    prepared = prepare(readable)
    scores = score(bundle, [prepared], keep_matrix=True)
    result = tags(bundle, None, scores, 0, readable)
    names, x = feature_names(bundle), scores.X[0]
    edu_sign = 1.0 if result["is_education"] else -1.0
    tone_row = list(bundle.tone.classes_).index(result["tone"])
    reasons = {
        "education": _strongest(x, edu_sign * bundle.education.coef_[0], names),
        "tone": _strongest(x, bundle.tone.coef_[tone_row], names),
        "topics": {},
        "seed_words": {group: sorted(set(found)) for group, found in seed_matches(prepared).items() if found},
        "place_spans": [p["span"] for p in result["places"]],
    }
    for slug in result["topics"]:
        model = bundle.topics.models[bundle.topic_labels.index(slug)]
        if not isinstance(model, float):
            reasons["topics"][slug] = _strongest(x, model.coef_[0], names)
    result["reasons"] = reasons
    return result
