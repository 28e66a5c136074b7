"""A rate limiter that batches hits per process and syncs them with a shared counter.

Below half of the limit a process counts locally and adds its hits to the shared (Postgres)
counter at most every ``sync_interval`` seconds; from half of the limit on, every hit is synced,
so refusals near the limit are as exact as the shared counter (ADR 0007). The local estimate
never exceeds the true total, so a refusal is never wrong; what batching can do is let a burst
below half the limit go unseen by other processes for up to one interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from application.ports import RateDecision, RateLimiter


class HitCounter(Protocol):
    """The shared counter: add ``hits`` to ``key``'s window, return the window's total."""

    async def add(self, key: str, window_start: int, hits: int) -> int: ...


@dataclass(slots=True)
class _Window:
    start: int
    known: int = 0  # the shared total at the last sync (our synced hits included)
    pending: int = 0  # our hits since then
    synced_at: float = float("-inf")
    syncing: bool = False


class BatchingRateLimiter(RateLimiter):
    """Fixed windows aligned on the API's (NTP-synced) clock, counted mostly in memory."""

    def __init__(
        self,
        counter: HitCounter,
        *,
        sync_interval: float = 0.25,
        clock: Callable[[], float] = time.time,
        max_keys: int = 100_000,
    ) -> None:
        self._counter = counter
        self._interval = sync_interval
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[str, _Window] = {}

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        now = self._clock()
        start = int(now // window_seconds) * window_seconds
        window = self._window(key, start)
        window.pending += 1
        sync_now = (
            now - window.synced_at >= self._interval or window.known + window.pending >= limit / 2
        )
        if sync_now and not window.syncing:
            await self._sync(key, window, now)
        total = window.known + window.pending
        return RateDecision(
            allowed=total <= limit,
            limit=limit,
            remaining=max(0, limit - total),
            reset_after=max(1, int(start + window_seconds - now + 0.999)),
        )

    async def _sync(self, key: str, window: _Window, now: float) -> None:
        window.syncing = True
        sending, window.pending = window.pending, 0
        try:
            total = await self._counter.add(key, window.start, sending)
        except BaseException:
            window.pending += sending  # not counted anywhere yet: keep them for the next sync
            raise
        finally:
            window.syncing = False
        # Hits that arrived while we waited are still pending; the total covers ours sent.
        window.known = total
        window.synced_at = now

    def _window(self, key: str, start: int) -> _Window:
        window = self._windows.get(key)
        if window is None or window.start != start:
            if len(self._windows) >= self._max_keys:
                self._forget_old(start)
            window = self._windows[key] = _Window(start)
        return window

    def _forget_old(self, current: int) -> None:
        stale = [k for k, w in self._windows.items() if w.start < current]
        for k in stale or list(self._windows)[: self._max_keys // 10]:
            del self._windows[k]
