"""The state machine's hands: calls into the use cases, and the model's expected outcomes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.idempotency import Outcome
from application.ports import ExpiredReservations, MovementFilter, StockFilter
from application.principal import Principal
from application.queries.reservations import GetReservationHandler
from application.queries.stock import ListMovementsHandler, ListStockLevelsHandler
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.expire_reservations import ExpireReservations, ExpireReservationsHandler
from application.use_cases.extend_reservation import ExtendReservation, ExtendReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import (
    CountMismatch,
    InsufficientStock,
    InvalidTransition,
    ReservedStockConflict,
    StockroomError,
)
from domain.events import Event
from domain.movements import (
    AdjustmentReason,
    CountLine,
    Movement,
    MovementRequest,
    MovementType,
    QuantityLine,
    TransferLine,
)
from domain.reservations import LineQuantity
from domain.stock import StockLevel
from tests.contract.feed import read_all
from tests.property.model import Key, Model, ModelLine, ModelReservation

__all__ = ["InvalidTransition", "Key", "Operations"]


class Operations:
    """Use-case calls for one org, addressing items and locations by index."""

    def __init__(self, deps: Deps, expired: ExpiredReservations, principal: Principal) -> None:
        self.deps, self.expired, self.principal = deps, expired, principal
        self.items: list[UUID] = []
        self.locations: list[UUID] = []
        self._key_seq = 0
        self._feed_cursor: str | None = None

    async def new_events(self) -> list[Event]:
        """Events written since the last call, in feed order."""
        events, self._feed_cursor = await read_all(self.deps, self.principal, self._feed_cursor)
        return events

    def key_of_subject(self, subject_id: str) -> Key:
        item, location = subject_id.split(":")
        return (
            [str(i) for i in self.items].index(item),
            [str(loc) for loc in self.locations].index(location),
        )

    async def create_catalog(
        self, items: int, locations: int, reorder_points: list[int | None]
    ) -> None:
        for i in range(items):
            cmd = CreateItem(sku=f"SKU-{i}", name=f"Item {i}", reorder_point=reorder_points[i])
            self.items.append((await CreateItemHandler(self.deps)(self.principal, cmd)).value.id)
        for i in range(locations):
            cmd2 = CreateLocation(code=f"LOC-{i}", name=f"Location {i}")
            location = (await CreateLocationHandler(self.deps)(self.principal, cmd2)).value
            self.locations.append(location.id)

    def key_of(self, row: Any) -> Key:
        return (self.items.index(row.item_id), self.locations.index(row.location_id))

    def _line(self, key: Key, quantity: int) -> QuantityLine:
        return QuantityLine(self.items[key[0]], self.locations[key[1]], quantity)

    async def _post(self, request: MovementRequest, key: str | None = None) -> Outcome[Movement]:
        return await PostMovementHandler(self.deps)(self.principal, request, key)

    async def receive(self, key: Key, quantity: int) -> Movement:
        lines = (self._line(key, quantity),)
        return (await self._post(MovementRequest(type=MovementType.RECEIPT, lines=lines))).value

    async def receive_twice_with_one_key(
        self, key: Key, quantity: int
    ) -> tuple[Outcome[Movement], Outcome[Movement]]:
        self._key_seq += 1
        request = MovementRequest(type=MovementType.RECEIPT, lines=(self._line(key, quantity),))
        idem = f"key-{self._key_seq}"
        return await self._post(request, idem), await self._post(request, idem)

    async def ship(self, key: Key, quantity: int) -> Movement:
        lines = (self._line(key, quantity),)
        return (await self._post(MovementRequest(type=MovementType.SHIPMENT, lines=lines))).value

    async def transfer(self, item: int, source: int, destination: int, quantity: int) -> Movement:
        line = TransferLine(
            self.items[item], self.locations[source], self.locations[destination], quantity
        )
        request = MovementRequest(type=MovementType.TRANSFER, lines=(line,))
        return (await self._post(request)).value

    async def adjust(self, key: Key, delta: int) -> Movement:
        request = MovementRequest(
            type=MovementType.ADJUSTMENT,
            reason=AdjustmentReason.CORRECTION,
            lines=(self._line(key, delta),),
        )
        return (await self._post(request)).value

    async def count(self, key: Key, counted: int, expected: int | None) -> Movement:
        line = CountLine(self.items[key[0]], self.locations[key[1]], counted, expected)
        request = MovementRequest(type=MovementType.COUNT, lines=(line,))
        return (await self._post(request)).value

    async def reserve(self, lines: dict[Key, int], ttl: int | None) -> str:
        parts = tuple(
            LineQuantity(self.items[k[0]], self.locations[k[1]], q) for k, q in lines.items()
        )
        cmd = CreateReservation(lines=parts, ttl_seconds=ttl)
        return str((await CreateReservationHandler(self.deps)(self.principal, cmd)).value.id)

    async def settle(self, rid: str, parts: dict[Key, int] | None, *, fulfil: bool) -> object:
        lines = None
        if parts is not None:
            lines = tuple(
                LineQuantity(self.items[k[0]], self.locations[k[1]], q) for k, q in parts.items()
            )
        cmd = SettleReservation(reservation_id=UUID(rid), lines=lines)
        handler = FulfilReservationHandler if fulfil else ReleaseReservationHandler
        return (await handler(self.deps)(self.principal, cmd)).value

    async def extend(self, rid: str, ttl: int) -> object:
        cmd = ExtendReservation(reservation_id=UUID(rid), ttl_seconds=ttl)
        return (await ExtendReservationHandler(self.deps)(self.principal, cmd)).value

    async def expire_reservations(self) -> int:
        return await ExpireReservationsHandler(self.deps, self.expired)(ExpireReservations())

    async def get_reservation(self, rid: str, principal: Principal) -> Any:
        return await GetReservationHandler(self.deps)(principal, UUID(rid))

    async def all_levels(self, principal: Principal) -> list[StockLevel]:
        levels: list[StockLevel] = []
        cursor = None
        while True:
            page = await ListStockLevelsHandler(self.deps)(principal, StockFilter(), 3, cursor)
            levels += page.items
            if (cursor := page.next_cursor) is None:
                return levels

    async def ledger_sums(self) -> dict[Key, int]:
        sums: dict[Key, int] = {}
        cursor = None
        while True:
            page = await ListMovementsHandler(self.deps)(
                self.principal, MovementFilter(), 200, cursor
            )
            for movement in page.items:
                for line in movement.lines:
                    key = self.key_of(line)
                    sums[key] = sums.get(key, 0) + line.delta
            if (cursor := page.next_cursor) is None:
                return sums


# --- expected outcomes, computed from the model alone --------------------------------------


def expect_take(model: Model, key: Key, quantity: int) -> type[StockroomError] | None:
    return None if quantity <= model.available(key) else InsufficientStock


def expect_adjust(model: Model, key: Key, delta: int) -> type[StockroomError] | None:
    after = model.on_hand.get(key, 0) + delta
    if after < 0:
        return InsufficientStock
    return ReservedStockConflict if after < model.reserved(key) else None


def expect_count(
    model: Model, key: Key, counted: int, expected: int | None
) -> type[StockroomError] | None:
    if expected is not None and expected != model.on_hand.get(key, 0):
        return CountMismatch
    return ReservedStockConflict if counted < model.reserved(key) else None


def expect_reserve(model: Model, lines: dict[Key, int]) -> type[StockroomError] | None:
    ok = all(q <= model.available(k) for k, q in lines.items())
    return None if ok else InsufficientStock


def model_reservation(model: Model, lines: dict[Key, int], ttl: int | None) -> ModelReservation:
    expires = None if ttl is None else model.now + ttl
    return ModelReservation({k: ModelLine(q) for k, q in lines.items()}, expires)


def open_parts(model: Model, rid: str) -> dict[Key, int]:
    r = model.reservations[rid]
    return {k: line.open for k, line in r.lines.items() if line.open}


def expect_settle(
    model: Model, rid: str, part: int | None
) -> tuple[dict[Key, int] | None, type[StockroomError] | None]:
    """Parts to settle (None = all open) and the expected error; ``part`` asks that many
    units of the first line, which may exceed what is open."""
    r = model.reservations[rid]
    if part is None:
        parts = None
        over = False
    else:
        first = next(iter(r.lines))
        parts = {first: part}
        over = part > r.lines[first].open
    if r.effective_status(model.now) != "active" or over:
        return parts, InvalidTransition
    return parts, None
