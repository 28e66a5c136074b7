"""Stock levels per (item, location) and the changes that move them.

Every change is a small value; ``StockLevel.apply`` is the single definition of what a change
may do. The in-memory adapter calls it directly; the Postgres adapter runs the same rule as one
conditional UPDATE and calls ``apply`` only to explain a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from domain import rules
from domain.errors import (
    CountMismatch,
    InsufficientStock,
    InvalidTransferState,
    InvalidTransition,
    QuantityOutOfRange,
    ReservedStockConflict,
)


class LevelKey(NamedTuple):
    """Identifies a stock level; also the fixed lock order for multi-level writes."""

    item_id: UUID
    location_id: UUID


@dataclass(frozen=True, slots=True)
class Receive:
    """Stock arrives: on_hand += quantity."""

    quantity: int


@dataclass(frozen=True, slots=True)
class Ship:
    """Stock leaves (shipment, transfer out); only from available."""

    quantity: int


@dataclass(frozen=True, slots=True)
class Adjust:
    """A signed correction; a decrease comes only from available."""

    delta: int


@dataclass(frozen=True, slots=True)
class Count:
    """A stocktake: on_hand becomes ``counted``, optionally only if it still is ``expected``."""

    counted: int
    expected_on_hand: int | None = None


@dataclass(frozen=True, slots=True)
class Reserve:
    """Hold stock for an order: reserved += quantity, only from available."""

    quantity: int


@dataclass(frozen=True, slots=True)
class Release:
    """Give held stock back to available: reserved -= quantity."""

    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfil:
    """Ship held stock: reserved and on_hand both drop by quantity."""

    quantity: int


@dataclass(frozen=True, slots=True)
class Expect:
    """Stock in transit towards this level: incoming += delta (a transfer shipped, or, with a
    negative delta, cancelled)."""

    delta: int


@dataclass(frozen=True, slots=True)
class Arrive:
    """Stock in transit arrives: incoming -= quantity, on_hand += quantity."""

    quantity: int


@dataclass(frozen=True, slots=True)
class Return:
    """Stock that left comes back (a cancelled transfer, a reversed shipment): on_hand +=
    quantity. Not new stock, so an archived item or location takes it too."""

    quantity: int


@dataclass(frozen=True, slots=True)
class Recount:
    """A count session's line: on_hand moves by counted minus the snapshot, so the movements
    since the snapshot stay applied; never below reserved."""

    delta: int


StockChange = (
    Receive
    | Ship
    | Adjust
    | Count
    | Reserve
    | Release
    | Fulfil
    | Expect
    | Arrive
    | Return
    | Recount
)


@dataclass(frozen=True, slots=True, kw_only=True)
class StockLevel:
    """How much of an item is at a location, and how much of that is held."""

    item_id: UUID
    location_id: UUID
    on_hand: int
    reserved: int
    version: int
    updated_at: datetime
    incoming: int = 0  # in transit towards this level (transfers shipped, not yet received)
    # Lot-tracked items only (domain/lots.py): on_hand in expired lots, and of that what no
    # reservation holds, which is not available (nothing expired is reserved or shipped).
    expired: int = 0
    expired_unreserved: int = 0

    @property
    def key(self) -> LevelKey:
        return LevelKey(self.item_id, self.location_id)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.expired_unreserved

    @classmethod
    def empty(cls, key: LevelKey, now: datetime) -> StockLevel:
        """A level that has never held stock (version 0: not stored yet)."""
        return cls(
            item_id=key.item_id,
            location_id=key.location_id,
            on_hand=0,
            reserved=0,
            version=0,
            updated_at=now,
        )

    def apply(self, change: StockChange, now: datetime) -> StockLevel:
        """The level after ``change``, or the domain error that refuses it."""
        on_hand, reserved, incoming = self.on_hand, self.reserved, self.incoming
        match change:
            case Receive(quantity):
                on_hand = self._added(quantity)
            case Ship(quantity):
                self._ensure_available(quantity)
                on_hand -= quantity
            case Adjust(delta):
                if delta < 0 and self.on_hand + delta < 0:
                    self._ensure_available(-delta)
                on_hand = self._added(delta)
                if on_hand < reserved:
                    raise self._reserved_conflict(on_hand)
            case Count(counted, expected):
                if expected is not None and expected != on_hand:
                    raise CountMismatch(
                        f"on_hand is {on_hand}, not the expected {expected}",
                        expected_on_hand=expected,
                        on_hand=on_hand,
                        **self._ids(),
                    )
                if counted < reserved:
                    raise self._reserved_conflict(counted)
                on_hand = counted
            case Reserve(quantity):
                self._ensure_available(quantity)
                reserved += quantity
            case Release(quantity):
                self._ensure_held(quantity)
                reserved -= quantity
            case Fulfil(quantity):
                self._ensure_held(quantity)
                on_hand -= quantity
                reserved -= quantity
            case Expect(delta):
                self._ensure_incoming(-delta)
                incoming += delta
            case Arrive(quantity):
                self._ensure_incoming(quantity)
                incoming -= quantity
                on_hand += quantity
            case Return(quantity):
                on_hand += quantity
            case Recount(delta):
                if on_hand + delta < reserved:
                    raise self._reserved_conflict(on_hand + delta)
                on_hand += delta
        return replace(
            self,
            on_hand=on_hand,
            reserved=reserved,
            incoming=incoming,
            version=self.version + 1,
            updated_at=now,
        )

    def _added(self, delta: int) -> int:
        if self.on_hand + delta > rules.MAX_ON_HAND:
            raise QuantityOutOfRange(
                f"the level would hold more than {rules.MAX_ON_HAND}, the most it can hold",
                **self._ids(),
            )
        return self.on_hand + delta

    def _ensure_available(self, quantity: int) -> None:
        if quantity > self.available:
            raise InsufficientStock(
                f"requested {quantity}, available {self.available}",
                lines=[{**self._ids(), "requested": quantity, "available": self.available}],
            )

    def _ensure_held(self, quantity: int) -> None:
        # Reservations only give back what they hold; anything else is a bookkeeping bug.
        if quantity > self.reserved:
            raise InvalidTransition(
                f"cannot give back {quantity}, only {self.reserved} is reserved", **self._ids()
            )

    def _ensure_incoming(self, quantity: int) -> None:
        # Transfers only take out of transit what they put in; anything else is a bookkeeping bug.
        if quantity > self.incoming:
            raise InvalidTransferState(
                f"cannot take {quantity} out of transit, only {self.incoming} is incoming",
                **self._ids(),
            )

    def _reserved_conflict(self, resulting: int) -> ReservedStockConflict:
        position = {**self._ids(), "reserved": self.reserved, "resulting_on_hand": resulting}
        return ReservedStockConflict(
            f"on_hand would be {resulting}, below the {self.reserved} reserved; "
            "release or fulfil reservations first",
            reserved=self.reserved,
            positions=[position],
            **self._ids(),
        )

    def _ids(self) -> dict[str, str]:
        return {"item_id": str(self.item_id), "location_id": str(self.location_id)}
