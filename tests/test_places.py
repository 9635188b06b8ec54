"""Localities and school names: cases in tests/data/places.tsv, one a line."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from vietnam_provinces import Province, Ward

from classifiers.gazetteer import PATH
from classifiers.places import find_places, find_schools, main_province, score_places

CASES = Path(__file__).parent / "data" / "places.tsv"
PROVINCES = {p.name for p in Province.iter_all()}
COMMUNES = {w.name for w in Ward.iter_all()}


def _cases() -> list:
    rows = []
    for line in CASES.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, province, legacy, district, commune, why = line.split("\t")
            rows.append(pytest.param(text, province, legacy, district, commune, id=why))
    return rows


def _fits(entry: dict, **want: str) -> bool:
    for key, value in want.items():
        if value == "*":
            continue
        if entry[key] != (None if value == "-" else value):
            return False
    return True


@pytest.mark.parametrize("text,province,legacy,district,commune", _cases())
def test_place_cases(text, province, legacy, district, commune):
    found = find_places(text)
    if province == "-":
        assert found == []
        return
    assert any(_fits(e, province=province, legacy_province=legacy, district=district, commune=commune)
               for e in found), found


@pytest.mark.parametrize("text", [row.values[0] for row in _cases()])
def test_entries_are_well_formed(text):
    for entry in find_places(text):
        assert set(entry) == {"province", "legacy_province", "district", "commune", "span"}
        assert entry["province"] in PROVINCES
        assert entry["commune"] is None or entry["commune"] in COMMUNES
        assert entry["span"] and entry["span"] in text


def test_district_and_province_give_one_entry_with_the_specific_span():
    assert find_places("Học sinh ở huyện Lạc Sơn, tỉnh Hòa Bình bị đuối nước") == [
        {"province": "Phú Thọ", "legacy_province": "Hòa Bình", "district": "Lạc Sơn",
         "commune": None, "span": "huyện Lạc Sơn"}]


def test_repeated_and_listed_places_in_text_order():
    found = find_places("TPHCM, Hà Nội và BR-VT; Hà Nội lại đứng đầu")
    assert [(e["province"], e["legacy_province"], e["span"]) for e in found] == [
        ("Thành phố Hồ Chí Minh", None, "TPHCM"),
        ("Thành phố Hà Nội", None, "Hà Nội"),
        ("Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "BR-VT")]


def test_span_is_taken_from_decomposed_input():
    text = unicodedata.normalize("NFD", "Giáo viên  huyện Lạc Sơn, tỉnh Hoà Bình")
    [entry] = find_places(text)
    assert entry["span"] == unicodedata.normalize("NFD", "huyện Lạc Sơn")
    assert entry["district"] == "Lạc Sơn"


@pytest.mark.parametrize("text", ["", "   ", "🎉🎉🔥", "\x00\ufeff\u200b", "?" * 50, "Hà" * 3, None])
def test_odd_input_gives_nothing(text):
    assert find_places(text) == []
    assert find_schools(text) == []


def test_one_megabyte_never_raises():
    chunk = "Học sinh huyện Lạc Sơn, Hòa Bình; TP.HCM 🎒 xã An Hòa, huyện Tam Nông (Đồng Tháp). "
    text = chunk * (1_000_000 // len(chunk))
    found = find_places(text)
    assert {e["province"] for e in found} == {"Phú Thọ", "Thành phố Hồ Chí Minh", "Đồng Tháp"}
    assert find_schools(text) == []


SCHOOLS = [
    ("Vụ việc ở Trường THCS Nguyễn Du gây bức xúc", ["Trường THCS Nguyễn Du"]),
    ("trẻ bị bạo hành tại trường Mầm non Hoa Sen", ["Trường Mầm non Hoa Sen"]),
    ("học sinh THCS Nguyễn Du, Hà Nội", ["Trường THCS Nguyễn Du"]),
    ("Trường THPT chuyên Lê Hồng Phong công bố điểm", ["Trường THPT chuyên Lê Hồng Phong"]),
    ("Trường Đại học Bách khoa Hà Nội tuyển sinh", ["Trường Đại học Bách khoa Hà Nội"]),
    ("Trường Tiểu học số 1 Nam Lý và Trường MN Hoa Hồng", ["Trường Tiểu học số 1 Nam Lý", "Trường MN Hoa Hồng"]),
    ("Trường PTDTBT TH&THCS Trà Cang; THCS Nguyễn Du; Trường THCS Nguyễn Du",
     ["Trường PTDTBT TH&THCS Trà Cang", "Trường THCS Nguyễn Du"]),
    ("học sinh THPT Hà Nội thi lớp 10", []),
    ("bậc tiểu học và mầm non", []),
    ("hoc sinh truong THCS o huyen Lac Son", []),
]


@pytest.mark.parametrize("text,expected", SCHOOLS)
def test_school_names(text, expected):
    assert find_schools(text) == expected


def test_university_names_do_not_place_the_story():
    assert find_places("Đại học Quốc gia Hà Nội công bố lịch thi") == []
    assert [e["province"] for e in find_places("Trường THPT chuyên Hà Tĩnh đoạt giải")] == ["Hà Tĩnh"]


def test_main_province_prefers_the_most_and_most_specific():
    places = find_places("Hà Nội: học sinh huyện Lạc Sơn, Hòa Bình và xã An Hòa, huyện Tam Nông (Phú Thọ)")
    assert main_province(places) == "Phú Thọ"
    assert main_province(find_places("TP.HCM và Hà Nội")) == "Thành phố Hồ Chí Minh"
    assert main_province([]) is None


def test_score_places_counts_one_item():
    gold = [{"province": "Phú Thọ", "legacy_province": "Hòa Bình", "district": "Lạc Sơn",
             "span": "huyện Lạc Sơn, Hòa Bình"}]
    row = score_places(find_places("Học sinh huyện Lạc Sơn, Hòa Bình"), gold)
    assert row["main_ok"] and row["d_tp"] == row["d_gold"] == 1 and row["l_tp"] == 1
    assert not score_places([], gold)["main_ok"]


def test_shipped_gazetteer_matches_the_installed_packages():
    """An upgraded package needs `python -m classifiers.gazetteer_build` (docs/gazetteer.md)."""
    from importlib.metadata import version

    from classifiers.gazetteer import load

    g = load()
    doc_sources = json.loads(PATH.read_text("utf-8"))["sources"]
    assert doc_sources["vietnam-provinces"] == version("vietnam-provinces")
    assert doc_sources["vietnamadminunits"] == version("vietnamadminunits")
    assert {p["name"] for p in g.provinces} == PROVINCES
    assert {w["name"] for w in g.wards2025} == COMMUNES and len(g.wards2025) == 3321
    assert len({lp["code"] for lp in g.legacy}) == 63
