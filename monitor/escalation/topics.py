"""How grave each topic of the taxonomy is when the news about it is negative.

Severity is a 0-1 weight in the hotness score (``[hotness.severity]``
overrides it per topic). Harm to children and pupils' safety weigh most;
routine administration least; good news not at all. Labels and slugs come
from the classifier's taxonomy, so routes and scores speak the same topics.
"""
from __future__ import annotations

from classifiers.taxonomy import TOPICS

SEVERITY: dict[str, float] = {
    "child_abuse": 1.0,
    "school_violence": 0.9,
    "school_safety_accident": 0.9,
    "food_safety_health": 0.85,
    "exam_misconduct": 0.8,
    "teacher_conduct": 0.7,
    "fees_finance": 0.6,
    "management_integrity": 0.6,
    "digital_data": 0.55,
    "extra_classes": 0.5,
    "teacher_staffing_pay": 0.5,
    "exams_admissions": 0.45,
    "facilities": 0.4,
    "curriculum_textbooks": 0.3,
    "policy": 0.2,
    "other": 0.2,
    "achievement": 0.0,
}


TOPIC_SLUGS: tuple[str, ...] = tuple(TOPICS)


def label(slug: str) -> str:
    """'school_violence' -> 'bạo lực học đường' (the slug itself when unknown)."""
    return TOPICS.get(slug, slug)
