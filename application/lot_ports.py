"""Ports of lots (ADR 0024): lot-tracked level changes, the lots store and its read models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from application.pagination import PageRequest
from application.ports import LevelChange, StockFilter
from domain.lot_holds import HoldInLots, LotHold
from domain.lots import InLot, Lot, LotMove, LotPosition
from domain.stock import LevelKey


@dataclass(frozen=True, slots=True)
class LotChange(LevelChange):
    """A level change of a lot-tracked item, and what each lot of it gained or lost."""

    moves: tuple[LotMove, ...] = ()


@dataclass(frozen=True, slots=True)
class HoldChange(LotChange):
    """A reservation change of a lot-tracked level, and the holds it took or gave back, per
    lot in pick order (ADR 0031)."""

    holds: tuple[LotHold, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LotFilter:
    """Filters of GET /v1/lots: one item's lots, lots expiring before a date."""

    item_id: UUID | None = None
    expires_before: date | None = None


@dataclass(frozen=True, slots=True)
class LotStock:
    """A lot and its stock across the org's locations."""

    lot: Lot
    on_hand: int
    reserved: int
    available: int


@dataclass(frozen=True, slots=True)
class LotLevel:
    """A lot's position at one location (GET /v1/stock-levels?by=lot)."""

    location_id: UUID
    position: LotPosition
    available: int  # 0 once the lot has expired
    expired: bool


_LotStocks = list[LotStock]
_LotLevels = list[LotLevel]


class Lots(Protocol):
    """Lots of one org and their per-location positions (ADR 0024).

    ``change`` locks the level of (item, location) first (creating it on a first receipt),
    then its lots, applies ``domain.lots.apply_in_lots`` and writes the lots and the level in
    one go: every writer of a lot position holds its level, so lots never deadlock."""

    async def add(self, lot: Lot) -> Lot:
        """Store a new lot, or return the one the item already has under that code
        (ignoring case: a concurrent receipt may have created it)."""
        ...

    async def get(self, lot_id: UUID, *, for_update: bool = False) -> Lot | None: ...
    async def by_code(self, item_id: UUID, code: str) -> Lot | None: ...
    async def save(self, lot: Lot) -> None: ...
    async def list(self, filters: LotFilter, page: PageRequest, now: datetime) -> _LotStocks:
        """Lots in id order, each with its stock across the org."""
        ...

    async def stock(self, lot: Lot, now: datetime) -> LotStock: ...
    async def levels(self, filters: StockFilter, page: PageRequest, now: datetime) -> _LotLevels:
        """Lot positions in (item_id, location_id, lot_id) order."""
        ...

    async def lock_totals(self, lot_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Lock the lots (in id order) and return each one's on_hand across the org."""
        ...

    async def change(self, key: LevelKey, step: InLot, now: datetime) -> LotChange: ...
    async def hold(self, key: LevelKey, step: HoldInLots, now: datetime) -> HoldChange:
        """A reservation change of a tracked level (``domain.lot_holds.apply_holds``), under the
        same locks as ``change``: the level row, then its lot rows by lot id (ADR 0031)."""
        ...

    async def on_hand_at(
        self, location_id: UUID, lots: Sequence[tuple[UUID, UUID]]
    ) -> dict[UUID, int]:
        """What each lot, (item_id, lot_id), holds at the location as the books say now (a
        count session's snapshot of a position, ADR 0032); one with no position is absent."""
        ...
