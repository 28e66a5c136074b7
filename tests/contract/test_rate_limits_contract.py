"""Rate limits on both backends: fixed windows per key, a shared counter, and their purge."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from adapters.rate_limiting import BatchingRateLimiter, HitCounter
from application.ports import RateLimiter, RecordPurge

WINDOW = 10_000_000  # so long that a test never straddles two windows
Y2K = 946_684_800  # 2000-01-01T00:00:00Z: windows no other test writes


def new_key() -> str:
    return f"test:{secrets.token_hex(6)}"


async def test_hits_past_the_limit_are_refused_and_each_key_has_its_own_window(
    rate_limiter: RateLimiter,
) -> None:
    key = new_key()

    decisions = [await rate_limiter.hit(key, limit=3, window_seconds=WINDOW) for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert all(d.limit == 3 and 1 <= d.reset_after <= WINDOW for d in decisions)
    other = await rate_limiter.hit(new_key(), limit=3, window_seconds=WINDOW)
    assert (other.allowed, other.remaining) == (True, 2)


async def test_the_counter_totals_a_window_and_a_newer_window_starts_from_zero(
    hit_counter: HitCounter,
) -> None:
    key, start = new_key(), Y2K + 86_400  # clear of the purge test's windows

    assert await hit_counter.add(key, start, 2) == 2
    assert await hit_counter.add(key, start, 3) == 5
    assert await hit_counter.add(key, start + 60, 1) == 1
    assert await hit_counter.add(key, start, 4) == 0  # late hits of a window that is over
    assert await hit_counter.add(key, start + 60, 1) == 2


async def test_batching_limiters_on_one_counter_share_one_budget(hit_counter: HitCounter) -> None:
    key = new_key()
    limiters = [BatchingRateLimiter(hit_counter, sync_interval=3600) for _ in range(2)]

    allowed = 0
    for i in range(30):
        allowed += (await limiters[i % 2].hit(key, limit=10, window_seconds=WINDOW)).allowed

    assert allowed == 10


async def test_purging_windows_deletes_those_started_before_the_cutoff_and_says_how_many(
    hit_counter: HitCounter, record_purge: RecordPurge
) -> None:
    old, young = new_key(), new_key()
    await hit_counter.add(old, Y2K, 3)
    await hit_counter.add(young, Y2K + 7200, 2)

    purged = await record_purge.purge_rate_limit_windows(datetime.fromtimestamp(Y2K + 3600, UTC))

    assert purged == 1
    assert await hit_counter.add(old, Y2K, 1) == 1  # gone: the window starts again
    assert await hit_counter.add(young, Y2K + 7200, 1) == 3
    # Leave nothing from 2000 behind for a later run on the same database.
    assert await record_purge.purge_rate_limit_windows(datetime.fromtimestamp(Y2K + 7201, UTC)) == 2
