"""How well find_places agrees with the annotated places (data/labels).

    from classifiers.evaluate_places import score_item, summarize
    rows = [score_item(find_places(text), gold_places) for text, gold_places in items]
    summarize(rows)   # -> {"items_with_places": ..., "province_accuracy": ..., ...}

Figures (over items whose gold has at least one place, unless stated):
- province_accuracy: main_province(pred) is one of the gold provinces.
- province_recall / province_precision: over (item, 2025 province) pairs.
- legacy_accuracy: gold entries with a legacy province found with that legacy province.
- district_accuracy: gold entries with a district found (same province and district).
- district_precision: predicted districts that the gold names.
- false_place_rate: items with no gold place where something was predicted.
Spans are not compared: annotators mark whole phrases ("huyện Lạc Sơn, Hòa Bình").

Run on the dev set: python -m classifiers.evaluate_places [--errors N]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from classifiers.data import annotated_files
from classifiers.text import normalize

LABELS = Path(__file__).resolve().parent.parent / "data" / "labels"


def _district(name: str | None) -> str | None:
    """Compared lowercase, without a unit word annotators sometimes keep ("Quận 8")
    and without apostrophes ("Đắk R'Lấp" = "Đắk Rlấp")."""
    if not name:
        return None
    name = normalize(name).lower()
    for unit in ("quận ", "huyện ", "thị xã ", "thành phố ", "tp "):
        if name.startswith(unit):
            name = name[len(unit):]
            break
    return re.sub(r"[\W_]+", "", name)


def score_item(pred: list[dict], gold: list[dict]) -> dict:
    """Counts for one item; add them up with `summarize`."""
    from classifiers.places import main_province

    gold_p = {g["province"] for g in gold}
    pred_p = {p["province"] for p in pred}
    gold_d = {(g["province"], _district(g.get("district"))) for g in gold if g.get("district")}
    pred_d = {(p["province"], _district(p.get("district"))) for p in pred if p.get("district")}
    gold_l = {(g["province"], g["legacy_province"]) for g in gold if g.get("legacy_province")}
    pred_l = {(p["province"], p.get("legacy_province")) for p in pred}
    return {
        "has_gold": bool(gold), "has_pred": bool(pred),
        "main_ok": bool(gold) and main_province(pred) in gold_p,
        "p_tp": len(gold_p & pred_p), "p_gold": len(gold_p), "p_pred": len(pred_p),
        "d_tp": len(gold_d & pred_d), "d_gold": len(gold_d), "d_pred": len(pred_d),
        "l_tp": len(gold_l & pred_l), "l_gold": len(gold_l),
    }


def summarize(rows: list[dict]) -> dict:
    """Totals of score_item rows (see the module docstring)."""
    def total(key: str, only_gold: bool = True) -> int:
        return sum(r[key] for r in rows if r["has_gold"] or not only_gold)

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 4) if b else None

    with_gold = sum(1 for r in rows if r["has_gold"])
    without = [r for r in rows if not r["has_gold"]]
    return {
        "items": len(rows), "items_with_places": with_gold,
        "province_accuracy": ratio(total("main_ok"), with_gold),
        "province_recall": ratio(total("p_tp"), total("p_gold")),
        "province_precision": ratio(total("p_tp"), total("p_pred")),
        "legacy_accuracy": ratio(total("l_tp"), total("l_gold")),
        "district_accuracy": ratio(total("d_tp"), total("d_gold")),
        "district_precision": ratio(total("d_tp", False), total("d_pred", False)),
        "false_place_rate": ratio(sum(r["has_pred"] for r in without), len(without)),
    }


def load_dev(labels: Path = LABELS) -> list[tuple[str, str, list[dict]]]:
    """(id, title + summary, gold places) for every annotated row whose round read places."""
    texts = {}
    for pool in sorted(labels.glob("pool_*.jsonl")):
        for line in pool.read_text("utf-8").splitlines():
            row = json.loads(line)
            texts[row["id"]] = "\n".join(x for x in (row.get("title"), row.get("summary")) if x)
    items = []
    for part in annotated_files(labels):
        for line in part.read_text("utf-8").splitlines():
            row = json.loads(line)
            if row["id"] in texts and row.get("places") is not None:  # null: places not read
                items.append((row["id"], texts[row["id"]], row["places"]))
    return items


def main(argv: list[str] | None = None) -> int:
    from classifiers.places import find_places

    parser = argparse.ArgumentParser(description="Score find_places on the annotated dev set.")
    parser.add_argument("--errors", type=int, default=0, help="print up to N disagreeing items")
    args = parser.parse_args(argv)
    items = load_dev()
    find_places("Trường Đại học Bách khoa Hà Nội")   # load the index before timing
    started = time.perf_counter()
    preds = [find_places(text) for _, text, _ in items]
    elapsed = time.perf_counter() - started
    rows = [score_item(p, gold) for p, (_, _, gold) in zip(preds, items)]
    report = summarize(rows) | {"items_per_second": round(len(items) / elapsed)}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    shown = 0
    for (item_id, text, gold), pred, row in zip(items, preds, rows):
        bad = (row["has_gold"] and not row["main_ok"]) or row["d_tp"] < row["d_gold"] \
            or row["p_pred"] > row["p_tp"] or row["d_pred"] > row["d_tp"]
        if bad and shown < args.errors:
            shown += 1
            print(f"\n{item_id}: {text[:300]!r}", file=sys.stderr)
            print("  gold:", [(g['province'], g.get('legacy_province'), g.get('district'), g.get('span')) for g in gold], file=sys.stderr)
            print("  pred:", [(p['province'], p['legacy_province'], p['district'], p['commune'], p['span']) for p in pred], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
