"""In-memory retention purge: idempotency keys past their 24 hours."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.state import InMemoryDatabase
from application.ports import RecordPurge


class InMemoryRecordPurge(RecordPurge):
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
