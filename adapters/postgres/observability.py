"""Pool usage for the metrics endpoint, read from psycopg_pool's own statistics."""

from __future__ import annotations

from adapters.postgres.uow import Pool
from application.observability import PoolStats

# get_stats() keys reported as gauges; the others are counters since start and stay out.
GAUGES = ("pool_min", "pool_max", "pool_size", "pool_available", "requests_waiting")


class PostgresPoolStats(PoolStats):
    """Current size, idle connections and waiting requests of the shared pool."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    def snapshot(self) -> dict[str, int]:
        stats = self._pool.get_stats()
        return {name: int(stats.get(name, 0)) for name in GAUGES}
