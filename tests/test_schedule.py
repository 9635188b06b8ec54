"""next_due is pure: the same state and clock give the same answer."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from monitor.sources.schedule import next_due

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("failures, retry_after, low, high", [
    (0, None, 540, 660),            # healthy: interval ±10 %
    (1, None, 450, 600),            # first failure: one interval, jittered down
    (3, None, 1800, 2400),          # 2^2 intervals
    (12, None, 16200, 21600),       # capped at max_backoff (6 h)
    (0, 3600, 3600, 3600),          # Retry-After longer than the interval wins
    (1, 86400 * 7, 21600, 21600),   # but never beyond the cap
])
def test_next_due(failures, retry_after, low, high):
    for seed in range(20):
        due = next_due(NOW, 600, failures, 6 * 3600, retry_after, random.Random(seed))
        assert timedelta(seconds=low) <= due - NOW <= timedelta(seconds=high)


def test_jitter_spreads_sources_apart():
    rng = random.Random(1)
    dues = {next_due(NOW, 600, 0, 3600, None, rng) for _ in range(50)}
    assert len(dues) > 40
