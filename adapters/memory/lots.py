"""In-memory lots and positions: the same domain rule as Postgres, on the working copy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.state import OrgState
from application.lot_ports import HoldChange, LotChange, LotFilter, LotLevel, Lots, LotStock
from application.pagination import PageRequest
from application.ports import StockFilter
from domain.lot_holds import HoldInLots, apply_holds
from domain.lots import InLot, Lot, LotPosition, apply_in_lots, figures, today_of
from domain.stock import LevelKey, StockLevel


def expired_lot_holds(state: OrgState, now: datetime) -> dict[tuple[LevelKey, UUID], int]:
    """What holds past expiry still hold in each lot position: nothing, once read (the
    per-lot side of ``expired_holds`` in adapters/memory/stock.py)."""
    held: dict[tuple[LevelKey, UUID], int] = {}
    for reservation in state.reservations.values():
        for line in reservation.expired_holds(now):
            for hold in line.open_holds():
                place = (line.key, hold.lot.id)
                held[place] = held.get(place, 0) + hold.quantity
    return held


def _as_read(
    key: LevelKey, positions: dict[UUID, LotPosition], expired: dict[tuple[LevelKey, UUID], int]
) -> dict[UUID, LotPosition]:
    """Positions with the holds past expiry discounted, as every read reports them."""
    return {
        lot_id: replace(p, reserved=p.reserved - expired.get((key, lot_id), 0))
        for lot_id, p in positions.items()
    }


def lot_figures(state: OrgState, level: StockLevel, now: datetime) -> StockLevel:
    """A level with its expiry figures (a level of an untracked item has none)."""
    positions = state.lot_levels.get(level.key)
    if not positions:
        return level
    positions = _as_read(level.key, positions, expired_lot_holds(state, now))
    found = figures(positions, today_of(now))
    return replace(level, expired=found.expired, expired_unreserved=found.expired_unreserved)


_LotStocks = list[LotStock]
_LotLevels = list[LotLevel]


class InMemoryLots(Lots):
    """Lots of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState) -> None:
        self._state = state

    async def add(self, lot: Lot) -> Lot:
        existing = await self.by_code(lot.item_id, lot.code)
        if existing is not None:
            return existing
        self._state.lots[lot.id] = lot
        return lot

    async def get(self, lot_id: UUID, *, for_update: bool = False) -> Lot | None:
        return self._state.lots.get(lot_id)

    async def by_code(self, item_id: UUID, code: str) -> Lot | None:
        wanted = code.lower()
        for lot in self._state.lots.values():
            if lot.item_id == item_id and lot.code.lower() == wanted:
                return lot
        return None

    async def save(self, lot: Lot) -> None:
        self._state.lots[lot.id] = lot
        # Positions carry the lot they are of: keep them in step with its new date.
        for positions in self._state.lot_levels.values():
            if lot.id in positions:
                positions[lot.id] = replace(positions[lot.id], lot=lot)
        # And so do transfer lines in lots (ADR 0034; Postgres reads the lot with them).
        for transfer in list(self._state.transfers.values()):
            if any(part.lot.id == lot.id for line in transfer.lines for part in line.lots):
                self._state.transfers[transfer.id] = transfer.with_lot(lot)

    async def list(self, filters: LotFilter, page: PageRequest, now: datetime) -> _LotStocks:
        rows = []
        for lot in sorted(self._state.lots.values(), key=lambda t: t.id):
            if filters.item_id is not None and lot.item_id != filters.item_id:
                continue
            if filters.expires_before is not None and not (
                lot.expires_on is not None and lot.expires_on < filters.expires_before
            ):
                continue
            if page.after is not None and str(lot.id) <= page.after[0]:
                continue
            rows.append(await self.stock(lot, now))
            if len(rows) > page.limit:
                break
        return rows

    async def stock(self, lot: Lot, now: datetime) -> LotStock:
        on_hand = reserved = 0
        expired = expired_lot_holds(self._state, now)
        for key, positions in self._state.lot_levels.items():
            if lot.id in positions:
                on_hand += positions[lot.id].on_hand
                reserved += positions[lot.id].reserved - expired.get((key, lot.id), 0)
        available = 0 if lot.is_expired(today_of(now)) else on_hand - reserved
        return LotStock(lot, on_hand, reserved, available)

    async def levels(self, filters: StockFilter, page: PageRequest, now: datetime) -> _LotLevels:
        today = today_of(now)
        past_expiry = expired_lot_holds(self._state, now)
        rows = []
        for key in sorted(self._state.lot_levels):
            if filters.item_id is not None and key.item_id != filters.item_id:
                continue
            if filters.location_id is not None and key.location_id != filters.location_id:
                continue
            positions = _as_read(key, self._state.lot_levels[key], past_expiry)
            for lot_id in sorted(positions):
                sort_key = (str(key.item_id), str(key.location_id), str(lot_id))
                if page.after is not None and sort_key <= page.after:
                    continue
                position = positions[lot_id]
                expired = position.lot.is_expired(today)
                rows.append(LotLevel(key.location_id, position, position.available(today), expired))
                if len(rows) > page.limit:
                    return rows
        return rows

    async def lock_totals(self, lot_ids: Sequence[UUID]) -> dict[UUID, int]:
        totals = dict.fromkeys(sorted(lot_ids), 0)
        for positions in self._state.lot_levels.values():
            for lot_id, position in positions.items():
                if lot_id in totals:
                    totals[lot_id] += position.on_hand
        # A unit in transit still counts (ADR 0034).
        for transfer in self._state.transfers.values():
            for line in transfer.lines:
                for part in line.lots:
                    if part.lot.id in totals:
                        totals[part.lot.id] += part.in_transit
        return totals

    async def change(self, key: LevelKey, step: InLot, now: datetime) -> LotChange:
        before = self._state.levels.get(key) or StockLevel.empty(key, now)
        positions = {
            lot_id: p
            for lot_id, p in self._state.lot_levels.get(key, {}).items()
            if p.on_hand > 0 or (step.lot is not None and lot_id == step.lot.id)
        }
        after, lots, moves = apply_in_lots(before, positions, step, now)
        stored = self._state.lot_levels.setdefault(key, {})
        for move in moves:
            stored[move.lot.id] = lots[move.lot.id]
        # Stored without figures: they depend on the day they are read (lot_figures).
        self._state.levels[key] = replace(after, expired=0, expired_unreserved=0)
        return LotChange(after, after.on_hand - before.on_hand, tuple(moves))

    async def on_hand_at(
        self, location_id: UUID, lots: Sequence[tuple[UUID, UUID]]
    ) -> dict[UUID, int]:
        found: dict[UUID, int] = {}
        for item_id, lot_id in lots:
            position = self._state.lot_levels.get(LevelKey(item_id, location_id), {}).get(lot_id)
            if position is not None:
                found[lot_id] = position.on_hand
        return found

    async def hold(self, key: LevelKey, step: HoldInLots, now: datetime) -> HoldChange:
        before = self._state.levels.get(key) or StockLevel.empty(key, now)
        positions = {
            lot_id: p for lot_id, p in self._state.lot_levels.get(key, {}).items() if p.on_hand > 0
        }
        if step.lot is not None and step.lot.id not in positions:
            named = self._state.lot_levels.get(key, {}).get(step.lot.id)
            if named is not None:
                positions[step.lot.id] = named
        after, lots, holds, moves = apply_holds(before, positions, step, now)
        stored = self._state.lot_levels.setdefault(key, {})
        for hold in holds:
            stored[hold.lot.id] = lots[hold.lot.id]
        self._state.levels[key] = replace(after, expired=0, expired_unreserved=0)
        return HoldChange(after, after.on_hand - before.on_hand, tuple(moves), tuple(holds))
