"""Tagging stored items with the shipped model: pending items, re-classification, office corrections kept."""
import json

from classifiers.labels import add_label
from classifiers.pipeline import classify_pending, reclassify
from tests.test_classifier_labels import _item

VIOLENCE = {"title": "Nữ sinh lớp 8 bị đánh hội đồng ở huyện Lạc Sơn, Hòa Bình",
            "summary": "Nhóm học sinh trường THCS quay clip đánh bạn rồi tung lên mạng"}
GOLD = {"title": "Giá vàng hôm nay tăng mạnh", "summary": "Giá vàng miếng SJC tăng 500.000 đồng"}


def test_pending_items_are_tagged_once(db):
    first, second = _item(db, **VIOLENCE), _item(db, **GOLD)
    assert sorted(classify_pending(db)) == [first, second]
    assert classify_pending(db) == []
    row = db["items"].get(first)
    assert row["is_education"] == 1 and row["tone"] == "negative" and row["model_version"]
    assert "school_violence" in json.loads(row["topics"])
    assert row["province"] == "Phú Thọ"
    assert json.loads(row["topic_scores"]) and row["classified_at"]
    assert db["items"].get(second)["is_education"] == 0


def test_reclassify_keeps_office_corrections(db):
    item_id = _item(db, **GOLD)
    classify_pending(db)
    add_label(db, item_id, "Lê Văn C", education=True, tone="negative", topics=["fees_finance"])
    assert reclassify(db) == 1
    row = db["items"].get(item_id)
    assert row["is_education"] == 1 and row["tone"] == "negative" and json.loads(row["topics"]) == ["fees_finance"]


def test_eval_scores_office_labels_apart(db):
    from classifiers.classify import current_bundle
    from classifiers.evaluate import office_report
    from classifiers.labels import office_examples

    item_id = _item(db, **GOLD)
    add_label(db, item_id, "Lê Văn C", education=True, tone="negative")
    result = office_report(current_bundle(), office_examples(db))
    assert result["labels"] == 1 and result["unseen_by_model"] == 1
    assert result["unseen"]["education"]["n"] == 1 and result["unseen"]["tone"]["n"] == 1
