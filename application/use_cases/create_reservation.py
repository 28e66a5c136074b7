"""Hold stock for an order, taking it only from what is available."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from application.events import reservation_created
from application.idempotency import Outcome, run_once
from application.lot_ports import HoldChange
from application.lot_steps import hold_steps
from application.ports import LevelChange, UnitOfWork
from application.principal import Permission, Principal
from application.stock_changes import CatalogCheck, apply_steps, check_catalog, ensure_catalog
from application.use_cases.base import UseCase
from domain.reservations import LineQuantity, Reservation
from domain.stock import LevelKey, Reserve


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
        plain_steps = [(line.key, Reserve(line.quantity)) for line in reservation.lines]

        async with self.deps.uow(org_id) as uow:
            one_line = _one_plain_line(command)
            if one_line and idempotency_key is None:
                # One flight with its commit (ADR 0036). If it could not reserve, nothing of it
                # was written, and ``work`` runs in a new transaction: the same first flight
                # without the commit (the catalog held again), then the general path decides.
                first = await uow.reserve_and_commit(reservation, now, self.deps.ids.new_id)
                if first.change is not None:
                    return Outcome(reservation)

            async def work() -> Reservation:
                first = None
                if one_line:
                    # One flight: catalog, then reservation and stock together, unless the
                    # general path must decide (ADR 0035); its refusals come first, as there.
                    first = await uow.reservations.add_and_reserve(reservation, now)
                    catalog = check_catalog(plain_steps, first.items, first.locations)
                else:
                    catalog = await ensure_catalog(uow, plain_steps)
                if first is not None and first.change is not None:
                    held, changes = reservation, [first.change]
                else:
                    held, changes = await self._general(uow, command, reservation, catalog, now)
                applied = [(change, c) for (_, change), c in zip(plain_steps, changes, strict=True)]
                uow.events.add(
                    reservation_created(
                        self.deps.ids.new_id, held, applied, catalog.reorder_points, now
                    )
                )
                return held

            return await run_once(
                uow,
                key=idempotency_key,
                operation="create_reservation",
                command=command,
                result_type=Reservation,
                now=now,
                work=work,
            )

    async def _general(
        self,
        uow: UnitOfWork,
        command: CreateReservation,
        reservation: Reservation,
        catalog: CatalogCheck,
        now: datetime,
    ) -> tuple[Reservation, list[LevelChange]]:
        """Any reservation: lines of lot-tracked items held in lots (ADR 0031), the others
        with their one conditional update each, expired holds released first."""
        steps = await hold_steps(uow, command.lines, catalog.items)
        # Write the reservation first and take the stock last: the level's row lock is
        # then held only from the conditional update to the commit, which is what
        # bounds throughput on a hot item. A refusal rolls both back.
        await uow.reservations.add(reservation)
        changes = await apply_steps(uow, steps, now, self.deps.ids.new_id)
        held = in_lots(reservation, changes)
        if held is not reservation:  # the lots holding its lines, with the commit
            await uow.reservations.add_lots(held)
        return held, changes


def _one_plain_line(command: CreateReservation) -> bool:
    """One line naming no lot: what ``Reservations.add_and_reserve`` may take in one step."""
    if len(command.lines) != 1:
        return False
    line = command.lines[0]
    return line.lot_id is None and line.lot_code is None


def in_lots(reservation: Reservation, changes: list[LevelChange]) -> Reservation:
    """The new reservation with the lots each line of a tracked item was held in (the same
    reservation when no line is)."""
    holds: dict[LevelKey, HoldChange] = {
        line.key: c
        for line, c in zip(reservation.lines, changes, strict=True)
        if isinstance(c, HoldChange)
    }
    if not holds:
        return reservation
    lines = tuple(
        line.with_holds(list(holds[line.key].holds)) if line.key in holds else line
        for line in reservation.lines
    )
    return replace(reservation, lines=lines)
