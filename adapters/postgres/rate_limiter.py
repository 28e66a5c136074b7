"""Fixed-window rate limiting in PostgreSQL, shared by every API process on the database."""

from __future__ import annotations

from adapters.postgres.errors import storage_errors
from adapters.postgres.uow import Pool
from adapters.rate_limiting import HitCounter
from application.ports import RateDecision, RateLimiter

# One statement per hit. Windows are aligned on the database clock, so every process agrees;
# a hit in a newer window resets the key's single row in place (the table stays one row per key).
# The hit commits without waiting for the WAL flush (transaction-local synchronous_commit=off):
# a crash may forget the last few hits, which a rate limit can afford, while a flush per
# request would cap every API call at the disk's fsync rate.
HIT = """
WITH w AS (
    SELECT to_timestamp(floor(extract(epoch FROM clock_timestamp()) / %(window)s) * %(window)s)
           AS start,
           set_config('synchronous_commit', 'off', true) AS relaxed
)
INSERT INTO rate_limit_windows AS r (key, window_start, hits)
SELECT %(key)s, w.start, 1 FROM w
ON CONFLICT (key) DO UPDATE
SET hits = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.hits + 1 ELSE 1 END,
    window_start = EXCLUDED.window_start
RETURNING hits,
    ceil(extract(epoch FROM r.window_start) + %(window)s - extract(epoch FROM clock_timestamp()))
        ::integer AS reset_after
"""


class PostgresRateLimiter(RateLimiter):
    """Counts hits per key in fixed windows with one upsert (autocommitted per hit)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> RateDecision:
        async with storage_errors(), self._pool.connection() as conn:
            cur = await conn.execute(HIT, {"key": key, "window": window_seconds})
            row = await cur.fetchone()
        hits, reset_after = row if row is not None else (1, window_seconds)
        return RateDecision(
            allowed=hits <= limit,
            limit=limit,
            remaining=max(0, limit - hits),
            reset_after=max(1, min(int(reset_after), window_seconds)),
        )


# The batched form: the caller names the window (epoch seconds of its start, on the API's clock)
# and how many hits it brings; the answer is the window's total across every process.
ADD_HITS = """
INSERT INTO rate_limit_windows AS r (key, window_start, hits)
SELECT %(key)s, to_timestamp(%(start)s), %(add)s
FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed
ON CONFLICT (key) DO UPDATE
SET hits = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.hits + EXCLUDED.hits
                WHEN r.window_start > EXCLUDED.window_start THEN r.hits
                ELSE EXCLUDED.hits END,
    window_start = greatest(r.window_start, EXCLUDED.window_start)
RETURNING CASE WHEN window_start = to_timestamp(%(start)s) THEN hits ELSE 0 END AS hits
"""


class PostgresHitCounter(HitCounter):
    """Adds a batch of hits to a key's window and returns the window's total (all processes)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def add(self, key: str, window_start: int, hits: int) -> int:
        async with storage_errors(), self._pool.connection() as conn:
            cur = await conn.execute(ADD_HITS, {"key": key, "start": window_start, "add": hits})
            row = await cur.fetchone()
        return int(row[0]) if row is not None else hits
