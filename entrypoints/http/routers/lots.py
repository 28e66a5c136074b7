"""/v1/lots: lots of lot-tracked items, their expiry dates and stock (ADR 0024)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application.lot_ports import LotFilter
from application.queries.lots import GetLotHandler, ListLotsHandler
from application.use_cases.manage_lots import (
    CreateLot,
    CreateLotHandler,
    UpdateLot,
    UpdateLotHandler,
)
from entrypoints.http.dependencies import CurrentPrincipal, IdempotencyKey, Service
from entrypoints.http.routers.common import (
    BODY_ERRORS,
    COMMON_ERRORS,
    Cursor,
    Limit,
    created_responses,
    describe,
    mark_created,
)
from entrypoints.http.schemas.lots import Lot, LotCreate, LotPage, LotUpdate
from entrypoints.http.schemas.problems import problem_responses

PREFIX = "/v1/lots"
router = APIRouter(prefix=PREFIX, tags=["lots"], responses=COMMON_ERRORS)


@router.get(
    "",
    summary="List lots",
    description=describe(ListLotsHandler, LotFilter),
    responses=problem_responses(403, 422),
)
async def list_lots(
    principal: CurrentPrincipal,
    service: Service,
    item_id: Annotated[UUID | None, Query(description="Only this item's lots.")] = None,
    expires_before: Annotated[
        date | None, Query(description="Only lots expiring before this date.")
    ] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> LotPage:
    filters = LotFilter(item_id=item_id, expires_before=expires_before)
    page = await service.list_lots(principal, filters, limit, cursor)
    return LotPage(items=[Lot.of(s) for s in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    status_code=201,
    summary="Create a lot",
    description=describe(CreateLotHandler, CreateLot),
    responses=created_responses("The new lot.", 404, 409),
)
async def create_lot(
    body: LotCreate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Lot:
    outcome = await service.create_lot(principal, body.to_command(), idempotency_key)
    mark_created(response, f"{PREFIX}/{outcome.value.lot.id}", outcome.replayed)
    return Lot.of(outcome.value)


@router.get(
    "/{lot_id}",
    summary="Get a lot",
    description=describe(GetLotHandler),
    responses=problem_responses(403, 404, 422),
)
async def get_lot(lot_id: UUID, principal: CurrentPrincipal, service: Service) -> Lot:
    return Lot.of(await service.get_lot(principal, lot_id))


@router.patch(
    "/{lot_id}",
    summary="Change a lot's expiry date",
    description=describe(UpdateLotHandler, UpdateLot),
    responses=problem_responses(403, 404, *BODY_ERRORS),
)
async def update_lot(
    lot_id: UUID, body: LotUpdate, principal: CurrentPrincipal, service: Service
) -> Lot:
    return Lot.of(await service.update_lot(principal, body.to_command(lot_id)))
