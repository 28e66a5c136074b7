"""Lots of one org and their positions: the level locked first, the domain rule decides."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.postgres import lot_sql as q
from adapters.postgres.cursors import uuid_part
from adapters.postgres.lot_reads_sql import LOT_STOCK, list_lot_levels, list_lots
from adapters.postgres.repository import Repository, Row, utc
from application.lot_ports import HoldChange, LotChange, LotFilter, LotLevel, Lots, LotStock
from application.pagination import PageRequest
from application.ports import StockFilter
from domain.lot_holds import HoldInLots, apply_holds
from domain.lots import InLot, Lot, LotPosition, apply_in_lots, today_of
from domain.stock import LevelKey, StockLevel


def lot_from_row(row: Row) -> Lot:
    return Lot(
        id=row["id"],
        item_id=row["item_id"],
        code=row["code"],
        expires_on=row["expires_on"],
        created_at=utc(row["created_at"]),
    )


def _stock(row: Row, now: datetime) -> LotStock:
    lot = lot_from_row(row)
    held = row["on_hand"] - row["reserved"]
    available = 0 if lot.is_expired(today_of(now)) else held
    return LotStock(lot, row["on_hand"], row["reserved"], available)


_LotStocks = list[LotStock]
_LotLevels = list[LotLevel]


class PostgresLots(Repository, Lots):
    """Lots of one org; a change of a tracked level is lock, read, decide, write."""

    async def add(self, lot: Lot) -> Lot:
        await self._run(
            q.INSERT_LOT,
            {
                "id": lot.id,
                "item_id": lot.item_id,
                "code": lot.code,
                "expires_on": lot.expires_on,
                "created_at": lot.created_at,
            },
        )
        stored = await self.by_code(lot.item_id, lot.code)
        assert stored is not None  # noqa: S101 -- inserted, or there already
        return stored

    async def get(self, lot_id: UUID, *, for_update: bool = False) -> Lot | None:
        query = q.SELECT_LOT_FOR_UPDATE if for_update else q.SELECT_LOT
        row = await self._one(query, {"id": lot_id})
        return None if row is None else lot_from_row(row)

    async def by_code(self, item_id: UUID, code: str) -> Lot | None:
        row = await self._one(q.SELECT_LOT_BY_CODE, {"item_id": item_id, "code": code})
        return None if row is None else lot_from_row(row)

    async def save(self, lot: Lot) -> None:
        await self._run(q.UPDATE_LOT, {"id": lot.id, "expires_on": lot.expires_on})

    async def list(self, filters: LotFilter, page: PageRequest, now: datetime) -> _LotStocks:
        params = {
            "item_id": filters.item_id,
            "expires_before": filters.expires_before,
            "after": None if page.after is None else uuid_part(page.after[0]),
            "limit": page.limit + 1,
            "now": now,
        }
        query = list_lots(
            filters.item_id is not None, filters.expires_before is not None, page.after is not None
        )
        return [_stock(row, now) for row in await self._all(query, params)]

    async def stock(self, lot: Lot, now: datetime) -> LotStock:
        row = await self._one(LOT_STOCK, {"id": lot.id, "now": now})
        assert row is not None  # noqa: S101 -- lots are never deleted
        return _stock(row, now)

    async def levels(self, filters: StockFilter, page: PageRequest, now: datetime) -> _LotLevels:
        after = page.after or (None, None, None)
        params = {
            "item_id": filters.item_id,
            "location_id": filters.location_id,
            "after_item": None if after[0] is None else uuid_part(after[0]),
            "after_location": None if after[1] is None else uuid_part(after[1]),
            "after_lot": None if after[2] is None else uuid_part(after[2]),
            "limit": page.limit + 1,
            "now": now,
        }
        today = today_of(now)
        out = []
        query = list_lot_levels(
            filters.item_id is not None, filters.location_id is not None, page.after is not None
        )
        for row in await self._all(query, params):
            position = LotPosition(lot_from_row(row), row["on_hand"], row["reserved"])
            expired = position.lot.is_expired(today)
            out.append(LotLevel(row["location_id"], position, position.available(today), expired))
        return out

    async def lock_totals(self, lot_ids: Sequence[UUID]) -> dict[UUID, int]:
        ids = sorted(lot_ids)
        await self._run(q.LOCK_LOTS, {"ids": ids})
        totals = {
            row["lot_id"]: row["on_hand"] for row in await self._all(q.LOT_TOTALS, {"ids": ids})
        }
        return {lot_id: totals.get(lot_id, 0) for lot_id in ids}

    async def change(self, key: LevelKey, step: InLot, now: datetime) -> LotChange:
        keys = {"item_id": key.item_id, "location_id": key.location_id}
        locked = await self._one(q.LOCK_LEVEL, {**keys, "now": now})
        assert locked is not None  # noqa: S101 -- an upsert returns its row
        before = (
            StockLevel.empty(key, now)
            if locked["created"]
            else StockLevel(
                item_id=key.item_id,
                location_id=key.location_id,
                on_hand=locked["on_hand"],
                reserved=locked["reserved"],
                incoming=locked["incoming"],
                version=locked["version"],
                updated_at=utc(locked["updated_at"]),
            )
        )
        named = None if step.lot is None else step.lot.id
        rows = await self._all(q.LEVEL_LOTS, {**keys, "lot_id": named})
        positions = {
            row["id"]: LotPosition(lot_from_row(row), row["on_hand"], row["reserved"])
            for row in rows
        }
        after, lots, moves = apply_in_lots(before, positions, step, now)
        moved = [lots[move.lot.id] for move in moves]
        params: dict[str, Any] = {
            **keys,
            "lot_ids": [p.lot.id for p in moved],
            "on_hands": [p.on_hand for p in moved],
            "reserveds": [p.reserved for p in moved],
            "on_hand": after.on_hand,
            "reserved": after.reserved,
            "incoming": after.incoming,
            "version": after.version,
            "now": now,
        }
        await self._run(q.WRITE_LOTS, params)
        return LotChange(after, after.on_hand - before.on_hand, tuple(moves))

    async def on_hand_at(
        self, location_id: UUID, lots: Sequence[tuple[UUID, UUID]]
    ) -> dict[UUID, int]:
        params = {
            "location_id": location_id,
            "item_ids": sorted({item_id for item_id, _ in lots}),
            "lot_ids": [lot_id for _, lot_id in lots],
        }
        return {row["lot_id"]: row["on_hand"] for row in await self._all(q.ON_HAND_AT, params)}

    async def hold(self, key: LevelKey, step: HoldInLots, now: datetime) -> HoldChange:
        # The same three statements as ``change``: lock the level, read its lots (in lot id
        # order, FOR UPDATE), write the lots held and the level in one statement (ADR 0031).
        keys = {"item_id": key.item_id, "location_id": key.location_id}
        locked = await self._one(q.LOCK_LEVEL, {**keys, "now": now})
        assert locked is not None  # noqa: S101 -- an upsert returns its row
        before = (
            StockLevel.empty(key, now)
            if locked["created"]
            else StockLevel(
                item_id=key.item_id,
                location_id=key.location_id,
                on_hand=locked["on_hand"],
                reserved=locked["reserved"],
                incoming=locked["incoming"],
                version=locked["version"],
                updated_at=utc(locked["updated_at"]),
            )
        )
        named = None if step.lot is None else step.lot.id
        rows = await self._all(q.LEVEL_LOTS, {**keys, "lot_id": named})
        positions = {
            row["id"]: LotPosition(lot_from_row(row), row["on_hand"], row["reserved"])
            for row in rows
        }
        after, lots, holds, moves = apply_holds(before, positions, step, now)
        written = [lots[lot_id] for lot_id in dict.fromkeys(h.lot.id for h in holds)]
        params: dict[str, Any] = {
            **keys,
            "lot_ids": [p.lot.id for p in written],
            "on_hands": [p.on_hand for p in written],
            "reserveds": [p.reserved for p in written],
            "on_hand": after.on_hand,
            "reserved": after.reserved,
            "incoming": after.incoming,
            "version": after.version,
            "now": now,
        }
        await self._run(q.WRITE_LOTS, params)
        return HoldChange(after, after.on_hand - before.on_hand, tuple(moves), tuple(holds))
