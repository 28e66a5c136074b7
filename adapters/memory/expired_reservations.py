"""In-memory cross-org listing of reservations past expiry still stored as active."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from adapters.memory.state import InMemoryDatabase
from application.ports import ExpiredReservations


class InMemoryExpiredReservations(ExpiredReservations):
    """Scans every org for reservations past expiry that are still stored as active."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db

    async def list_expired(self, now: datetime, limit: int) -> list[tuple[str, UUID]]:
        expired = [
            (org_id, r.id)
            for org_id, state in self.db.orgs.items()
            for r in state.reservations.values()
            if r.is_expired_unmarked(now)
        ]
        return expired[:limit]
