"""Postgres rate limits are shared by every process on the database (the rest: tests/contract)."""

from __future__ import annotations

import secrets

from adapters.postgres.rate_limiter import PostgresHitCounter, PostgresRateLimiter
from adapters.rate_limiting import BatchingRateLimiter
from tests.postgres_fixtures import PostgresBackend, postgres_backend

# A window so long that a test never straddles two of them.
WINDOW = 10_000_000


async def test_two_pools_share_one_budget(wide_backend: PostgresBackend, database_url: str) -> None:
    key = f"test:{secrets.token_hex(6)}"
    async with postgres_backend(database_url, max_size=2) as second:
        first, other = PostgresRateLimiter(wide_backend.pool), PostgresRateLimiter(second.pool)
        await first.hit(key, limit=2, window_seconds=WINDOW)
        await other.hit(key, limit=2, window_seconds=WINDOW)
        assert not (await first.hit(key, limit=2, window_seconds=WINDOW)).allowed


async def test_batching_limiters_on_two_pools_share_one_budget(
    wide_backend: PostgresBackend, database_url: str
) -> None:
    key = f"test:{secrets.token_hex(6)}"
    async with postgres_backend(database_url, max_size=2) as second:
        limiters = [
            BatchingRateLimiter(PostgresHitCounter(wide_backend.pool), sync_interval=3600),
            BatchingRateLimiter(PostgresHitCounter(second.pool), sync_interval=3600),
        ]
        allowed = 0
        for i in range(30):
            decision = await limiters[i % 2].hit(key, limit=10, window_seconds=WINDOW)
            allowed += decision.allowed
        assert allowed == 10
