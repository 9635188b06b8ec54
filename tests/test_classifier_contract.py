"""The `monitor classify --jsonl` contract on the shipped model, and inputs that must never raise."""
import json

import pytest
from click.testing import CliRunner

from classifiers.taxonomy import TOPICS
from monitor.cli import cli

KEYS = {"id", "education", "is_education", "tone", "negative", "topics", "topic_scores", "places", "schools"}
PLACE_KEYS = {"province", "legacy_province", "district", "commune", "span"}

BAD_INPUTS = {
    "empty": {"id": "e", "title": "", "summary": "", "text": ""},
    "no_fields": {"id": "n"},
    "emoji": {"id": "m", "title": "😀😀🔥🔥🎉", "summary": "👍"},
    "english": {"id": "en", "title": "Stock markets rally as inflation cools", "summary": "Investors cheered."},
    "huge": {"id": "h", "title": "Học sinh", "text": "trường học an toàn " * 55000},
    "html": {"id": "x", "title": "<div><script>alert(1)</script><b>Trường &amp; lớp</b></div>", "summary": "<br/><p>"},
    "mixed_scripts": {"id": "mx", "title": "学校 школа học sinh مدرسة", "summary": "Ελληνικά"},
    "no_diacritics": {"id": "nd", "title": "Hoc sinh lop 8 bi danh hoi dong tai truong THCS o Hoa Binh"},
    "numbers": {"id": 7, "title": 12345, "summary": None, "text": ["not", "a", "string"]},
}


def _run(lines: list[str]) -> list[dict]:
    result = CliRunner().invoke(cli, ["classify", "--jsonl"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def _check_contract(row: dict) -> None:
    assert set(row) == KEYS
    assert 0.0 <= row["education"] <= 1.0 and isinstance(row["is_education"], bool)
    assert row["tone"] in ("negative", "neutral", "positive") and 0.0 <= row["negative"] <= 1.0
    assert set(row["topics"]) <= set(TOPICS)
    assert set(row["topic_scores"]) == set(TOPICS)
    assert all(0.0 <= p <= 1.0 for p in row["topic_scores"].values())
    for place in row["places"]:
        assert set(place) == PLACE_KEYS and place["province"]
    assert all(isinstance(s, str) for s in row["schools"])


def test_one_line_out_per_line_in_with_the_contract():
    items = [
        {"id": "a1", "title": "Học sinh lớp 8 bị đánh hội đồng ở huyện Lạc Sơn, Hòa Bình",
         "summary": "Nhóm nữ sinh trường THCS quay clip đánh bạn"},
        {"id": "a2", "title": "Giá vàng hôm nay tăng mạnh"},
        {"title": "Thí sinh thi tốt nghiệp THPT 2025"},
    ]
    rows = _run([json.dumps(i, ensure_ascii=False) for i in items])
    assert [r["id"] for r in rows] == ["a1", "a2", None]
    for row in rows:
        _check_contract(row)
    assert rows[0]["is_education"] and rows[0]["tone"] == "negative"
    assert "school_violence" in rows[0]["topics"]
    assert any(p["province"] == "Phú Thọ" and p["legacy_province"] == "Hòa Bình" for p in rows[0]["places"])
    assert not rows[1]["is_education"] and rows[1]["topics"] == []


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gives_a_result(name):
    [row] = _run([json.dumps(BAD_INPUTS[name], ensure_ascii=False)])
    _check_contract(row)
    if name in ("empty", "no_fields", "emoji", "english"):
        assert not row["is_education"]


def test_a_line_that_is_not_json_still_gets_a_line():
    rows = _run(["{not json", "[1, 2]", json.dumps({"id": "ok", "title": "Trường học"}, ensure_ascii=False)])
    assert len(rows) == 3 and rows[2]["id"] == "ok"


def test_no_diacritics_is_still_education():
    [row] = _run([json.dumps(BAD_INPUTS["no_diacritics"])])
    assert row["is_education"]


def test_classify_text_prints_reasons():
    result = CliRunner().invoke(cli, ["classify", "Phụ huynh bức xúc vì lạm thu đầu năm học ở trường tiểu học tại Nghệ An"])
    assert result.exit_code == 0, result.output
    assert "Giáo dục: CÓ" in result.output and "vì:" in result.output
    assert "Nghệ An" in result.output
