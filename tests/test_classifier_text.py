"""Text preparation, driven by tests/data/classifier_text.tsv (add a line to add a case)."""
import re
from pathlib import Path

import pytest

from classifiers import text as T
from classifiers.features import has_diacritics, prepare, seed_matches

CASES = Path(__file__).parent / "data" / "classifier_text.tsv"
FUNCTIONS = {"normalize": T.normalize, "clean": T.clean, "expand": T.expand_abbreviations,
             "strip": T.strip_diacritics, "fold_d": T.fold_d, "segment": T.segment}


def _cases():
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, given, expected = (line.split("\t") + ["", ""])[:3]
        given = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), given)
        yield pytest.param(name, given, expected, id=f"{name}:{given[:30]}")


@pytest.mark.parametrize("name,given,expected", list(_cases()))
def test_text_case(name, given, expected):
    assert FUNCTIONS[name](given) == expected


def test_prepared_text_without_marks_matches_seed_words():
    marked = seed_matches(prepare("Học sinh bị đánh hội đồng, quay clip"))
    bare = seed_matches(prepare("Hoc sinh bi danh hoi dong, quay clip"))
    assert marked["school_violence"] and bare["school_violence"]
    assert has_diacritics("Hòa") and not has_diacritics("Hoa")


def test_bare_seed_does_not_match_a_different_marked_word():
    # "tát" (slap) stripped is "tat"; in text with marks "tất cả" must not count.
    assert not seed_matches(prepare("Tất cả học sinh đều vui"))["school_violence"]


def test_segment_is_cached():
    T.segment("Câu này chỉ để thử bộ nhớ đệm.")
    before = T._segment_sentence.cache_info().hits
    T.segment("Câu này chỉ để thử bộ nhớ đệm.")
    assert T._segment_sentence.cache_info().hits == before + 1
