"""Ship held stock: a shipment movement linked to the reservation."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.events import Cause, level_events, movement_posted, reservation_event
from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.stock_changes import ledger_lines
from application.use_cases.base import UseCase
from application.use_cases.settle_reservation import SettleReservation, settle
from domain.events import EventType
from domain.movements import Movement, MovementType
from domain.reservations import Reservation


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """The reservation after fulfilment and the shipment that took the stock."""

    reservation: Reservation
    movement_id: UUID


class FulfilReservationHandler(UseCase):
    """Fulfil all or part of an active reservation (any member)."""

    async def __call__(
        self, principal: Principal, command: SettleReservation, idempotency_key: str | None = None
    ) -> Outcome[Fulfilment]:
        org_id = principal.require(Permission.RESERVE)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:

            async def work() -> Fulfilment:
                new_id = self.deps.ids.new_id
                settled = await settle(uow, command, self.deps.clock, new_id, fulfil=True)
                reservation, changes, at = settled.reservation, settled.changes, settled.at
                movement = Movement(
                    id=self.deps.ids.new_id(),
                    type=MovementType.SHIPMENT,
                    reason=None,
                    reference=reservation.reference,
                    note=None,
                    actor=principal.user_id,
                    created_at=settled.at,
                    # One line per level, or per lot a line held in lots shipped from.
                    lines=ledger_lines(settled.steps, [c for _, c in changes]),
                    reservation_id=reservation.id,
                )
                await uow.movements.add(movement)
                fulfilled = reservation_event(
                    new_id, EventType.RESERVATION_FULFILLED, reservation, at
                )
                levels = level_events(new_id, changes, Cause(movement_id=movement.id), {}, at)
                uow.events.add([fulfilled, movement_posted(new_id, movement), *levels])
                return Fulfilment(reservation, movement.id)

            return await run_once(
                uow,
                key=idempotency_key,
                operation="fulfil_reservation",
                command=command,
                result_type=Fulfilment,
                now=now,
                work=work,
            )
