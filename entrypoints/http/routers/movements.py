"""/v1/movements: the stock ledger (receipts, shipments, transfers, adjustments, counts)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response
from pydantic import AwareDatetime

from application.ports import MovementFilter
from application.queries.stock import GetMovementHandler, ListMovementsHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.reverse_movement import ReverseMovement, ReverseMovementHandler
from domain import rules
from domain.movements import MovementRequest, MovementType
from entrypoints.http.dependencies import CurrentPrincipal, IdempotencyKey, Service
from entrypoints.http.routers.common import (
    BODY_ERRORS,
    COMMON_ERRORS,
    LOCATION_HEADER,
    REPLAY_HEADER,
    Cursor,
    Limit,
    describe,
    mark_created,
    success,
)
from entrypoints.http.schemas.movements import (
    MOVEMENT_EXAMPLES,
    Movement,
    MovementCreate,
    MovementPage,
    MovementReverse,
)
from entrypoints.http.schemas.problems import problem_responses

PREFIX = "/v1/movements"
router = APIRouter(prefix=PREFIX, tags=["movements"], responses=COMMON_ERRORS)

_TIME = "RFC 3339 with a timezone, e.g. `2026-03-02T09:00:00Z` (encode `+` as `%2B`)."


@router.get(
    "",
    summary="List the ledger",
    description=describe(ListMovementsHandler, MovementFilter),
    responses=problem_responses(403, 422),
)
async def list_movements(
    principal: CurrentPrincipal,
    service: Service,
    item_id: Annotated[
        UUID | None, Query(description="Movements with a line of this item.")
    ] = None,
    location_id: Annotated[
        UUID | None, Query(description="Movements with a line at this location.")
    ] = None,
    type: Annotated[MovementType | None, Query(description="Only this type.")] = None,
    reference: Annotated[
        str | None,
        Query(
            max_length=rules.MAX_REFERENCE, pattern=r"^[^\x00]*$", description="Exact reference."
        ),
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description=f"Inclusive. {_TIME}")] = None,
    until: Annotated[AwareDatetime | None, Query(description=f"Exclusive. {_TIME}")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> MovementPage:
    filters = MovementFilter(
        item_id=item_id,
        location_id=location_id,
        type=type,
        reference=reference,
        since=since,
        until=until,
    )
    page = await service.list_movements(principal, filters, limit, cursor)
    return MovementPage(items=[Movement.of(m) for m in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    status_code=201,
    summary="Post a movement",
    description=describe(PostMovementHandler, MovementRequest)
    + "\n\nAll lines apply or none does. Shipments, transfers out and negative adjustments "
    "take only from `available` (409 `insufficient_stock` lists requested and available per "
    "line); a count or adjustment that would leave `on_hand` below `reserved` is 409 "
    "`reserved_stock_conflict`.",
    responses={
        **success(201, "The ledger document.", LOCATION_HEADER, REPLAY_HEADER),
        **problem_responses(403, 404, 409, *BODY_ERRORS),
    },
)
async def post_movement(
    body: Annotated[MovementCreate, Body(openapi_examples=MOVEMENT_EXAMPLES)],
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Movement:
    outcome = await service.post_movement(principal, body.to_request(), idempotency_key)
    movement = outcome.value
    mark_created(response, f"{PREFIX}/{movement.id}", outcome.replayed)
    return Movement.of(movement)


@router.get(
    "/{movement_id}",
    summary="Get a movement",
    description=describe(GetMovementHandler),
    responses=problem_responses(403, 404, 422),
)
async def get_movement(
    movement_id: UUID, principal: CurrentPrincipal, service: Service
) -> Movement:
    return Movement.of(await service.get_movement(principal, movement_id))


@router.post(
    "/{movement_id}/reverse",
    status_code=201,
    summary="Reverse a movement",
    description=describe(ReverseMovementHandler, ReverseMovement)
    + "\n\nA movement reversed already is 409 `already_reversed` (with `reversed_by`).",
    responses={
        **success(201, "The reversal.", LOCATION_HEADER, REPLAY_HEADER),
        **problem_responses(403, 404, 409, *BODY_ERRORS),
    },
)
async def reverse_movement(
    movement_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    body: MovementReverse | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Movement:
    command = (body or MovementReverse()).to_command(movement_id)
    outcome = await service.reverse_movement(principal, command, idempotency_key)
    reversal = outcome.value
    mark_created(response, f"{PREFIX}/{reversal.id}", outcome.replayed)
    return Movement.of(reversal)
