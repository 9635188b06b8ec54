"""Annotated labels as training and evaluation read them."""
import json

from classifiers.data import Example, load_annotated
from classifiers.evaluate import locality
from classifiers.evaluate_places import load_dev


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def test_rows_that_did_not_read_places_are_not_scored_for_places(tmp_path):
    _write(tmp_path / "pool_a.jsonl", [
        {"id": "n1", "origin": "x", "title": "Học sinh lớp 6 ở Hà Nội bị bạo lực", "summary": ""},
        {"id": "n2", "origin": "x", "title": "Giá vàng hôm nay tại Đà Nẵng", "summary": ""},
        {"id": "n3", "origin": "x", "title": "Bão đổ bộ vào Quảng Ngãi", "summary": ""},
    ])
    _write(tmp_path / "annotated_a.jsonl", [
        {"id": "n1", "origin": "x", "education": True, "tone": "negative", "topics": ["school_violence"],
         "places": [{"province": "Thành phố Hà Nội", "legacy_province": None, "district": None, "span": "Hà Nội"}]},
        {"id": "n2", "origin": "x", "education": False, "tone": "neutral", "topics": [], "places": []},
        {"id": "n3", "origin": "x", "education": False, "tone": "negative", "topics": [], "places": None},
    ])
    examples = {e.id: e for e in load_annotated(tmp_path)}
    assert examples["n1"].places[0]["span"] == "Hà Nội"
    assert examples["n2"].places == ()
    assert examples["n3"].places is None and examples["n3"].tone == "negative"
    assert [item_id for item_id, _, _ in load_dev(tmp_path)] == ["n1", "n2"]
    scored = locality(list(examples.values()))
    # n2 names a place the annotator did not count, so it is scored (a false place); n3 is not scored at all.
    assert scored == locality([examples["n1"], examples["n2"]])
    assert scored != locality([examples["n1"], examples["n2"], Example("n3", "x", "Bão đổ bộ vào Quảng Ngãi",
                                                                     places=(), kind="annotated")])


def test_pools_past_the_alphabet_are_read_and_blind_second_readings_are_not(tmp_path):
    _write(tmp_path / "pool_z.jsonl", [{"id": "z1", "origin": "x", "title": "Học sinh đi học lại sau lũ"}])
    _write(tmp_path / "pool_r8a.jsonl", [{"id": "r1", "origin": "x", "title": "Thầy giáo bị tố đánh học sinh"}])
    _write(tmp_path / "annotated_z.jsonl", [{"id": "z1", "education": True, "tone": "neutral", "topics": ["other"]}])
    _write(tmp_path / "annotated_r8a.jsonl", [{"id": "r1", "education": True, "tone": "negative",
                                               "topics": ["teacher_conduct"]}])
    _write(tmp_path / "annotated_agreement_rss.jsonl", [{"id": "r1", "education": False, "tone": "neutral"}])
    examples = {e.id: e for e in load_annotated(tmp_path)}
    assert set(examples) == {"z1", "r1"}
    assert examples["r1"].education is True and examples["r1"].tone == "negative"


def test_a_revised_reading_replaces_only_the_answers_it_changes(tmp_path):
    _write(tmp_path / "pool_k.jsonl", [
        {"id": "k1", "origin": "x", "title": "Trường ĐH Văn Hiến xét tuyển học bạ, trao học bổng"},
        {"id": "k2", "origin": "x", "title": "Bài toán về trò chơi bi-a"},
    ])
    place = [{"province": "Thành phố Hồ Chí Minh", "legacy_province": None, "district": None, "span": "TP HCM"}]
    _write(tmp_path / "annotated_k.jsonl", [
        {"id": "k1", "origin": "x", "education": False, "tone": "neutral", "topics": [], "places": []},
        {"id": "k2", "origin": "x", "education": False, "tone": "neutral", "topics": [], "places": place},
    ])
    _write(tmp_path / "revised_v2a.jsonl", [
        {"id": "k1", "origin": "x", "education": True, "tone": "neutral", "topics": ["exams_admissions"],
         "places": [], "guideline": 2},
        {"id": "k2", "origin": "x", "education": False, "tone": "positive", "topics": [], "places": [],
         "guideline": 2},
        {"id": "unknown", "origin": "x", "education": True, "tone": "neutral", "topics": ["other"], "places": []},
    ])
    examples = {e.id: e for e in load_annotated(tmp_path)}
    assert set(examples) == {"k1", "k2"}
    assert examples["k1"].education is True and examples["k1"].topics == ("exams_admissions",)
    assert examples["k2"].education is False and examples["k2"].tone == "neutral"
    assert examples["k2"].places == tuple(place)


def test_round_three_keeps_tone_only_on_education_items(tmp_path):
    _write(tmp_path / "pool_f.jsonl", [
        {"id": "g1", "origin": "x", "title": "Cháy lớn ở kho hàng", "summary": "", "round": 3},
        {"id": "g2", "origin": "x", "title": "Bé 3 tuổi tử vong ở nhà trẻ", "summary": "", "round": 3},
    ])
    _write(tmp_path / "annotated_f.jsonl", [
        {"id": "g1", "origin": "x", "education": False, "tone": "negative", "topics": [], "places": None},
        {"id": "g2", "origin": "x", "education": True, "tone": "negative", "topics": ["school_safety_accident"],
         "places": None},
    ])
    examples = {e.id: e for e in load_annotated(tmp_path)}
    assert examples["g1"].education is False and examples["g1"].tone is None
    assert examples["g2"].tone == "negative" and examples["g2"].topics == ("school_safety_accident",)


def test_section_not_education_is_untrusted_only_where_schools_are_named():
    from classifiers.features import compose, prepare
    from classifiers.train import untrusted_section_label

    def check(title, **fields):
        e = Example("s", "x", title, **fields)
        return untrusted_section_label(e, prepare(compose(e.title)))

    assert check("Nam sinh lớp 9 tử vong sau xô xát với bạn", education=False)
    assert check("Bảo mẫu ra tòa vì làm ngã bé 3 tuổi", education=False)
    assert not check("Giá vàng hôm nay tăng mạnh", education=False)
    assert not check("Nam sinh lớp 9 tử vong sau xô xát với bạn", education=False, kind="annotated")
    assert not check("Nam sinh lớp 9 đoạt huy chương vàng", education=True)


def test_every_carried_over_item_traces_to_the_crawl_it_came_from():
    from classifiers.data import LABELS_DIR, NEWS_ROUND_POOLS, REPO, read_jsonl

    sources = read_jsonl(REPO / "data" / "news" / "education_news_github.jsonl")
    by_id = {r["id"]: r for r in sources}
    assert len(by_id) == len(sources) > 1000
    for row in sources:
        assert row["title"] and row["origin_repo"].count("/") == 1 and row["origin_path"]
        assert len(row["origin_commit"]) == 40 and int(row["origin_commit"], 16) >= 0
    rounds = {name: round_ for round_, names in NEWS_ROUND_POOLS.items() for name in names}
    pooled = [(rounds[name], row) for name in rounds for row in read_jsonl(LABELS_DIR / f"pool_{name}.jsonl")]
    assert sorted(row["id"] for _, row in pooled) == sorted(by_id)
    for round_, row in pooled:
        source = by_id[row["id"]]
        assert row["title"] == source["title"] and row["summary"] == source["summary"]
        assert row["round"] == source["round"] == round_
