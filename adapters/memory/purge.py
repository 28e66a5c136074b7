"""In-memory retention purge: idempotency keys past their 24 hours, old rate-limit windows."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.state import InMemoryDatabase
from application.ports import RecordPurge


class InMemoryRecordPurge(RecordPurge):
    """Purges the in-memory database across orgs."""

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
        windows = self.db.rate_limit_windows
        old = [key for key, window in windows.items() if window.start < before]
        for key in old:
            del windows[key]
        return len(old)

    async def purge_events(self, before: datetime) -> int:
        purged = 0
        for state in self.db.orgs.values():
            kept = [e for e in state.events if e.event.occurred_at >= before]
            purged += len(state.events) - len(kept)
            state.events[:] = kept
        return purged
