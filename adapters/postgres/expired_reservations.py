"""Cross-org listing of reservations past expiry that are still stored as active.

Row-level security hides every org's rows from a transaction without ``app.org_id``; this
listing goes through the narrow read-only policy of migration 0006 instead (ADR 0008).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg import sql

from adapters.postgres.errors import storage_errors
from adapters.postgres.expiry_sql import past_expiry
from adapters.postgres.uow import Pool
from application.ports import ExpiredReservations

# Read-only; the setting (named app.sweep by migration 0006) lets only active reservations
# with an expiry through.
START_EXPIRY_LISTING = """
SELECT set_config('transaction_read_only', 'on', true), set_config('app.sweep', 'on', true)
"""
# expires_at IS NOT NULL repeats the predicate of the policy and of reservations_due_idx.
LIST_EXPIRED = sql.SQL("""
SELECT r.org_id, r.id FROM reservations r
WHERE r.status = 'active' AND r.expires_at IS NOT NULL AND {past_expiry}
ORDER BY r.expires_at LIMIT %(limit)s
""").format(past_expiry=past_expiry("r"))


class PostgresExpiredReservations(ExpiredReservations):
    """Reservations past expiry still stored as active, across orgs, soonest expired first."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def list_expired(self, now: datetime, limit: int) -> list[tuple[str, UUID]]:
        async with storage_errors(), self._pool.connection() as conn:
            await conn.execute(START_EXPIRY_LISTING)
            cur = await conn.execute(LIST_EXPIRED, {"now": now, "limit": limit})
            return [(org_id, reservation_id) for org_id, reservation_id in await cur.fetchall()]
