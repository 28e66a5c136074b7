"""Hold stock for an order, taking it only from what is available."""

from __future__ import annotations

from dataclasses import dataclass

from application.events import Cause, level_events, reservation_event
from application.idempotency import Outcome, run_once
from application.lot_steps import refuse_tracked
from application.principal import Permission, Principal
from application.stock_changes import apply_steps, ensure_catalog
from application.use_cases.base import UseCase
from domain.events import EventType
from domain.reservations import LineQuantity, Reservation
from domain.stock import Reserve


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateReservation:
    """Lines to hold; without ``ttl_seconds`` the hold lasts until released or fulfilled."""

    lines: tuple[LineQuantity, ...]
    reference: str | None = None
    ttl_seconds: int | None = None


class CreateReservationHandler(UseCase):
    """Reserve stock (any member); all lines or none."""

    async def __call__(
        self, principal: Principal, command: CreateReservation, idempotency_key: str | None = None
    ) -> Outcome[Reservation]:
        org_id = principal.require(Permission.RESERVE)
        now = self.deps.clock.now()
        reservation = Reservation.create(
            id=self.deps.ids.new_id(),
            reference=command.reference,
            lines=command.lines,
            ttl_seconds=command.ttl_seconds,
            created_by=principal.user_id,
            now=now,
        )
        steps = [(line.key, Reserve(line.quantity)) for line in reservation.lines]

        async with self.deps.uow(org_id) as uow:

            async def work() -> Reservation:
                catalog = await ensure_catalog(uow, steps)
                refuse_tracked(catalog.items, [key.item_id for key, _ in steps], "reservations")
                reorder_points = catalog.reorder_points
                # Write the reservation first and take the stock last: the level's row lock is
                # then held only from the conditional update to the commit, which is what
                # bounds throughput on a hot item. A refusal rolls both back.
                await uow.reservations.add(reservation)
                changes = await apply_steps(uow, steps, now, self.deps.ids.new_id)
                new_id = self.deps.ids.new_id
                created = reservation_event(new_id, EventType.RESERVATION_CREATED, reservation, now)
                applied = [(change, c) for (_, change), c in zip(steps, changes, strict=True)]
                cause = Cause(reservation_id=reservation.id)
                uow.events.add(
                    [created, *level_events(new_id, applied, cause, reorder_points, now)]
                )
                return reservation

            return await run_once(
                uow,
                key=idempotency_key,
                operation="create_reservation",
                command=command,
                result_type=Reservation,
                now=now,
                work=work,
            )
