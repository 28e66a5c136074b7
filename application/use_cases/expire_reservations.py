"""The expiry job: mark reservations past expiry as expired and return their holds to available.

Reads never depend on this running (expired holds are discounted on read and released by the
writes that need the stock); the expiry job keeps stored state tidy and statuses final.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.events import Cause, level_events, reservation_event
from application.ports import ExpiredReservations
from application.stock_changes import apply_steps, plain
from application.use_cases.base import Deps, UseCase
from application.use_cases.settle_reservation import settle_steps
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpireReservations:
    """How many reservations to expire at most in this run."""

    limit: int = 1000


class ExpireReservationsHandler(UseCase):
    """Expire reservations past expiry, one small transaction each (a system task, no principal)."""

    def __init__(self, deps: Deps, expired: ExpiredReservations) -> None:
        super().__init__(deps)
        self.expired = expired

    async def __call__(self, command: ExpireReservations) -> int:
        now = self.deps.clock.now()
        expired = 0
        for org_id, reservation_id in await self.expired.list_expired(now, command.limit):
            expired += await self._expire_one(org_id, reservation_id)
        return expired

    async def _expire_one(self, org_id: str, reservation_id: UUID) -> int:
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            before = await uow.reservations.get(reservation_id, for_update=True)
            if before is None or not before.is_expired_unmarked(now):
                return 0  # settled or extended meanwhile
            after = before.expire(now)
            await uow.reservations.save(after)
            # Lines held in lots give each lot back what it held (ADR 0031).
            steps = settle_steps(before, after, fulfil=False)
            new_id = self.deps.ids.new_id
            changes = await apply_steps(uow, steps, now, new_id)
            applied = [(plain(change), c) for (_, change), c in zip(steps, changes, strict=True)]
            expired = reservation_event(new_id, EventType.RESERVATION_EXPIRED, after, now)
            cause = Cause(reservation_id=after.id)
            uow.events.add([expired, *level_events(new_id, applied, cause, {}, now)])
            await uow.commit()
            return 1
