"""When to poll a source next: a pure function of its state and the clock.

Success: the source's interval, with ±10% jitter so sources drift apart
instead of polling in lockstep. Failure: exponential backoff (interval ×
2^(failures-1), capped), with jitter, never sooner than a server's
Retry-After. A broken source is polled less and never blocks the others.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta


def next_due(now: datetime, interval: float, failures: int, max_backoff: float,
             retry_after: float | None = None, rng: random.Random | None = None) -> datetime:
    rng = rng or random
    if failures <= 0:
        delay = interval * rng.uniform(0.9, 1.1)
    else:
        delay = min(max_backoff, interval * 2 ** (failures - 1)) * rng.uniform(0.75, 1.0)
    if retry_after is not None:
        delay = max(delay, min(retry_after, max_backoff))
    return now + timedelta(seconds=delay)
