"""In-memory cross-org tasks: the expiry sweep's query and housekeeping purges."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from adapters.memory.state import InMemoryDatabase
from application.ports import DueReservations, Housekeeping
from domain.reservations import ReservationStatus


class InMemoryDueReservations(DueReservations):
    """Scans every org for reservations past expiry that are still stored as active."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db

    async def due(self, now: datetime, limit: int) -> list[tuple[str, UUID]]:
        due = [
            (org_id, r.id)
            for org_id, state in self.db.orgs.items()
            for r in state.reservations.values()
            if r.status is ReservationStatus.ACTIVE and r.is_expired(now)
        ]
        return due[:limit]


class InMemoryHousekeeping(Housekeeping):
    """Purges the in-memory database (it keeps no rate-limit windows: nothing to purge)."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self.db = db

    async def purge_idempotency_keys(self, before: datetime) -> int:
        purged = 0
        for state in self.db.orgs.values():
            for key in [k for k, r in state.idempotency.items() if r.created_at < before]:
                del state.idempotency[key]
                purged += 1
        return purged

    async def purge_rate_limit_windows(self, before: datetime) -> int:
        return 0
