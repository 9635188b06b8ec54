"""The office's corrections: stored with who and when, laid over the tags, learnt by the next training."""
import json

import pytest

from classifiers.data import load_annotated
from classifiers.labels import LabelError, add_label, office_examples
from classifiers.predict import score, tone_of
from classifiers.features import compose, prepare
from classifiers.train import TrainConfig, train

TINY = TrainConfig(max_words=3000, max_chars=3000, folds=2)
ITEM = {"title": "Nhà trường tổ chức buổi họp phụ huynh đầu năm học",
        "summary": "Buổi họp bàn về kế hoạch năm học mới và các khoản đóng góp"}


def _item(db, **fields) -> int:
    db["sources"].insert({"name": "test", "url": "https://example.org/rss", "kind": "rss", "reach": "national",
                          "created_at": "2025-01-01T00:00:00+00:00"}, ignore=True)
    row = {"source": "test", "guid": fields.get("title", "x"), "url": None, "fetched_at": "2025-01-01T00:00:00+00:00",
           "updated_at": "2025-01-01T00:00:00+00:00", "content_hash": "h", **fields}
    return db["items"].insert(row).last_pk


def test_label_is_stored_with_who_and_when_and_applied(db):
    item_id = _item(db, **ITEM)
    label_id = add_label(db, item_id, "Nguyễn Văn A", tone="negative", topics=["fees_finance"])
    row = db["labels"].get(label_id)
    assert row["labelled_by"] == "Nguyễn Văn A" and row["labelled_at"] and row["tone"] == "negative"
    item = db["items"].get(item_id)
    assert item["tone"] == "negative" and json.loads(item["topics"]) == ["fees_finance"] and item["is_education"] == 1


def test_later_correction_of_a_field_wins(db):
    item_id = _item(db, **ITEM)
    add_label(db, item_id, "A", tone="negative")
    add_label(db, item_id, "B", tone="neutral", places=[{"province": "Nghệ An"}])
    [example] = office_examples(db)
    assert example.tone == "neutral" and example.places[0]["province"] == "Nghệ An" and example.kind == "office"


@pytest.mark.parametrize("kwargs", [{"tone": "angry"}, {"topics": ["weather"]}, {}, {"places": [{"district": "X"}]}])
def test_invalid_corrections_are_refused(db, kwargs):
    item_id = _item(db, **ITEM)
    with pytest.raises(LabelError):
        add_label(db, item_id, "A", **kwargs)


def test_unknown_item_is_refused(db):
    with pytest.raises(LabelError):
        add_label(db, 999, "A", tone="negative")


def test_correction_is_trained_on_and_changes_the_answer(db):
    """A tiny model on real annotated items, then the same with one office correction."""
    annotated = [e for e in load_annotated() if e.origin == "dantri_2025_8cat"][:160]
    item_id = _item(db, **ITEM)
    before = train(annotated, TINY)
    add_label(db, item_id, "Trần Thị B", tone="negative", topics=["fees_finance"])
    office = office_examples(db)
    after = train(annotated + office, TINY)
    assert before.meta["counts"]["office_labels"] == 0
    assert after.meta["counts"]["office_labels"] == 1
    assert after.meta["office_label_ids"] == [int(office[0].id.split("-")[1])]
    prepared = [prepare(compose(ITEM["title"], ITEM["summary"]))]
    neg_before = tone_of(before, score(before, prepared).tone[0])[1]
    neg_after = tone_of(after, score(after, prepared).tone[0])[1]
    assert neg_after > neg_before


def test_label_command(db, tmp_path):
    from click.testing import CliRunner

    from monitor.cli import cli

    item_id = _item(db, **ITEM)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "test.db"), "label", str(item_id), "--tone", "negative",
                                      "--topic", "fees_finance", "--place", "Nghệ An/Quỳnh Lưu", "--by", "Phạm D"])
    assert result.exit_code == 0, result.output
    [example] = office_examples(db)
    assert example.topics == ("fees_finance",) and example.places[0]["district"] == "Quỳnh Lưu"
    bad = CliRunner().invoke(cli, ["--db", str(tmp_path / "test.db"), "label", "999", "--tone", "negative", "--by", "X"])
    assert bad.exit_code == 1 and "999" in bad.output and "Traceback" not in bad.output


def test_training_is_deterministic():
    annotated = [e for e in load_annotated() if e.origin == "vnexpress_titles_8cat"][:120]
    first, second = train(annotated, TINY), train(annotated, TINY)
    assert first.meta["data_hash"] == second.meta["data_hash"] and first.version == second.version
    assert first.thresholds == second.thresholds
    assert (first.education.coef_ == second.education.coef_).all()
    assert (first.tone.coef_ == second.tone.coef_).all()
