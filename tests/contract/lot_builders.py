"""Lot-tracked test data and moves through the use cases, the way clients make them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.lot_ports import LotLevel
from application.pagination import Page
from application.ports import StockFilter
from application.principal import Principal
from application.queries.lots import ListLotLevelsHandler
from application.queries.stock import ListStockLevelsHandler
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.movements import (
    AdjustmentReason,
    LotRef,
    Movement,
    MovementRequest,
    MovementType,
    QuantityLine,
)
from domain.stock import StockLevel


def line(
    item_id: UUID,
    location_id: UUID,
    quantity: int,
    code: str | None = None,
    expires_on: date | None = None,
    lot_id: UUID | None = None,
) -> QuantityLine:
    named = code is not None or lot_id is not None
    lot = LotRef(lot_id=lot_id, code=code, expires_on=expires_on) if named else None
    return QuantityLine(item_id, location_id, quantity, lot)


async def post(
    deps: Deps,
    who: Principal,
    kind: MovementType,
    *lines: QuantityLine,
    reason: AdjustmentReason | None = None,
) -> Movement:
    request = MovementRequest(type=kind, lines=tuple(lines), reason=reason)
    return (await PostMovementHandler(deps)(who, request)).value


async def receive(
    deps: Deps, who: Principal, item_id: UUID, location_id: UUID, lots: dict[str, tuple[int, date]]
) -> Movement:
    """One receipt of several lots: code -> (quantity, expires_on)."""
    lines = [line(item_id, location_id, n, code, expires) for code, (n, expires) in lots.items()]
    return await post(deps, who, MovementType.RECEIPT, *lines)


async def ship(
    deps: Deps,
    who: Principal,
    item_id: UUID,
    location_id: UUID,
    quantity: int,
    code: str | None = None,
) -> Movement:
    return await post(deps, who, MovementType.SHIPMENT, line(item_id, location_id, quantity, code))


async def level(deps: Deps, who: Principal, item_id: UUID, location_id: UUID) -> StockLevel:
    filters = StockFilter(item_id=item_id, location_id=location_id)
    page = await ListStockLevelsHandler(deps)(who, filters, None, None)
    [found] = page.items
    return found


async def lot_levels(deps: Deps, who: Principal, item_id: UUID) -> Page[LotLevel]:
    return await ListLotLevelsHandler(deps)(who, StockFilter(item_id=item_id), None, None)


def by_code(page: Page[LotLevel]) -> dict[str, tuple[int, int]]:
    """code -> (on_hand, available) of each lot position on the page."""
    return {r.position.lot.code: (r.position.on_hand, r.available) for r in page.items}
