"""BatchingRateLimiter: local counting far from the limit, exact syncing near it."""

from __future__ import annotations

import pytest

from adapters.rate_limiting import BatchingRateLimiter
from application.errors import StorageUnavailable


class SharedCounter:
    """An in-process stand-in for the shared Postgres window table (a real counter)."""

    def __init__(self) -> None:
        self.totals: dict[tuple[str, int], int] = {}
        self.calls = 0
        self.down = False

    async def add(self, key: str, window_start: int, hits: int) -> int:
        if self.down:
            raise StorageUnavailable("the database is unavailable")
        self.calls += 1
        self.totals[key, window_start] = self.totals.get((key, window_start), 0) + hits
        return self.totals[key, window_start]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_far_below_the_limit_hits_are_synced_once_per_interval() -> None:
    counter, clock = SharedCounter(), Clock()
    limiter = BatchingRateLimiter(counter, sync_interval=1.0, clock=clock)
    for _ in range(10):
        decision = await limiter.hit("user", limit=1000, window_seconds=60)
    assert counter.calls == 1  # the first hit learns the shared total; the rest wait
    assert decision.remaining == 990
    clock.now += 1.0
    await limiter.hit("user", limit=1000, window_seconds=60)
    assert counter.calls == 2 and counter.totals["user", 999_960] == 11


async def test_from_half_the_limit_every_hit_is_synced_and_the_limit_is_exact() -> None:
    counter = SharedCounter()
    limiter = BatchingRateLimiter(counter, sync_interval=3600, clock=Clock())
    decisions = [await limiter.hit("user", limit=4, window_seconds=60) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True, True, True, True, False, False]
    assert sum(counter.totals.values()) == 6  # every hit counted, refused ones too


async def test_two_processes_share_one_budget() -> None:
    counter, clock = SharedCounter(), Clock()
    first = BatchingRateLimiter(counter, sync_interval=3600, clock=clock)
    second = BatchingRateLimiter(counter, sync_interval=3600, clock=clock)
    allowed = 0
    for i in range(30):
        limiter = first if i % 2 == 0 else second
        allowed += (await limiter.hit("user", limit=10, window_seconds=60)).allowed
    assert allowed == 10


async def test_a_new_window_starts_from_zero() -> None:
    counter, clock = SharedCounter(), Clock()
    limiter = BatchingRateLimiter(counter, sync_interval=0, clock=clock)
    for _ in range(3):
        await limiter.hit("user", limit=2, window_seconds=60)
    clock.now += 60
    assert (await limiter.hit("user", limit=2, window_seconds=60)).allowed


async def test_hits_that_could_not_be_synced_are_kept_for_the_next_sync() -> None:
    counter, clock = SharedCounter(), Clock()
    limiter = BatchingRateLimiter(counter, sync_interval=0, clock=clock)
    counter.down = True
    with pytest.raises(StorageUnavailable):
        await limiter.hit("user", limit=100, window_seconds=60)
    counter.down = False
    await limiter.hit("user", limit=100, window_seconds=60)
    assert counter.totals["user", 999_960] == 2
