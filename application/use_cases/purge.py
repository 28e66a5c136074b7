"""Delete idempotency keys past their 24-hour promise, rate-limit windows long over, and
events past their retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.ports import Clock, RecordPurge

KEEP_IDEMPOTENCY_KEYS = timedelta(hours=24)  # docs/design.md §4: kept >= 24 h
KEEP_RATE_LIMIT_WINDOWS = timedelta(hours=1)  # windows are a minute long


@dataclass(frozen=True, slots=True)
class Purged:
    """How many records each purge deleted."""

    idempotency_keys: int
    rate_limit_windows: int
    events: int = 0


class PurgeHandler:
    """A system task (no principal): run it from cron, e.g. hourly."""

    def __init__(
        self, clock: Clock, record_purge: RecordPurge, event_retention_days: int = 7
    ) -> None:
        self.clock = clock
        self.record_purge = record_purge
        self.event_retention = timedelta(days=event_retention_days)

    async def __call__(self) -> Purged:
        now = self.clock.now()
        keys = await self.record_purge.purge_idempotency_keys(now - KEEP_IDEMPOTENCY_KEYS)
        windows = await self.record_purge.purge_rate_limit_windows(now - KEEP_RATE_LIMIT_WINDOWS)
        events = await self.record_purge.purge_events(now - self.event_retention)
        return Purged(idempotency_keys=keys, rate_limit_windows=windows, events=events)
