"""Classifier commands: train, eval, classify, label, reclassify."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from monitor.cli import cli

def _open_db_if_exists(obj):
    """The office's labels live in the database; training without one is fine."""
    return obj.store() if Path(obj.db_path).exists() else None


@cli.command()
@click.option("--models", "models_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the artifacts (default data/models, env MONITOR_MODELS).")
@click.pass_obj
def train(obj, models_dir):
    """Rebuild every classifier model from the data and the office's labels.

    Deterministic (fixed seeds); writes a new version under data/models with its
    data hash, date, metrics and scikit-learn version. Example: monitor train
    """
    from classifiers.classify import reset_bundle
    from classifiers.train import rebuild

    click.echo("Đang huấn luyện mô hình phân loại (vài phút)...")
    bundle = rebuild(_open_db_if_exists(obj), models_dir)
    reset_bundle()
    metrics = bundle.meta["metrics"]["annotated"]
    click.echo(f"Đã lưu mô hình {bundle.version}: giáo dục F1 {metrics['education']['f1']:.3f}, "
               f"sắc thái macro-F1 {metrics['tone']['macro_f1']:.3f}, chủ đề micro-F1 {metrics['topics']['micro_f1']:.3f}.")


@cli.command(name="eval")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.pass_obj
def eval_command(obj, as_json):
    """Precision, recall and F1 per task and class on the held-out split.

    Also on the same items with diacritics stripped, on the office's own labels
    and for places. Example: monitor eval
    """
    from classifiers.classify import current_bundle
    from classifiers.data import split
    from classifiers.evaluate import evaluate
    from classifiers.report import render
    from classifiers.train import load_examples

    bundle = current_bundle()
    examples, office = load_examples(_open_db_if_exists(obj))
    result = evaluate(bundle, split(examples)[1], office)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else render(bundle, result))


@cli.command()
@click.argument("text", required=False)
@click.option("--jsonl", is_flag=True, help='Read {"id","title","summary","text"} lines from stdin, write one JSON line each.')
@click.option("--batch", default=256, show_default=True, help="Items scored together with --jsonl.")
def classify(text, jsonl, batch):
    """Tag a text (with reasons), or a stream of items with --jsonl.

    Example: monitor classify "Học sinh lớp 8 bị đánh hội đồng ở Hòa Bình"
    Example: cat items.jsonl | monitor classify --jsonl
    """
    from classifiers.classify import classify_items, current_bundle

    bundle = current_bundle()
    if jsonl:
        _stream(sys.stdin, batch, lambda items: classify_items(items, bundle))
        return
    if not text:
        raise click.UsageError("Cần một đoạn văn bản, hoặc --jsonl.")
    from classifiers.explain import explain
    from classifiers.report import render_tags

    click.echo(render_tags(explain(bundle, text)))


def _stream(lines, size: int, run) -> None:
    """One output line per input line, in order; a line that is not a JSON object is read as empty."""
    pending = []
    for line in lines:
        pending.append(_item(line))
        if len(pending) >= size:
            _emit(run(pending))
            pending = []
    if pending:
        _emit(run(pending))


def _item(line: str) -> dict:
    try:
        value = json.loads(line)
    except ValueError:
        return {"id": None}
    return value if isinstance(value, dict) else {"id": None}


def _emit(results: list[dict]) -> None:
    for result in results:
        click.echo(json.dumps(result, ensure_ascii=False))


@cli.command()
@click.argument("item_id", type=int)
@click.option("--by", "by", required=True, help="Who corrects (name or account).")
@click.option("--education/--not-education", default=None, help="About education or not.")
@click.option("--tone", type=click.Choice(["negative", "neutral", "positive"]), help="The right tone.")
@click.option("--topic", "topics", multiple=True, help="The right topic slug (repeat for several).")
@click.option("--place", "places", multiple=True,
              help='The right place: "PROVINCE" or "PROVINCE/DISTRICT" (2025 province name; repeat).')
@click.option("--no-place", is_flag=True, help="The item names no place.")
@click.option("--note", help="Free text kept with the label.")
@click.pass_obj
def label(obj, item_id, by, education, tone, topics, places, no_place, note):
    """Store a staff correction of an item's tags; the next `monitor train` learns from it.

    Example: monitor label 42 --tone negative --topic fees_finance --by "Nguyễn Văn A"
    """
    from classifiers.labels import add_label

    place_list = [] if no_place else ([_place(p) for p in places] if places else None)
    label_id = add_label(obj.store(), item_id, by, education=education, tone=tone,
                         topics=list(topics) if topics else None, places=place_list, note=note)
    click.echo(f"Đã lưu nhãn #{label_id} cho tin {item_id} (người sửa: {by}). Chạy `monitor train` để mô hình học nhãn này.")


def _place(text: str) -> dict:
    province, _, district = text.partition("/")
    return {"province": province.strip(), "legacy_province": None, "district": district.strip() or None,
            "commune": None, "span": text.strip()}


@cli.command()
@click.pass_obj
def reclassify(obj):
    """Re-tag every stored item with the current models (after `monitor train`).

    Office corrections stay. Example: monitor reclassify
    """
    from classifiers.pipeline import reclassify as run

    done = run(obj.store(), progress=lambda n: click.echo(f"  đã phân loại {n} tin...", err=True))
    click.echo(f"Đã phân loại lại {done} tin.")
