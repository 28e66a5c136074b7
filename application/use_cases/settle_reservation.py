"""Release or fulfil (part of) a reservation: the shared steps of both use cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.ports import Clock, LevelChange, UnitOfWork
from application.stock_changes import Step, apply_steps
from domain.errors import NotFound
from domain.lot_holds import HoldInLots
from domain.reservations import LineQuantity, Reservation
from domain.stock import Fulfil, Release, StockChange


@dataclass(frozen=True, slots=True, kw_only=True)
class SettleReservation:
    """Which reservation, and which parts (None: everything still open)."""

    reservation_id: UUID
    lines: tuple[LineQuantity, ...] | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """The reservation after a settle, its level changes, and the time it was decided at."""

    reservation: Reservation
    changes: list[tuple[StockChange, LevelChange]]
    at: datetime
    steps: list[Step]


async def settle(
    uow: UnitOfWork,
    command: SettleReservation,
    clock: Clock,
    new_id: Callable[[], UUID],
    *,
    fulfil: bool,
) -> Settlement:
    """Lock the reservation (row, then lines), update it, then its levels in key order."""
    before = await uow.reservations.get(command.reservation_id, for_update=True)
    if before is None:
        raise NotFound(f"reservation {command.reservation_id} not found", resource="reservation")
    # Decided at the time the lock is held, not when the request arrived: a wait on the lock
    # may outlast the hold, and an expired hold is no longer this reservation's to settle.
    now = clock.now()
    after = before.fulfil(command.lines, now) if fulfil else before.release(command.lines, now)
    await uow.reservations.save(after)
    parts = after.settled_parts(before)
    steps = settle_steps(before, after, fulfil=fulfil)
    changes = await apply_steps(uow, steps, now, new_id)
    pairs: list[tuple[StockChange, LevelChange]] = [
        (Fulfil(p.quantity) if fulfil else Release(p.quantity), result)
        for p, result in zip(parts, changes, strict=True)
    ]
    return Settlement(after, pairs, now, steps)


def settle_steps(before: Reservation, after: Reservation, *, fulfil: bool) -> list[Step]:
    """The level changes of a settle (or an expiry: ``fulfil`` False), one per line settled;
    a line held in lots gives back (or ships from) the lots it took, in pick order."""
    old = {line.key: line for line in before.lines}
    steps: list[Step] = []
    for p in after.settled_parts(before):
        change = Fulfil(p.quantity) if fulfil else Release(p.quantity)
        line = next(line for line in after.lines if line.key == p.key)
        if line.lots:
            holds = tuple(line.settled_holds(old[p.key]))
            steps.append((p.key, HoldInLots(change, holds=holds)))
        else:
            steps.append((p.key, change))
    return steps
