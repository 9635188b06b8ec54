"""Scores and decisions for a batch of prepared texts: the numeric core shared by classify, eval and train.

One sparse matrix is built for the whole batch and each model scores it in
one call; that, not the per-item loop, is where batching pays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from classifiers.artifacts import Bundle
from classifiers.features import Prepared


@dataclass
class Scores:
    education: np.ndarray          # (n,) P(education)
    tone: np.ndarray               # (n, 3) in bundle.tone.classes_ order
    topics: np.ndarray             # (n, len(topic_labels))
    X: object = None               # the feature matrix, kept for explanations


def score(bundle: Bundle, prepared: list[Prepared], keep_matrix: bool = False) -> Scores:
    if not prepared:
        empty = np.zeros((0,))
        return Scores(empty, np.zeros((0, 3)), np.zeros((0, len(bundle.topic_labels))))
    X = bundle.featurizer.transform(prepared)
    education = bundle.education.predict_proba(X)[:, list(bundle.education.classes_).index(True)]
    return Scores(education, bundle.tone.predict_proba(X), _topic_proba(bundle, X), X if keep_matrix else None)


def _topic_proba(bundle: Bundle, X) -> np.ndarray:
    return bundle.topics.predict_proba(X)


class TopicModel:
    """One balanced logistic regression per topic; a topic never seen in training scores 0.

    (OneVsRestClassifier would refuse a column without positives, and tiny
    training sets, such as the tests' or early labelling rounds', have some.)
    """

    def __init__(self, C: float = 10.0):
        self.C = C
        self.models: list = []

    def fit(self, X, Y, sample_weight=None):
        self.models = []
        for j in range(Y.shape[1]):
            column = Y[:, j]
            if column.min() == column.max():
                self.models.append(float(column[0]) if len(column) else 0.0)
                continue
            model = LogisticRegression(C=self.C, max_iter=3000, tol=1e-3, class_weight="balanced")
            self.models.append(model.fit(X, column, sample_weight=sample_weight))
        return self

    def predict_proba(self, X) -> np.ndarray:
        out = np.zeros((X.shape[0], len(self.models)))
        for j, model in enumerate(self.models):
            out[:, j] = model if isinstance(model, float) else model.predict_proba(X)[:, 1]
        return out


def is_education(bundle: Bundle, p: float) -> bool:
    return bool(p >= bundle.thresholds.get("education", 0.5))


def tone_of(bundle: Bundle, row: np.ndarray) -> tuple[str, float]:
    """(tone, P(negative)): negative once P(negative) passes its tuned threshold, else the likelier other tone."""
    classes = list(bundle.tone.classes_)
    negative = float(row[classes.index("negative")])
    if negative >= bundle.thresholds.get("negative", 0.5):
        return "negative", negative
    others = [(row[i], c) for i, c in enumerate(classes) if c != "negative"]
    return max(others)[1], negative


MAX_TOPICS = 3


def topics_of(bundle: Bundle, row: np.ndarray) -> list[str]:
    """Topics past their own threshold, strongest first (at most three); else the single strongest."""
    labels = bundle.topic_labels
    passed = [(row[i], s) for i, s in enumerate(labels) if row[i] >= bundle.thresholds.get(f"topic:{s}", 0.5)]
    if not passed:
        return [labels[int(np.argmax(row))]] if len(row) else ["other"]
    chosen = [s for _, s in sorted(passed, reverse=True)[:MAX_TOPICS]]
    if len(chosen) > 1 and "other" in chosen:
        chosen.remove("other")  # 'other' means none of the named topics fits
    return chosen
