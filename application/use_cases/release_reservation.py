"""Give held stock back to available."""

from __future__ import annotations

from application.events import Cause, level_events, reservation_event
from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from application.use_cases.settle_reservation import SettleReservation, settle
from domain.events import EventType
from domain.reservations import Reservation


class ReleaseReservationHandler(UseCase):
    """Release all or part of an active reservation (any member)."""

    async def __call__(
        self, principal: Principal, command: SettleReservation, idempotency_key: str | None = None
    ) -> Outcome[Reservation]:
        org_id = principal.require(Permission.RESERVE)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> Reservation:
                new_id = self.deps.ids.new_id
                settled = await settle(uow, command, self.deps.clock, new_id, fulfil=False)
                reservation, at = settled.reservation, settled.at
                released = reservation_event(
                    new_id, EventType.RESERVATION_RELEASED, reservation, at
                )
                cause = Cause(reservation_id=reservation.id)
                uow.events.add([released, *level_events(new_id, settled.changes, cause, {}, at)])
                return reservation

            return await run_once(
                uow,
                key=idempotency_key,
                operation="release_reservation",
                command=command,
                result_type=Reservation,
                now=now,
                work=work,
            )
