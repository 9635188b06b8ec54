"""How hot a story is: a score from 0 to 100 and the level it maps to.

score = severity + negative + spread + velocity + spike, each component a
0-1 value times its weight ([hotness.weights]; 25/20/30/15/10 by default):

* severity  the gravest of the story's topics ([hotness.severity], topics.py)
* negative  mean of the three highest negative probabilities of its items
* spread    0.6 x distinct outlets (log scale, full at ``spread_full_outlets``)
            + 0.25 if a national outlet carries it
            + 0.15 x social echo (social items, or engagement on a log scale)
* velocity  items per hour over ``velocity_window``, full at ``velocity_full``
* spike     the largest volume spike of the story's topics or province: the
            last hour against the past 12 hours on social, the last day
            against the past 14 days in the news; 0 below ``spike.ratio``,
            full at ``spike.full_ratio``

A story outside the office's province counts only once it has spread
nationally (``national_outlets`` national outlets), and then at
``elsewhere_factor``. A story whose negative probability is under
``min_negative`` stays in the digest whatever its score. See docs/escalation.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.escalation.places import place_key
from monitor.escalation.topics import label
from monitor.escalation.words import LEVEL_NAMES
from monitor.store import iso



@dataclass(frozen=True)
class Spike:
    key: str          # topic slug or place key
    channel: str      # "social" or "news"
    recent: int
    expected: float   # baseline volume scaled to the recent period
    ratio: float


@dataclass(frozen=True)
class Score:
    total: float
    level: str
    parts: dict[str, float] = field(default_factory=dict)
    counted: bool = True     # False: elsewhere and not spread nationally
    spike: Spike | None = None


def spike_ratio(recent: int, baseline: int, recent_seconds: float, baseline_seconds: float) -> tuple[float, float]:
    """(ratio, expected): volume now against the baseline scaled to the same period, add-one smoothed."""
    expected = baseline * recent_seconds / baseline_seconds
    return (recent + 1.0) / (expected + 1.0), expected


def spike_component(ratio: float, recent: int, settings) -> float:
    if recent < settings.min_count or ratio < settings.ratio:
        return 0.0
    return min(1.0, (ratio - 1.0) / (settings.full_ratio - 1.0))


def spread_component(story, settings) -> float:
    outlets = min(1.0, math.log1p(story.outlet_count) / math.log1p(settings.spread_full_outlets))
    national = 1.0 if story.national_outlets else 0.0
    engagement = math.log10(1 + story.engagement) / math.log10(1 + settings.engagement_full)
    social = min(1.0, max(story.social_items / 5.0, engagement))
    return 0.6 * outlets + 0.25 * national + 0.15 * social


def level_for(total: float, negative: float, settings) -> str:
    """The level for a score; positive or neutral stories are never alerts."""
    if negative < settings.min_negative:
        return "digest"
    thresholds = settings.levels
    for name in ("critical", "urgent", "warning"):
        if total >= getattr(thresholds, name):
            return name
    return "digest"


def score(story, settings, spike: Spike | None = None) -> Score:
    """The story's score and level (pure)."""
    weights = settings.weights
    severity = max((settings.severity.get(t, 0.0) for t in story.topics), default=0.0)
    parts = {
        "severity": weights.severity * severity,
        "negative": weights.negative * min(1.0, max(0.0, story.negative)),
        "spread": weights.spread * spread_component(story, settings),
        "velocity": weights.velocity * min(1.0, story.velocity / settings.velocity_full),
        "spike": weights.spike * (spike_component(spike.ratio, spike.recent, settings.spike) if spike else 0.0),
    }
    total = sum(parts.values())
    counted = story.own_province or story.national_outlets >= settings.national_outlets
    if not story.own_province:
        total = total * settings.elsewhere_factor if counted else 0.0
    total = round(total, 1)
    return Score(total, level_for(total, story.negative, settings) if counted else "digest",
                 {k: round(v, 1) for k, v in parts.items()}, counted, spike)


# ---------------------------------------------------------------- volumes (the one query part)

@dataclass
class Volumes:
    """Education items per topic and per province: (recent, baseline) for social and for news."""

    settings: object
    counts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)

    def best_spike(self, story) -> Spike | None:
        keys = list(story.topics) + [f"place:{k}" for k in story.place_keys]
        best = None
        for channel in ("social", "news"):
            recent_s, base_s = self._periods(channel)
            for key in keys:
                recent, baseline = self.counts.get((channel, key), (0, 0))
                if not recent:
                    continue
                ratio, expected = spike_ratio(recent, baseline, recent_s, base_s)
                found = Spike(key, channel, recent, round(expected, 2), round(ratio, 2))
                if spike_component(ratio, recent, self.settings) > 0 and (best is None or ratio > best.ratio):
                    best = found
        return best

    def _periods(self, channel: str) -> tuple[float, float]:
        s = self.settings
        return (s.social_recent, s.social_baseline) if channel == "social" else (s.news_recent, s.news_baseline)


def volumes(db, settings, now: datetime) -> Volumes:
    """Count once per cycle; each story then looks up its own topics and provinces."""
    out = Volumes(settings)
    for channel, reach_test in (("social", "= 'social'"), ("news", "!= 'social'")):
        recent_s, base_s = out._periods(channel)
        recent_from, base_from = iso(now - timedelta(seconds=recent_s)), iso(now - timedelta(seconds=recent_s + base_s))
        window = """FROM items i JOIN sources s ON s.name = i.source {join}
                    WHERE i.is_education = 1 AND s.reach {reach}
                      AND COALESCE(i.published_at, i.fetched_at) >= ? AND COALESCE(i.published_at, i.fetched_at) < ?"""
        when = "SUM(COALESCE(i.published_at, i.fetched_at) >= ?), SUM(COALESCE(i.published_at, i.fetched_at) < ?)"
        params = [recent_from, recent_from, base_from, iso(now)]
        topic_rows = db.execute(
            f"SELECT t.value, {when} " + window.format(join=", json_each(i.topics) t", reach=reach_test) + " GROUP BY 1",
            params).fetchall()
        province_rows = db.execute(
            f"SELECT i.province, {when} " + window.format(join="", reach=reach_test)
            + " AND i.province IS NOT NULL GROUP BY 1", params).fetchall()
        for key, recent, baseline in topic_rows:
            out.counts[(channel, key)] = (recent or 0, baseline or 0)
        for province, recent, baseline in province_rows:
            previous = out.counts.get((channel, f"place:{place_key(province)}"), (0, 0))
            out.counts[(channel, f"place:{place_key(province)}")] = (previous[0] + (recent or 0),
                                                                     previous[1] + (baseline or 0))
    return out


# ---------------------------------------------------------------- words

def duration_words(seconds: float) -> str:
    """3600 -> '1 giờ'; 5400 -> '2 giờ'; 600 -> '10 phút'; 172800 -> '2 ngày'."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} phút"
    hours = round(seconds / 3600)
    if hours < 48:
        return f"{hours} giờ"
    return f"{round(seconds / 86400)} ngày"


def where(story) -> str:
    """The most specific place and the province: 'Huyện Mai Châu, Tỉnh Phú Thọ'."""
    if not story.places:
        return ""
    first, last = story.places[0], story.places[-1]
    return first if first == last else f"{first}, {last}"


def summary_line(story) -> str:
    """'5 nguồn tin trong 2 giờ, chủ đề: bạo lực học đường, Phú Thọ' (the short form of why)."""
    span = (story.last_seen - story.first_seen).total_seconds()
    head = f"{story.outlet_count} nguồn tin" if story.outlet_count > 1 else "1 nguồn tin"
    if story.item_count > 1:
        head += f" ({story.item_count} bài)" if story.item_count != story.outlet_count else ""
        head += f" trong {duration_words(span)}"
    parts = [head]
    if story.topics:
        parts.append("chủ đề: " + "; ".join(label(t) for t in story.topics[:2]))
    if story.places:
        parts.append(where(story))
    return ", ".join(parts)


def explain(story, result: Score) -> str:
    """The level and its score in words, e.g.

    'KHẨN (72/100): 5 nguồn tin trong 2 giờ, chủ đề: bạo lực học đường, Phú Thọ. Điểm: chủ đề 27,
    tiêu cực 22, lan rộng 15 (3 báo trung ương), tốc độ 4 (2,5 tin/giờ), đột biến 5.'
    """
    p = result.parts
    spread = f"lan rộng {p['spread']:.0f}"
    reach = [f"{story.national_outlets} báo trung ương" if story.national_outlets else "",
             f"{story.social_items} bài mạng xã hội" if story.social_items else ""]
    if any(reach):
        spread += f" ({', '.join(r for r in reach if r)})"
    pieces = [
        f"chủ đề {p['severity']:.0f}",
        f"tiêu cực {p['negative']:.0f}",
        spread,
        f"tốc độ {p['velocity']:.0f} ({story.velocity:.1f} tin/giờ)".replace(".", ","),
    ]
    if result.spike:
        s = result.spike
        what = label(s.key) if not s.key.startswith("place:") else s.key.removeprefix("place:").title()
        period = "1 giờ qua" if s.channel == "social" else "24 giờ qua"
        pieces.append(f"đột biến {p['spike']:.0f} ({what}: {s.recent} tin {period}, bình thường "
                      f"{s.expected:.1f})".replace(".", ","))
    text = f"{LEVEL_NAMES[result.level]} ({result.total:.0f}/100): {summary_line(story)}. Điểm: {', '.join(pieces)}."
    if not story.own_province:
        text += " Ngoài tỉnh, " + ("đã lan rộng toàn quốc." if result.counted else "chưa lan rộng toàn quốc: chỉ vào điểm tin.")
    return text
