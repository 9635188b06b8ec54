"""The routing tree: who should hear about a story at a level (pure).

Walk from the root. A route that matches adds its ``to`` and then tries its
children in order; the first child that matches wins, unless that child has
``continue = true``, in which case its later siblings are tried too. A route
that does not match is skipped with its whole subtree. Recipients come out in
order of first appearance, each once, with the name of the route that chose
them.
"""
from __future__ import annotations

from dataclasses import dataclass

from monitor.escalation.config import rank
from monitor.escalation.places import route_key


@dataclass(frozen=True)
class Facts:
    """What routing looks at."""

    level: str
    topics: frozenset[str] = frozenset()
    place_keys: frozenset[str] = frozenset()
    school_levels: frozenset[str] = frozenset()
    own_province: bool = True

    @classmethod
    def of(cls, story, level: str) -> "Facts":
        return cls(level, frozenset(story.topics), frozenset(story.place_keys), frozenset(story.school_levels),
                   story.own_province)


def matches(route, facts: Facts) -> bool:
    if rank(facts.level) < rank(route.min_level):
        return False
    if route.topics and not facts.topics & set(route.topics):
        return False
    if route.places and not facts.place_keys & {route_key(p) for p in route.places}:
        return False
    if route.school_levels:
        levels = facts.school_levels or frozenset({"unknown"})
        if not levels & set(route.school_levels):
            return False
    if route.own_province is not None and route.own_province != facts.own_province:
        return False
    return True


def recipients(root, facts: Facts) -> list[tuple[str, str]]:
    """[(contact key, route name)] for a story with these facts; empty below warning."""
    if facts.level == "digest":
        return []
    found: dict[str, str] = {}
    _walk(root, facts, found, "gốc")
    return list(found.items())


def _walk(route, facts: Facts, found: dict[str, str], fallback: str) -> bool:
    if not matches(route, facts):
        return False
    name = route.name or fallback
    for key in route.to:
        found.setdefault(key, name)
    for index, child in enumerate(route.routes):
        if _walk(child, facts, found, f"{name}/{index + 1}") and not child.continue_:
            break
    return True
