"""The in-memory story index over a sliding window: which story does a new item belong to?

Two ways to match, tried in order:

1. near duplicate: datasketch's MinHash LSH finds items whose shingle sets
   are similar; the best one at or above ``near_duplicate`` (estimated
   Jaccard) gives its story. This catches syndicated copies and light rewrites.
   Two items that name different specific places are never near duplicates
   ("... bị đánh ở Mai Châu" / "... bị đánh ở Tam Dương").
2. same event: outlets rewrite a story in their own words, so the text
   alone is weak. A story that shares a topic *and* a specific place (commune,
   district or school) with the item, was seen within ``event_gap`` and has a
   member whose shingles overlap the item's at or above ``same_event``
   (containment: the share of the shorter text found in the other, so a bare
   headline can join a story told with its lead) is the same event.

The index holds the items seen within ``window``; items of stories that have
an open or resolved incident stay for ``incident_window`` so that a flare-up
joins its old story (and reopens the incident). It is rebuilt from the
stored signatures on start, never from the texts.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHashLSH

from monitor.escalation.similarity import containment, similarity

MEMBERS = 6            # items per story compared for a same-event match: the first and the latest ones
NEAR_IDENTICAL = 0.9   # a copy this close adds nothing to the LSH (its twin is already there)


@dataclass(frozen=True)
class Match:
    story_id: int | None   # None: a new story
    how: str               # first | near_duplicate | same_event
    similarity: float


class StoryIndex:
    def __init__(self, settings):
        self.settings = settings
        self.lsh = MinHashLSH(threshold=settings.lsh_threshold, num_perm=settings.num_perm)
        self.sigs: dict[int, LeanMinHash] = {}
        self.story_of: dict[int, int] = {}
        self.keys_of: dict[int, tuple[str, ...]] = {}
        self.spots_of: dict[int, frozenset[str]] = {}
        self.size_of: dict[int, int] = {}
        self.in_lsh: set[int] = set()
        self.first_of: dict[int, int] = {}
        self.latest: dict[int, list[int]] = {}
        self.events: dict[str, dict[int, float]] = {}
        self.expiry: list[tuple[float, int]] = []
        self.seen_at: dict[int, float] = {}
        self.pinned: set[int] = set()
        self.rows = 0  # story_items rows this index has taken in (checked against the table)

    def __len__(self) -> int:
        return len(self.sigs)

    def match(self, sig: LeanMinHash, event_keys: tuple[str, ...], ts: float,
              spots: frozenset[str] = frozenset(), size: int = 0) -> Match:
        best_item, best = None, 0.0
        for item in self.lsh.query(sig):
            if spots and self.spots_of[item] and not spots & self.spots_of[item]:
                continue  # "... ở Mai Châu" and "... ở Tam Dương" read alike but are two events
            value = similarity(sig, self.sigs[item])
            if value > best:
                best_item, best = item, value
        if best_item is not None and best >= self.settings.near_duplicate:
            return Match(self.story_of[best_item], "near_duplicate", best)
        story, value = self._same_event(sig, size, event_keys, ts)
        if story is not None and value >= self.settings.same_event:
            return Match(story, "same_event", value)
        return Match(None, "first", max(best, value))

    def _same_event(self, sig: LeanMinHash, size: int, event_keys: tuple[str, ...],
                    ts: float) -> tuple[int | None, float]:
        gap = self.settings.event_gap
        best_story, best = None, 0.0
        checked: set[int] = set()
        for key in event_keys:
            for story, last in self.events.get(key, {}).items():
                if story in checked or abs(ts - last) > gap:
                    continue
                checked.add(story)
                for item in self._members(story):
                    value = containment(sig, size, self.sigs[item], self.size_of[item])
                    if value > best:
                        best_story, best = story, value
        return best_story, best

    def _members(self, story: int) -> list[int]:
        first = self.first_of.get(story)
        latest = [i for i in self.latest.get(story, ()) if i in self.sigs]
        return ([first] if first in self.sigs and first not in latest else []) + latest

    def add(self, item: int, story: int, sig: LeanMinHash, event_keys: tuple[str, ...], ts: float,
            near_identical: bool = False, spots: frozenset[str] = frozenset(), size: int = 0) -> None:
        """Take in an item (already stored in story_items)."""
        self.rows += 1
        self.sigs[item], self.story_of[item], self.keys_of[item], self.seen_at[item] = sig, story, event_keys, ts
        self.spots_of[item], self.size_of[item] = spots, size
        if not near_identical:
            self.lsh.insert(item, sig, check_duplication=False)
            self.in_lsh.add(item)
        self.first_of.setdefault(story, item)
        latest = self.latest.setdefault(story, [])
        latest.append(item)
        if len(latest) >= MEMBERS:
            del latest[0]
        for key in event_keys:
            stories = self.events.setdefault(key, {})
            stories[story] = max(stories.get(story, ts), ts)
        heapq.heappush(self.expiry, (ts + self.settings.window, item))

    def evict(self, now_ts: float) -> int:
        """Drop items that left the window (pinned stories keep theirs for ``incident_window``)."""
        dropped = 0
        while self.expiry and self.expiry[0][0] < now_ts:
            _, item = heapq.heappop(self.expiry)
            if item not in self.sigs:
                continue
            story, seen = self.story_of[item], self.seen_at[item]
            keep_until = seen + self.settings.incident_window
            if story in self.pinned and keep_until >= now_ts:
                heapq.heappush(self.expiry, (keep_until, item))
                continue
            self._remove(item)
            dropped += 1
        return dropped

    def _remove(self, item: int) -> None:
        story = self.story_of.pop(item)
        del self.sigs[item], self.seen_at[item], self.spots_of[item], self.size_of[item]
        keys = self.keys_of.pop(item)
        if item in self.in_lsh:
            self.lsh.remove(item)
            self.in_lsh.discard(item)
        if self.first_of.get(story) == item:
            del self.first_of[story]
        if not any(i in self.sigs for i in self.latest.get(story, ())):
            self.latest.pop(story, None)
            for key in keys:
                stories = self.events.get(key)
                if stories and not self._has_items(story):
                    stories.pop(story, None)
                    if not stories:
                        del self.events[key]

    def _has_items(self, story: int) -> bool:
        return story in self.first_of or story in self.latest
