"""/v1/stock-levels: how much of each item is where, and how much of it is held."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from application.ports import StockFilter
from application.queries.stock import ListStockLevelsHandler
from entrypoints.http.dependencies import CurrentPrincipal, Service
from entrypoints.http.routers.common import COMMON_ERRORS, Cursor, Limit, describe
from entrypoints.http.schemas.problems import problem_responses
from entrypoints.http.schemas.stock_levels import StockLevel, StockLevelPage

router = APIRouter(prefix="/v1/stock-levels", tags=["stock levels"], responses=COMMON_ERRORS)


@router.get(
    "",
    summary="List stock levels",
    description=describe(ListStockLevelsHandler, StockFilter),
    responses=problem_responses(403, 422),
)
async def list_stock_levels(
    principal: CurrentPrincipal,
    service: Service,
    item_id: Annotated[UUID | None, Query(description="Only this item.")] = None,
    location_id: Annotated[UUID | None, Query(description="Only this location.")] = None,
    below_reorder_point: Annotated[
        bool, Query(description="Only levels whose on_hand is below the item's reorder point.")
    ] = False,
    limit: Limit = None,
    cursor: Cursor = None,
) -> StockLevelPage:
    filters = StockFilter(
        item_id=item_id, location_id=location_id, below_reorder_point=below_reorder_point
    )
    page = await service.list_stock_levels(principal, filters, limit, cursor)
    return StockLevelPage(
        items=[StockLevel.of(level) for level in page.items], next_cursor=page.next_cursor
    )
