"""The retention purge: idempotency keys past their 24 hours, old rate-limit windows and events.

Row-level security hides every org's keys from a transaction without ``app.org_id``; the purge
goes through the narrow ``app.purge`` policies of migration 0006 instead (ADR 0008).
"""

from __future__ import annotations

from datetime import datetime

from adapters.postgres.errors import storage_errors
from adapters.postgres.uow import Pool
from application.ports import RecordPurge

START_PURGE = "SELECT set_config('app.purge', 'on', true)"
# The 24-hour floor is repeated here for roles that bypass row-level security.
PURGE_KEYS = """
DELETE FROM idempotency_keys
WHERE created_at < %(before)s AND created_at < now() - interval '24 hours'
"""
# The one-day floor is repeated here for roles that bypass row-level security.
PURGE_EVENTS = """
DELETE FROM events
WHERE occurred_at < %(before)s AND occurred_at < now() - interval '1 day'
"""
# Not org data: no row-level security on this table (migration 0005).
PURGE_WINDOWS = "DELETE FROM rate_limit_windows WHERE window_start < %(before)s"


class PostgresRecordPurge(RecordPurge):
    """Purges across orgs through the narrow ``app.purge`` policy (ADR 0008)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def purge_idempotency_keys(self, before: datetime) -> int:
        async with storage_errors(), self._pool.connection() as conn:
            await conn.execute(START_PURGE)
            cur = await conn.execute(PURGE_KEYS, {"before": before})
            return cur.rowcount

    async def purge_rate_limit_windows(self, before: datetime) -> int:
        async with storage_errors(), self._pool.connection() as conn:
            cur = await conn.execute(PURGE_WINDOWS, {"before": before})
            return cur.rowcount

    async def purge_events(self, before: datetime) -> int:
        async with storage_errors(), self._pool.connection() as conn:
            await conn.execute(START_PURGE)
            cur = await conn.execute(PURGE_EVENTS, {"before": before})
            return cur.rowcount
