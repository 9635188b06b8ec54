"""Agreement between the first reading and a blind second reading of the same items.

    python scripts/agreement.py data/labels/annotated_agreement.jsonl
    python scripts/agreement.py data/labels/annotated_agreement_tone.jsonl

Prints the figures the annotation guideline reports, so they can be rebuilt.
"""
import argparse
import json
from collections import Counter
from pathlib import Path

from classifiers.data import annotated_files, read_jsonl

LABELS = Path(__file__).resolve().parents[1] / "data" / "labels"


def read(path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in read_jsonl(path)}


def kappa(pairs: list[tuple]) -> float:
    """Cohen's kappa: agreement beyond what the two readers' label frequencies give by chance."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def figures(first: dict[str, dict], second: dict[str, dict]) -> dict:
    ids = [i for i in second if i in first]
    out = {"items": len(ids)}
    pairs = [(first[i]["education"], second[i]["education"]) for i in ids]
    out["education"] = _agree(pairs)
    pairs = [(first[i]["tone"], second[i]["tone"]) for i in ids]
    out["tone, all items"] = _agree(pairs)
    out["negative or not, all items"] = _agree([(a == "negative", b == "negative") for a, b in pairs])
    both = [i for i in ids if first[i]["education"] and second[i]["education"]]
    if both:
        pairs = [(first[i]["tone"], second[i]["tone"]) for i in both]
        out["tone, both call education"] = _agree(pairs)
        sets = [(set(first[i]["topics"]), set(second[i]["topics"])) for i in both]
        out["topics, both call education"] = {
            "items": len(both), "exact_set": round(sum(a == b for a, b in sets) / len(sets), 3),
            "mean_jaccard": round(sum(len(a & b) / len(a | b) for a, b in sets if a | b) / len(sets), 3)}
    return out


def _agree(pairs: list[tuple]) -> dict:
    return {"items": len(pairs), "agreement": round(sum(a == b for a, b in pairs) / len(pairs), 3),
            "kappa": round(kappa(pairs), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("second", type=Path, help="the blind second reading (annotated_agreement*.jsonl)")
    args = parser.parse_args()
    first: dict[str, dict] = {}
    for path in annotated_files(LABELS):
        first.update(read(path))
    print(json.dumps(figures(first, read(args.second)), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
