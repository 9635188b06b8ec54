"""Classifier speed on one core: items/s for title+summary and for full articles, model load time, peak memory.

Each figure is measured against a baseline in the same run: the same models
called one item at a time with the segmentation cache switched off. The
optimised path scores items in batches with a cold cache (new items), and
again with a warm cache (the same items re-tagged, as `monitor reclassify`
does for updated items within one process).

    .venv/bin/python bench/bench_classify.py [--short 600] [--full 150]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def load_items(short: int, full: int) -> tuple[list[dict], list[dict]]:
    from classifiers.data import lead, read_jsonl, shared_data_dir

    shared = shared_data_dir()
    danes = read_jsonl(shared / "sentiment" / "danes_news_sentiment_topic.jsonl")
    dantri = read_jsonl(shared / "news" / "dantri_2025_8cat.jsonl")
    short_items = [{"id": r["id"], "title": r["title"], "summary": r.get("summary") or ""} for r in danes[: short // 2]]
    short_items += [{"id": r["id"], "title": r["title"], "summary": "; ".join(r.get("keywords") or [])}
                    for r in dantri[: short - len(short_items)]]
    articles = [r for r in read_jsonl(shared / "news" / "vietnam_news_2016_multisource.jsonl.gz") if len(r["text"]) > 1500]
    full_items = [{"id": r["id"], "title": r["title"], "summary": "", "text": lead(r["text"])} for r in articles[:full]]
    return short_items, full_items


def rate(run, items) -> float:
    started = time.perf_counter()
    run(items)
    return len(items) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", type=int, default=600)
    parser.add_argument("--full", type=int, default=150)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()

    started = time.perf_counter()
    from classifiers import artifacts, features  # noqa: F401  (scikit-learn, scipy, numpy)
    imported = time.perf_counter()
    bundle = artifacts.load()
    load_seconds, import_seconds = time.perf_counter() - imported, imported - started

    from classifiers import text as T
    from classifiers.classify import classify_items

    short_items, full_items = load_items(args.short, args.full)
    cached = T._segment_sentence
    classify_items(short_items[:5], bundle)  # load underthesea and the place gazetteer before timing

    def baseline(items):
        T._segment_sentence = cached.__wrapped__
        try:
            for item in items:
                classify_items([item], bundle)
        finally:
            T._segment_sentence = cached

    def batched(items):
        for start in range(0, len(items), args.batch):
            classify_items(items[start:start + args.batch], bundle)

    figures = []
    for name, items in (("tiêu đề + tóm tắt", short_items), ("toàn văn", full_items)):
        base = rate(baseline, items)
        cached.cache_clear()
        cold = rate(batched, items)
        warm = rate(batched, items)
        figures.append((name, len(items), base, cold, warm))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Mô hình {bundle.version}: nạp tệp {load_seconds:.2f} s (+ {import_seconds:.2f} s nạp thư viện); "
          f"bộ nhớ đỉnh {peak:.0f} MB (1 nhân CPU)")
    print(f"{'loại tin':<20}{'số tin':>7}{'gốc (tin/s)':>14}{'lô, cache lạnh':>17}{'lô, cache ấm':>15}")
    for name, n, base, cold, warm in figures:
        print(f"{name:<20}{n:>7}{base:>14.0f}{cold:>17.0f}{warm:>15.0f}")


if __name__ == "__main__":
    sys.exit(main())
