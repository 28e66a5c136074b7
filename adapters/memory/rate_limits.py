"""In-memory rate limiting: the fixed windows of the Postgres table, one per key, in-process."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from adapters.memory.state import InMemoryDatabase, RateLimitWindow
from adapters.rate_limiting import HitCounter
from application.ports import Clock, RateDecision, RateLimiter


class InMemoryRateLimiter(RateLimiter):
    """Counts every hit at once, in windows aligned on ``clock`` (as Postgres aligns on its own)."""

    def __init__(self, db: InMemoryDatabase, clock: Clock) -> None:
        self._windows = db.rate_limit_windows
        self._clock = clock

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        now = self._clock.now().timestamp()
        start = math.floor(now / window_seconds) * window_seconds
        window = self._windows.get(key)
        if window is None or window.start.timestamp() != start:
            window = self._windows[key] = RateLimitWindow(datetime.fromtimestamp(start, UTC), 0)
        window.hits += 1
        reset_after = math.ceil(start + window_seconds - now)
        return RateDecision(
            allowed=window.hits <= limit,
            limit=limit,
            remaining=max(0, limit - window.hits),
            reset_after=max(1, min(reset_after, window_seconds)),
        )


class InMemoryHitCounter(HitCounter):
    """Adds a batch of hits to a key's window; an older window than the key's counts nothing."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._windows = db.rate_limit_windows

    async def add(self, key: str, window_start: int, hits: int) -> int:
        start = datetime.fromtimestamp(window_start, UTC)
        window = self._windows.get(key)
        if window is None or window.start < start:
            window = self._windows[key] = RateLimitWindow(start, 0)
        elif window.start > start:
            return 0  # a newer window has begun: these hits belong to one that is over
        window.hits += hits
        return window.hits
