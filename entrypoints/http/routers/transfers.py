"""/v1/transfers: stock in transit between locations, shipped at once, received later."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application.queries.transfers import GetTransferHandler, ListTransfersHandler
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from application.workflow_ports import TransferFilter
from domain.transfers import TransferStatus
from entrypoints.http.dependencies import CurrentPrincipal, IdempotencyKey, IfMatch, Service
from entrypoints.http.routers.common import (
    BODY_ERRORS,
    COMMON_ERRORS,
    ETAG_HEADER,
    IF_MATCH,
    REPLAY_HEADER,
    Cursor,
    Limit,
    created_responses,
    describe,
    mark_created,
    mark_replay,
    set_etag,
    success,
    versioned_responses,
)
from entrypoints.http.schemas.problems import problem_responses
from entrypoints.http.schemas.transfers import (
    Transfer,
    TransferCreate,
    TransferPage,
    TransferReceive,
)

PREFIX = "/v1/transfers"
router = APIRouter(prefix=PREFIX, tags=["transfers"], responses=COMMON_ERRORS)

_ACTION_ERRORS = problem_responses(403, 404, 409, 412, *BODY_ERRORS)


@router.get(
    "",
    summary="List transfers",
    description=describe(ListTransfersHandler, TransferFilter),
    responses=problem_responses(403, 422),
)
async def list_transfers(
    principal: CurrentPrincipal,
    service: Service,
    status: Annotated[TransferStatus | None, Query(description="Only this status.")] = None,
    from_location_id: Annotated[
        UUID | None, Query(description="Only transfers from this location.")
    ] = None,
    to_location_id: Annotated[
        UUID | None, Query(description="Only transfers to this location.")
    ] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> TransferPage:
    filters = TransferFilter(
        status=status, from_location_id=from_location_id, to_location_id=to_location_id
    )
    page = await service.list_transfers(principal, filters, limit, cursor)
    return TransferPage(items=[Transfer.of(t) for t in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    status_code=201,
    summary="Ship a transfer",
    description=describe(ShipTransferHandler, ShipTransfer)
    + "\n\nPosts a `transfer_out` movement at the source (`movement_id`). Takes only from "
    "`available`: 409 `insufficient_stock` lists requested and available per line.",
    responses=created_responses("The transfer, in transit.", 404, 409),
)
async def ship_transfer(
    body: TransferCreate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Transfer:
    outcome = await service.ship_transfer(principal, body.to_command(), idempotency_key)
    moved = outcome.value
    mark_created(
        response, f"{PREFIX}/{moved.transfer.id}", outcome.replayed, moved.transfer.version
    )
    return Transfer.of_moved(moved)


@router.get(
    "/{transfer_id}",
    summary="Get a transfer",
    description=describe(GetTransferHandler),
    responses=versioned_responses("The transfer.", 422),
)
async def get_transfer(
    transfer_id: UUID, principal: CurrentPrincipal, service: Service, response: Response
) -> Transfer:
    transfer = await service.get_transfer(principal, transfer_id)
    set_etag(response, transfer.version)
    return Transfer.of(transfer)


@router.post(
    "/{transfer_id}/receive",
    summary="Receive a transfer",
    description=describe(ReceiveTransferHandler, ReceiveTransfer)
    + "\n\nReceiving more than is in transit, or a transfer that has ended, is 409 "
    "`invalid_transfer_state`.",
    openapi_extra=IF_MATCH,
    responses={
        **success(200, "The transfer after receiving.", ETAG_HEADER, REPLAY_HEADER),
        **_ACTION_ERRORS,
    },
)
async def receive_transfer(
    transfer_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_version: IfMatch,
    body: TransferReceive | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Transfer:
    command = (body or TransferReceive()).to_command(transfer_id, expected_version)
    outcome = await service.receive_transfer(principal, command, idempotency_key)
    set_etag(response, outcome.value.transfer.version)
    mark_replay(response, outcome.replayed)
    return Transfer.of_moved(outcome.value)


@router.post(
    "/{transfer_id}/cancel",
    summary="Cancel a transfer",
    description=describe(CancelTransferHandler, CancelTransfer)
    + "\n\nCancelling a transfer that has ended is 409 `invalid_transfer_state`.",
    openapi_extra=IF_MATCH,
    responses={
        **success(200, "The cancelled transfer.", ETAG_HEADER, REPLAY_HEADER),
        **problem_responses(403, 404, 409, 412, 422),
    },
)
async def cancel_transfer(
    transfer_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> Transfer:
    command = CancelTransfer(transfer_id=transfer_id, expected_versions=expected_version)
    outcome = await service.cancel_transfer(principal, command, idempotency_key)
    set_etag(response, outcome.value.transfer.version)
    mark_replay(response, outcome.replayed)
    return Transfer.of_moved(outcome.value)
