"""The hotness score, its levels and its words, table-driven on Story values; spikes counted on a real database."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from monitor.config import Hotness
from monitor.escalation import hotness
from monitor.escalation.hotness import Spike
from monitor.escalation.stories import Story
from tests.escalation_fixtures import T0, add_item

SETTINGS = Hotness()


def story(outlets=1, national=1, items=None, velocity=0.5, negative=0.9, topics=("school_violence",), own=True,
          span_hours=0.0, social=0, engagement=0, places=("Huyện Mai Châu", "Tỉnh Phú Thọ")) -> Story:
    return Story(id=1, title="t", first_seen=T0, last_seen=T0 + timedelta(hours=span_hours),
                 item_count=items or outlets, outlets=tuple(f"o{i}" for i in range(outlets)), national_outlets=national,
                 social_items=social, engagement=engagement, velocity=velocity, negative=negative, topics=topics,
                 places=places, place_keys=frozenset(), school_levels=frozenset(), own_province=own)


@pytest.mark.parametrize("s, level", [
    (story(national=0), "warning"),                                         # one local outlet
    (story(), "warning"),                                                   # one national outlet
    (story(outlets=2, national=2, velocity=1.0), "urgent"),                 # spreading
    (story(outlets=5, national=4, velocity=2.5, span_hours=2), "urgent"),
    (story(outlets=8, national=6, velocity=4.0, span_hours=2), "critical"),  # 8 outlets in 2 hours
    (story(outlets=8, national=6, velocity=4.0, negative=0.3), "digest"),   # not negative: never an alert
    (story(topics=("achievement",), negative=0.6, national=0), "digest"),
    (story(outlets=3, national=0, velocity=1.5, own=False), "digest"),      # elsewhere, local only
    (story(outlets=8, national=6, velocity=4.0, own=False), "urgent"),      # elsewhere, national: counted at 0.8
    (story(topics=("child_abuse",), outlets=3, national=3, velocity=1.5), "urgent"),
])
def test_levels(s, level):
    assert hotness.score(s, SETTINGS).level == level


def test_a_spike_adds_up_to_its_weight():
    s = story(outlets=5, national=4, velocity=2.5, span_hours=2)
    calm = hotness.score(s, SETTINGS)
    spiking = hotness.score(s, SETTINGS, Spike("school_violence", "news", 9, 1.0, 5.0))
    assert spiking.parts["spike"] == 8.0 and spiking.total == calm.total + 8.0
    assert spiking.level == "critical"


@pytest.mark.parametrize("recent, baseline, recent_s, baseline_s, ratio", [
    (5, 0, 3600, 43200, 6.0),           # 5 social posts in the last hour, none in the 12 before
    (5, 60, 3600, 43200, 1.0),          # 5 an hour is normal for this topic
    (12, 14, 86400, 14 * 86400, 6.5),   # 12 news items today against 1 a day
])
def test_spike_ratio(recent, baseline, recent_s, baseline_s, ratio):
    assert hotness.spike_ratio(recent, baseline, recent_s, baseline_s)[0] == ratio


@pytest.mark.parametrize("ratio, recent, component", [(2.9, 10, 0.0), (3.0, 10, 0.4), (6.0, 10, 1.0), (9.0, 10, 1.0),
                                                      (6.0, 2, 0.0)])
def test_spike_component(ratio, recent, component):
    assert hotness.spike_component(ratio, recent, SETTINGS.spike) == component


def test_the_explanation_says_why_in_words():
    s = story(outlets=5, national=4, items=6, velocity=2.5, span_hours=2)
    text = hotness.explain(s, hotness.score(s, SETTINGS))
    assert text.startswith("KHẨN (")
    assert "5 nguồn tin (6 bài) trong 2 giờ, chủ đề: bạo lực học đường, Huyện Mai Châu, Tỉnh Phú Thọ" in text
    assert "4 báo trung ương" in text and "2,5 tin/giờ" in text
    elsewhere = story(outlets=3, national=0, velocity=1.5, own=False, places=("Thành phố Hà Nội",))
    assert "chưa lan rộng toàn quốc" in hotness.explain(elsewhere, hotness.score(elsewhere, SETTINGS))


def test_weights_and_thresholds_come_from_the_config():
    custom = Hotness(weights={"severity": 0, "negative": 0, "spread": 0, "velocity": 0, "spike": 0})
    assert hotness.score(story(outlets=8, national=8, velocity=9), custom).level == "digest"
    lower = Hotness(levels={"warning": 10, "urgent": 20, "critical": 30})
    assert hotness.score(story(), lower).level == "critical"


def test_volumes_find_a_topic_spike(db):
    now = T0 + timedelta(days=14)
    for day in range(2, 15, 3):  # a quiet baseline: one item every three days
        add_item(db, "vnexpress", f"Tin cũ {day}", now - timedelta(days=day))
    for n in range(6):           # six today
        add_item(db, f"outlet{n}", f"Tin mới {n}", now - timedelta(hours=n + 1))
    for n in range(6):           # and a burst on social in the last hour
        add_item(db, f"group{n}", f"Bài mạng {n}", now - timedelta(minutes=10 * n + 1), reach="social")
    volumes = hotness.volumes(db, SETTINGS.spike, now)
    assert volumes.counts[("news", "school_violence")] == (6, 5)
    assert volumes.counts[("social", "school_violence")] == (6, 0)
    found = volumes.best_spike(replace(story(), place_keys=frozenset({"phu tho"})))
    assert (found.channel, found.key, found.recent, found.ratio) == ("social", "school_violence", 6, 7.0)


def test_every_topic_of_the_taxonomy_has_a_severity():
    from monitor.escalation.topics import SEVERITY, TOPIC_SLUGS

    assert set(SEVERITY) == set(TOPIC_SLUGS)
