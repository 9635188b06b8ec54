"""Precision, recall and F1 per task and per class on examples the models never trained on.

The held-out split is fixed by id hash (classifiers.data.split). Each task is
scored only where the example has that label: tone and topics on items the
annotators call education, education on every item. The same examples are
scored again with diacritics stripped, and places are scored with the
locality matcher against the annotated places.
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from classifiers.artifacts import Bundle
from classifiers.data import Example
from classifiers.evaluate_places import score_item, summarize
from classifiers.features import compose, prepare
from classifiers.places import find_places
from classifiers.predict import is_education, score, tone_of, topics_of
from classifiers.taxonomy import DOMAIN_TOPICS, TONES
from classifiers.text import strip_diacritics


def report(bundle: Bundle, examples: list[Example], stripped: bool = False) -> dict:
    """Per-task figures for these examples (tasks without labels are left out)."""
    texts = [compose(e.title, e.summary, e.text) for e in examples]
    if stripped:
        texts = [strip_diacritics(t) for t in texts]
    scores = score(bundle, [prepare(t) for t in texts])
    out = {}
    edu_idx = [i for i, e in enumerate(examples) if e.education is not None]
    if edu_idx:
        truth = [bool(examples[i].education) for i in edu_idx]
        pred = [is_education(bundle, scores.education[i]) for i in edu_idx]
        out["education"] = _per_class(truth, pred, [True, False], names=["education", "not_education"])
        out["education"]["f1"] = out["education"]["classes"]["education"]["f1"]
    tone_idx = [i for i, e in enumerate(examples) if e.tone in TONES and e.education is not False]
    if tone_idx:
        truth = [examples[i].tone for i in tone_idx]
        pred = [tone_of(bundle, scores.tone[i])[0] for i in tone_idx]
        out["tone"] = _per_class(truth, pred, list(TONES))
        negative = scores.tone[tone_idx, list(bundle.tone.classes_).index("negative")]
        out["tone"]["negative_curve"] = _curve(np.array(truth) == "negative", negative)
    topic_idx = [i for i, e in enumerate(examples) if e.topics and e.education is not False]
    if topic_idx:
        truth = [set(examples[i].topics) for i in topic_idx]
        pred = [set(topics_of(bundle, scores.topics[i])) for i in topic_idx]
        out["topics"] = _multilabel(truth, pred, bundle.topic_labels)
    return out


CURVE = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def _curve(truth: np.ndarray, proba: np.ndarray) -> list[dict]:
    """Negative precision and recall at other thresholds: the trade-off an alert rule can pick from."""
    points = []
    for t in CURVE:
        pred = proba >= t
        points.append({"threshold": t, "precision": round(float((truth & pred).sum() / pred.sum()), 4) if pred.sum() else None,
                       "recall": round(float((truth & pred).sum() / truth.sum()), 4) if truth.sum() else None})
    return points


def _per_class(truth, pred, labels, names=None) -> dict:
    p, r, f, n = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    names = names or labels
    classes = {str(name): _prf(p[i], r[i], f[i], n[i]) for i, name in enumerate(names)}
    present = [i for i in range(len(labels)) if n[i] > 0]
    return {"n": len(truth), "classes": classes,
            "macro_f1": round(float(np.mean([f[i] for i in present])), 4) if present else None,
            "accuracy": round(float(np.mean([a == b for a, b in zip(truth, pred)])), 4)}


def _multilabel(truth: list[set], pred: list[set], labels: list[str]) -> dict:
    classes, tp_all, fp_all, fn_all = {}, 0, 0, 0
    for slug in labels:
        tp = sum(slug in t and slug in p for t, p in zip(truth, pred))
        fp = sum(slug not in t and slug in p for t, p in zip(truth, pred))
        fn = sum(slug in t and slug not in p for t, p in zip(truth, pred))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        classes[slug] = _prf(prec, rec, f1, tp + fn)
    prec = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    rec = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    below = [s for s in DOMAIN_TOPICS if s in classes and classes[s]["support"] and classes[s]["f1"] < 0.6]
    return {"n": len(truth), "classes": classes, "micro_precision": round(prec, 4), "micro_recall": round(rec, 4),
            "micro_f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
            "topics_below_0.60": below}


def _prf(p, r, f, n) -> dict:
    return {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4), "support": int(n)}


def locality(examples: list[Example]) -> dict:
    """The place matcher against annotated places, on the text the annotators read."""
    rows = [score_item(find_places(compose(e.title, e.summary)), list(e.places or ()))
            for e in examples if e.places is not None and e.kind == "annotated"]
    return summarize(rows)


def evaluate(bundle: Bundle, test: list[Example], office: list[Example] = ()) -> dict:
    """The full held-out report `monitor eval` prints and `monitor train` stores in the metadata."""
    annotated = [e for e in test if e.kind == "annotated"]
    news = [e for e in annotated if not e.origin.startswith("uit_vsfc")]
    sections = [e for e in test if e.kind != "annotated" and e.education is not None]
    result = {
        "annotated": report(bundle, annotated),
        "annotated_stripped": report(bundle, annotated, stripped=True),
        "annotated_news_only": report(bundle, news),
        "education_annotated_plus_sections": report(bundle, annotated + [_education_only(e) for e in sections]).get(
            "education"),
        "sections_only": report(bundle, [_education_only(e) for e in sections]).get("education"),
        "locality": locality(annotated),
        "held_out": {"annotated": len(annotated), "news": len(news), "sections": len(sections)},
    }
    result["office"] = office_report(bundle, list(office))
    return result


def office_report(bundle: Bundle, office: list[Example]) -> dict:
    """The office's corrections scored apart: those this model never trained on, and all of them."""
    trained = set(bundle.meta.get("office_label_ids", []))
    unseen = [e for e in office if int(e.id.split("-")[1]) not in trained]
    return {"labels": len(office), "unseen_by_model": len(unseen),
            "all": report(bundle, office) if office else {},
            "unseen": report(bundle, unseen) if unseen else {}}


def _education_only(e: Example) -> Example:
    from dataclasses import replace

    return replace(e, tone=None, topics=None)
