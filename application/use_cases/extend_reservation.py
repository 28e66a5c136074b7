"""Keep an active reservation for longer."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.events import reservation_event
from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.errors import NotFound
from domain.events import EventType
from domain.reservations import Reservation


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendReservation:
    """Hold until now + ``ttl_seconds``."""

    reservation_id: UUID
    ttl_seconds: int


class ExtendReservationHandler(UseCase):
    """Extend an active, unexpired reservation (any member)."""

    async def __call__(
        self, principal: Principal, command: ExtendReservation, idempotency_key: str | None = None
    ) -> Outcome[Reservation]:
        org_id = principal.require(Permission.RESERVE)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> Reservation:
                current = await uow.reservations.get(command.reservation_id, for_update=True)
                if current is None:
                    raise NotFound(
                        f"reservation {command.reservation_id} not found", resource="reservation"
                    )
                # Decided when the lock is held: the hold may have expired while we waited.
                extended = current.extend(command.ttl_seconds, self.deps.clock.now())
                await uow.reservations.save(extended)
                announced = reservation_event(
                    self.deps.ids.new_id, EventType.RESERVATION_EXTENDED, extended, now
                )
                uow.events.add([announced])
                return extended

            return await run_once(
                uow,
                key=idempotency_key,
                operation="extend_reservation",
                command=command,
                result_type=Reservation,
                now=now,
                work=work,
            )
