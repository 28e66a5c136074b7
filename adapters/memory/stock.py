"""In-memory stock levels: the domain rule applied directly, expired holds discounted on read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.lots import lot_figures
from adapters.memory.state import OrgState
from application.pagination import PageRequest
from application.ports import LevelChange, StockFilter, StockLevels
from application.queries.stock import level_sort_key
from domain.stock import LevelKey, StockChange, StockLevel


def expired_holds(state: OrgState, now: datetime) -> dict[LevelKey, int]:
    """Open quantities of reservations past expiry, per level (they hold nothing any more)."""
    held: dict[LevelKey, int] = {}
    for reservation in state.reservations.values():
        for line in reservation.expired_holds(now):
            held[line.key] = held.get(line.key, 0) + line.open
    return held


class InMemoryStockLevels(StockLevels):
    """Stock levels of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState) -> None:
        self._state = state

    async def change(self, key: LevelKey, change: StockChange, now: datetime) -> LevelChange:
        before = self._state.levels.get(key) or StockLevel.empty(key, now)
        after = before.apply(change, now)
        self._state.levels[key] = after
        return LevelChange(after, after.on_hand - before.on_hand)

    async def get(self, key: LevelKey, now: datetime) -> StockLevel | None:
        level = self._state.levels.get(key)
        if level is None:
            return None
        return lot_figures(self._state, _effective(level, expired_holds(self._state, now)), now)

    async def holds_any(self, item_id: UUID) -> bool:
        return any(
            level.on_hand or level.reserved or level.incoming
            for key, level in self._state.levels.items()
            if key.item_id == item_id
        )

    async def list(
        self, filters: StockFilter, page: PageRequest, now: datetime
    ) -> list[StockLevel]:
        expired = expired_holds(self._state, now)
        rows = []
        for level in sorted(self._state.levels.values(), key=level_sort_key):
            if filters.item_id and level.item_id != filters.item_id:
                continue
            if filters.location_id and level.location_id != filters.location_id:
                continue
            if filters.below_reorder_point and not self._below_reorder_point(level):
                continue
            if page.after is not None and level_sort_key(level) <= page.after:
                continue
            rows.append(lot_figures(self._state, _effective(level, expired), now))
            if len(rows) > page.limit:
                break
        return rows

    async def on_hand_at(
        self, location_id: UUID, item_ids: Sequence[UUID] | None, limit: int
    ) -> dict[UUID, int]:
        wanted = None if item_ids is None else set(item_ids)
        found = {
            key.item_id: level.on_hand
            for key, level in sorted(self._state.levels.items())
            if key.location_id == location_id and (wanted is None or key.item_id in wanted)
        }
        return dict(list(found.items())[:limit])

    def _below_reorder_point(self, level: StockLevel) -> bool:
        item = self._state.items.get(level.item_id)
        return (
            item is not None
            and item.reorder_point is not None
            and (level.on_hand < item.reorder_point)
        )


def _effective(level: StockLevel, expired: dict[LevelKey, int]) -> StockLevel:
    held = expired.get(level.key, 0)
    return replace(level, reserved=level.reserved - held) if held else level
