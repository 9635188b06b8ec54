"""Routing trees written as TOML in the tests, the shipped defaults in feeds.toml, and config errors that
name the key and the line."""
from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config, parse_config
from monitor.errors import ConfigError
from monitor.escalation.routes import Facts, matches, recipients
from tests.escalation_fixtures import CONTACTS, OFFICE

MAI_CHAU = frozenset({"mai chau", "district:mai chau", "hoa binh", "province:hoa binh", "phu tho",
                      "province:phu tho"})
HOA_BINH_PROVINCE = frozenset({"hoa binh", "province:hoa binh", "phu tho", "province:phu tho"})
HA_NOI = frozenset({"ha noi", "province:ha noi", "cau giay", "district:cau giay"})


def facts(level="warning", topics=("school_violence",), places=MAI_CHAU, levels=(), own=True):
    return Facts(level, frozenset(topics), places, frozenset(levels), own)


TREE = OFFICE + CONTACTS + """
[routes]
to = ["truc"]

[[routes.routes]]
name = "first-wins-a"
topics = ["exams_admissions"]
to = ["ttra"]

[[routes.routes]]
name = "first-wins-b"
topics = ["exams_admissions", "exam_misconduct"]
to = ["chanh"]

[[routes.routes]]
name = "continue"
min_level = "urgent"
to = ["pho"]
continue = true

[[routes.routes]]
name = "after-continue"
min_level = "critical"
to = ["gd"]

[[routes.routes]]
name = "commune"
places = ["Xã Mai Châu", "Huyện Mai Châu"]
school_levels = ["primary", "unknown"]
to = ["xa"]
"""


@pytest.mark.parametrize("f, expected", [
    (facts(), ["truc", "xa"]),                                              # no level known: "unknown" matches
    (facts(topics=("exams_admissions",)), ["truc", "ttra"]),                # first match wins over b
    (facts(topics=("exam_misconduct",)), ["truc", "chanh"]),
    (facts(level="urgent"), ["truc", "pho", "xa"]),                         # continue: later siblings are tried
    (facts(level="critical"), ["truc", "pho", "gd"]),                       # ... and the first of them wins
    (facts(levels=("upper_secondary",)), ["truc"]),                         # THPT stays with the Sở
    (facts(levels=("primary", "upper_secondary")), ["truc", "xa"]),
    (facts(places=HOA_BINH_PROVINCE), ["truc"]),                            # the legacy province is not the commune
    (facts(places=frozenset({"mai chau", "commune:mai chau"})), ["truc", "xa"]),
    (facts(level="digest"), []),
])
def test_tree(f, expected):
    config = parse_config(TREE)
    assert [key for key, _ in recipients(config.routes, f)] == expected


def test_route_names_say_who_chose_a_recipient():
    config = parse_config(TREE)
    assert dict(recipients(config.routes, facts(level="critical"))) == {"truc": "gốc", "pho": "continue",
                                                                        "gd": "after-continue"}


@pytest.mark.parametrize("f, expected", [
    # The office always; the chief of office from urgent; the leadership from critical.
    (facts(), {"truc_vp", "xa_mai_chau"}),
    (facts(level="urgent"), {"truc_vp", "chanh_vp", "xa_mai_chau"}),
    (facts(level="critical"), {"truc_vp", "chanh_vp", "pho_gd", "giam_doc", "xa_mai_chau"}),
    # The division that owns the topic (plan 001's appendix).
    (facts(topics=("exams_admissions",), places=HA_NOI, own=False), {"truc_vp", "qlcl"}),
    (facts(topics=("exam_misconduct",), places=HA_NOI, own=False), {"truc_vp", "qlcl", "thanh_tra"}),
    (facts(topics=("fees_finance",), places=HA_NOI, own=False), {"truc_vp", "khtc"}),
    (facts(topics=("teacher_conduct",), places=HA_NOI, own=False), {"truc_vp", "tccb"}),
    (facts(topics=("child_abuse",), places=HA_NOI, own=False, levels=("preschool",)), {"truc_vp", "gdmn_th"}),
    (facts(topics=("food_safety_health",), places=HA_NOI, own=False, levels=("upper_secondary",)),
     {"truc_vp", "gdtrh_tx"}),
    # 2025 reform: preschool/primary/lower-secondary in a commune -> its focal point; THPT -> the Sở only.
    (facts(levels=("lower_secondary",)), {"truc_vp", "xa_mai_chau"}),
    (facts(levels=("upper_secondary",)), {"truc_vp"}),
    (facts(places=frozenset({"hoa binh", "commune:hoa binh", "phu tho", "province:phu tho"})),
     {"truc_vp", "phuong_hoa_binh"}),
    (facts(places=HOA_BINH_PROVINCE), {"truc_vp"}),
])
def test_shipped_defaults_follow_the_plans(f, expected):
    config = load_config(Path(__file__).parent.parent / "feeds.toml")
    assert {key for key, _ in recipients(config.routes, f)} == expected


def test_shipped_config_is_consistent():
    config = load_config(Path(__file__).parent.parent / "feeds.toml")
    assert config.escalation.chain == ("truc_vp", "chanh_vp", "pho_gd", "giam_doc")
    assert config.escalation.response_deadline["critical"] == 6 * 3600
    assert config.escalation.admin in config.contacts
    assert all(c.email.endswith(".example") for c in config.contacts.values())
    assert config.contacts["chanh_vp"].key == "chanh_vp"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


@pytest.mark.parametrize("extra, key, needle, message", [
    ('[routes]\nto = ["truc", "nobody"]\n', "routes.to", 'to = ["truc", "nobody"]', "unknown contact 'nobody'"),
    ('[routes]\nto = ["truc"]\n\n[[routes.routes]]\ntopics = ["policy"]\nto = ["ghost"]\n',
     "routes.routes[0].to", 'to = ["ghost"]', "unknown contact 'ghost'"),
    ('[routes]\n\n[[routes.routes]]\nto = ["truc"]\n\n[[routes.routes]]\nto = ["truc"]\n\n'
     '[[routes.routes.routes]]\nto = ["x1"]\n', "routes.routes[1].routes[0].to", 'to = ["x1"]', "'x1'"),
    ('[escalation]\nchain = ["truc", "boss"]\n', "escalation.chain", "chain =", "unknown contact 'boss'"),
    ('[escalation]\nadmin = "root"\n', "escalation.admin", "admin =", "unknown contact 'root'"),
    ('[routes]\n\n[[routes.routes]]\ntopics = ["bullying"]\n', "routes.routes[0].topics", "topics =",
     "unknown topic 'bullying'"),
    ('[escalation]\nack_timeout = { urgent = "soon" }\n', "escalation.ack_timeout.urgent", "ack_timeout",
     "duration"),
    ('[escalation]\nack_timeout = { high = "1h" }\n', "escalation.ack_timeout", "ack_timeout", "unknown level"),
    ('[escalation]\nquiet_hours = { start = "25:00" }\n', "escalation.quiet_hours.start", "quiet_hours",
     "time of day"),
    ('[hotness]\nlevels = { warning = 70, urgent = 60 }\n', "hotness.levels", "levels =", "must rise"),
    ('[hotness.severity]\nschool_violence = 3\n', "hotness.severity", "[hotness.severity]", "between 0 and 1"),
    ('[contacts.nobody_reachable]\nname = "X"\n', "contacts.nobody_reachable", "[contacts.nobody_reachable]",
     "at least one of email"),
    ('[contacts.bad]\nname = "X"\nemail = "not-an-address"\n', "contacts.bad.email", 'email = "not-an-address"',
     "not an email"),
    ('[routes]\ncolour = "red"\n', "routes.colour", "colour", "unknown key"),
])
def test_config_errors_name_the_key_and_the_line(extra, key, needle, message):
    text = OFFICE + CONTACTS + extra
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "feeds.toml")
    error = caught.value
    assert error.key == key
    assert message in str(error)
    assert error.line == line_of(text, needle, 1 if needle.startswith("[") else text.count(needle))
    assert str(error).startswith(f"feeds.toml:{error.line}: {key}: ")


def test_matches_own_province_flag():
    config = parse_config(OFFICE + CONTACTS + '[routes]\nown_province = false\nto = ["truc"]\n')
    assert matches(config.routes, facts(own=False)) and not matches(config.routes, facts(own=True))
