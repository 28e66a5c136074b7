"""In-memory movements (append-only) and reservations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.state import OrgState
from adapters.memory.stock import expired_holds
from application.pagination import PageRequest
from application.ports import (
    ExpiredHolds,
    FirstHold,
    LedgerEntry,
    LevelChange,
    MovementFilter,
    Movements,
    ReservationFilter,
    Reservations,
)
from application.queries.reservations import reservation_sort_key
from application.queries.stock import ledger_after, ledger_sort_key
from domain.errors import AlreadyReversed, StockroomError
from domain.lot_holds import LotHold
from domain.movements import Movement
from domain.reservations import Reservation
from domain.stock import LevelKey, Reserve


class InMemoryMovements(Movements):
    """The ledger of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState, transaction: int) -> None:
        self._movements = state.movements
        self._positions = state.positions
        self._reversed_by = state.reversed_by
        self._transaction = transaction

    async def add(self, movement: Movement) -> None:
        if movement.reverses is not None:
            if movement.reverses in self._reversed_by:  # the twin of movements_reverses_key
                raise AlreadyReversed(f"movement {movement.reverses} was reversed already")
            self._reversed_by[movement.reverses] = movement.id
        self._movements[movement.id] = movement
        self._positions[movement.id] = self._transaction

    async def get(self, movement_id: UUID, *, for_update: bool = False) -> Movement | None:
        movement = self._movements.get(movement_id)
        return None if movement is None else self._linked(movement)

    def _linked(self, movement: Movement) -> Movement:
        reversal = self._reversed_by.get(movement.id)
        return movement if reversal is None else replace(movement, reversed_by=reversal)

    async def list(self, filters: MovementFilter, page: PageRequest) -> list[LedgerEntry]:
        # Units of work run one at a time here, so every stored movement is settled.
        rows = [
            LedgerEntry(self._positions[m.id], self._linked(m))
            for m in self._movements.values()
            if _matches(m, filters)
        ]
        rows.sort(key=ledger_sort_key)
        after = ledger_after(page)
        if after is not None:
            rows = [e for e in rows if ledger_sort_key(e) > after]
        return rows[: page.limit + 1]


def _matches(m: Movement, filters: MovementFilter) -> bool:
    return (
        (filters.item_id is None or any(line.item_id == filters.item_id for line in m.lines))
        and (
            filters.location_id is None
            or any(line.location_id == filters.location_id for line in m.lines)
        )
        and (filters.type is None or m.type is filters.type)
        and (filters.reference is None or m.reference == filters.reference)
        and (filters.since is None or m.created_at >= filters.since)
        and (filters.until is None or m.created_at < filters.until)
    )


class InMemoryReservations(Reservations):
    """Reservations of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState) -> None:
        self._state = state
        self._reservations = state.reservations

    async def add(self, reservation: Reservation) -> None:
        self._reservations[reservation.id] = reservation

    async def get(self, reservation_id: UUID, *, for_update: bool = False) -> Reservation | None:
        return self._reservations.get(reservation_id)

    async def save(self, reservation: Reservation) -> None:
        self._reservations[reservation.id] = reservation

    async def add_lots(self, reservation: Reservation) -> None:
        self._reservations[reservation.id] = reservation

    async def list(
        self, filters: ReservationFilter, page: PageRequest, now: datetime
    ) -> list[Reservation]:
        rows = [
            r
            for r in self._reservations.values()
            if (filters.status is None or r.as_of(now).status is filters.status)
            and (filters.reference is None or r.reference == filters.reference)
        ]
        rows.sort(key=reservation_sort_key)
        if page.after is not None:
            rows = [r for r in rows if reservation_sort_key(r) > page.after]
        return rows[: page.limit + 1]

    async def add_and_reserve(self, reservation: Reservation, now: datetime) -> FirstHold:
        (line,) = reservation.lines
        state = self._state
        item = state.items.get(line.item_id)
        location = state.locations.get(line.location_id)
        found = FirstHold(
            {} if item is None else {item.id: item},
            {} if location is None else {location.id: location},
            None,
        )
        level = state.levels.get(line.key)
        if (
            item is None
            or location is None
            or item.tracked
            or item.archived
            or location.archived
            or level is None
            or line.key in expired_holds(state, now)
        ):
            return found
        try:
            after = level.apply(Reserve(line.quantity), now)
        except StockroomError:
            return found
        state.levels[line.key] = after
        self._reservations[reservation.id] = reservation
        return replace(found, change=LevelChange(after, after.on_hand - level.on_hand))

    async def release_expired_holds(self, keys: Sequence[LevelKey], now: datetime) -> ExpiredHolds:
        wanted = set(keys)
        released: dict[LevelKey, int] = {}
        reservation_ids: list[UUID] = []
        lines: list[tuple[UUID, LevelKey, int]] = []
        lots: list[tuple[UUID, LevelKey, tuple[LotHold, ...]]] = []
        for reservation in sorted(self._reservations.values(), key=lambda r: r.id):
            if not any(line.key in wanted for line in reservation.expired_holds(now)):
                continue
            expired = reservation.expire(now)  # every line released, the header marked
            old = {line.key: line for line in reservation.lines}
            for part in expired.settled_parts(reservation):
                released[part.key] = released.get(part.key, 0) + part.quantity
                lines.append((reservation.id, part.key, part.quantity))
                line = next(line for line in expired.lines if line.key == part.key)
                if line.lots:  # what each lot held, given back under the level (ADR 0031)
                    holds = tuple(line.settled_holds(old[part.key]))
                    lots.append((reservation.id, part.key, holds))
            self._reservations[reservation.id] = expired
            reservation_ids.append(reservation.id)
        return ExpiredHolds(released, tuple(reservation_ids), tuple(lines), tuple(lots))
