"""Cross-org tasks: finding reservations due for expiry, purging old idempotency keys.

Row-level security hides every org's rows from a transaction without ``app.org_id``; these two
tasks go through the narrow policies of migration 0006 instead (docs/adr/0004).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from adapters.postgres.errors import storage_errors
from adapters.postgres.uow import Pool
from application.ports import DueReservations, Housekeeping

# Read-only, and app.sweep only lets active reservations with an expiry through.
START_SWEEP = """
SELECT set_config('transaction_read_only', 'on', true), set_config('app.sweep', 'on', true)
"""
DUE_RESERVATIONS = """
SELECT org_id, id FROM reservations
WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= %(now)s
ORDER BY expires_at LIMIT %(limit)s
"""
START_PURGE = "SELECT set_config('app.purge', 'on', true)"
# The 24-hour floor is repeated here for roles that bypass row-level security.
PURGE_KEYS = """
DELETE FROM idempotency_keys
WHERE created_at < %(before)s AND created_at < now() - interval '24 hours'
"""


class PostgresDueReservations(DueReservations):
    """Reservations past expiry still stored as active, across orgs, soonest expired first."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def due(self, now: datetime, limit: int) -> list[tuple[str, UUID]]:
        async with storage_errors(), self._pool.connection() as conn:
            await conn.execute(START_SWEEP)
            cur = await conn.execute(DUE_RESERVATIONS, {"now": now, "limit": limit})
            return [(org_id, reservation_id) for org_id, reservation_id in await cur.fetchall()]


# Not org data: no row-level security on this table (migration 0005).
PURGE_WINDOWS = "DELETE FROM rate_limit_windows WHERE window_start < %(before)s"


class PostgresHousekeeping(Housekeeping):
    """Purges across orgs through the narrow ``app.purge`` policy (ADR 0008)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def purge_idempotency_keys(self, before: datetime) -> int:
        return await purge_idempotency_keys(self._pool, before)

    async def purge_rate_limit_windows(self, before: datetime) -> int:
        async with storage_errors(), self._pool.connection() as conn:
            cur = await conn.execute(PURGE_WINDOWS, {"before": before})
            return cur.rowcount


async def purge_idempotency_keys(pool: Pool, before: datetime) -> int:
    """Delete idempotency keys created before ``before``; the policy keeps any under 24 h."""
    async with storage_errors(), pool.connection() as conn:
        await conn.execute(START_PURGE)
        cur = await conn.execute(PURGE_KEYS, {"before": before})
        return cur.rowcount
