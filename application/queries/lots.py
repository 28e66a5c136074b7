"""Read lots, and stock per lot (GET /v1/lots, GET /v1/stock-levels?by=lot)."""

from __future__ import annotations

from uuid import UUID

from application.lot_ports import LotFilter, LotLevel, LotStock
from application.pagination import Keyset, Page, PageRequest, page_of, uuid_part
from application.ports import StockFilter
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.errors import NotFound


def lot_cursor(row: LotStock) -> tuple[str, ...]:
    """Lots list in id order."""
    return (str(row.lot.id),)


def lot_level_cursor(row: LotLevel) -> tuple[str, ...]:
    """Lot positions list in (item_id, location_id, lot_id) order."""
    return (str(row.position.lot.item_id), str(row.location_id), str(row.position.lot.id))


LOTS: Keyset[LotStock] = Keyset("lots", lot_cursor, (uuid_part,))
LOT_LEVELS: Keyset[LotLevel] = Keyset(
    "lot-levels", lot_level_cursor, (uuid_part, uuid_part, uuid_part)
)


class GetLotHandler(UseCase):
    """One lot of the caller's org, with its stock across locations."""

    async def __call__(self, principal: Principal, lot_id: UUID) -> LotStock:
        org_id = principal.require(Permission.READ)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            lot = await uow.lots.get(lot_id)
            if lot is None:
                raise NotFound(f"lot {lot_id} not found", resource="lot")
            return await uow.lots.stock(lot, now)


class ListLotsHandler(UseCase):
    """A page of lots (by id), each with its stock across locations."""

    async def __call__(
        self, principal: Principal, filters: LotFilter, limit: int | None, cursor: str | None
    ) -> Page[LotStock]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, LOTS)
        async with self.deps.uow(org_id, read_only=True) as uow:
            rows = await uow.lots.list(filters, request, self.deps.clock.now())
        return page_of(rows, request, LOTS)


class ListLotLevelsHandler(UseCase):
    """A page of lot positions: per (item, location, lot), on_hand, reserved, available."""

    async def __call__(
        self, principal: Principal, filters: StockFilter, limit: int | None, cursor: str | None
    ) -> Page[LotLevel]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, LOT_LEVELS)
        async with self.deps.uow(org_id, read_only=True) as uow:
            rows = await uow.lots.levels(filters, request, self.deps.clock.now())
        return page_of(rows, request, LOT_LEVELS)
