"""/v1/reservations: stock held for orders, and how holds end (fulfil, release, expiry).

``POST /v1/reservations`` is also served directly by the edge (``direct_create_reservation``):
the same body model, use case and response model, held to FastAPI's answers by a
differential test (ADR 0015)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from application.errors import Unauthenticated
from application.ports import ReservationFilter
from application.queries.reservations import GetReservationHandler, ListReservationsHandler
from application.service import StockroomService
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.extend_reservation import ExtendReservation, ExtendReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain import rules
from domain.errors import StockroomError
from domain.reservations import ReservationStatus
from entrypoints.http.dependencies import MISSING, CurrentPrincipal, IdempotencyKey, Service
from entrypoints.http.direct import (
    BodyInvalid,
    header,
    located,
    parse_json,
    read_body,
    require_body,
)
from entrypoints.http.edge import DirectRoute, current_principal_or_error
from entrypoints.http.errors import error_response, http_problem, validation_problem
from entrypoints.http.routers.common import (
    BODY_ERRORS,
    COMMON_ERRORS,
    ETAG_HEADER,
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
from entrypoints.http.schemas.reservations import (
    Fulfilment,
    Reservation,
    ReservationCreate,
    ReservationExtend,
    ReservationPage,
    ReservationSettle,
)

PREFIX = "/v1/reservations"
router = APIRouter(prefix=PREFIX, tags=["reservations"], responses=COMMON_ERRORS)

_SETTLE_ERRORS = problem_responses(403, 404, 409, *BODY_ERRORS)


@router.get(
    "",
    summary="List reservations",
    description=describe(ListReservationsHandler, ReservationFilter),
    responses=problem_responses(403, 422),
)
async def list_reservations(
    principal: CurrentPrincipal,
    service: Service,
    status: Annotated[
        ReservationStatus | None, Query(description="Effective status (expiry counts).")
    ] = None,
    reference: Annotated[
        str | None,
        Query(
            max_length=rules.MAX_REFERENCE, pattern=r"^[^\x00]*$", description="Exact reference."
        ),
    ] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ReservationPage:
    filters = ReservationFilter(status=status, reference=reference)
    page = await service.list_reservations(principal, filters, limit, cursor)
    return ReservationPage(
        items=[Reservation.of(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "",
    status_code=201,
    summary="Reserve stock",
    description=describe(CreateReservationHandler, CreateReservation)
    + "\n\nTakes only from `available`: 409 `insufficient_stock` lists requested and available "
    "per line. Expired reservations never block a new one.",
    responses=created_responses("The new reservation.", 404, 409),
)
async def create_reservation(
    body: ReservationCreate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Reservation:
    outcome = await service.create_reservation(principal, body.to_command(), idempotency_key)
    reservation = outcome.value
    mark_created(response, f"{PREFIX}/{reservation.id}", outcome.replayed, reservation.version)
    return Reservation.of(reservation)


@router.get(
    "/{reservation_id}",
    summary="Get a reservation",
    description=describe(GetReservationHandler),
    responses=versioned_responses("The reservation as of now.", 422),
)
async def get_reservation(
    reservation_id: UUID, principal: CurrentPrincipal, service: Service, response: Response
) -> Reservation:
    reservation = await service.get_reservation(principal, reservation_id)
    set_etag(response, reservation.version)
    return Reservation.of(reservation)


@router.post(
    "/{reservation_id}/release",
    summary="Release a reservation",
    description=describe(ReleaseReservationHandler, SettleReservation),
    responses={
        **success(200, "The reservation after the release.", ETAG_HEADER, REPLAY_HEADER),
        **_SETTLE_ERRORS,
    },
)
async def release_reservation(
    reservation_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    body: ReservationSettle | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Reservation:
    command = (body or ReservationSettle()).to_command(reservation_id)
    outcome = await service.release_reservation(principal, command, idempotency_key)
    set_etag(response, outcome.value.version)
    mark_replay(response, outcome.replayed)
    return Reservation.of(outcome.value)


@router.post(
    "/{reservation_id}/fulfil",
    summary="Fulfil a reservation",
    description=describe(FulfilReservationHandler, SettleReservation)
    + "\n\nPosts a `shipment` movement linked to the reservation; its id is `movement_id`.",
    responses={
        **success(200, "The reservation after fulfilment.", ETAG_HEADER, REPLAY_HEADER),
        **_SETTLE_ERRORS,
    },
)
async def fulfil_reservation(
    reservation_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    body: ReservationSettle | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Fulfilment:
    command = (body or ReservationSettle()).to_command(reservation_id)
    outcome = await service.fulfil_reservation(principal, command, idempotency_key)
    set_etag(response, outcome.value.reservation.version)
    mark_replay(response, outcome.replayed)
    return Fulfilment.of_fulfilment(outcome.value)


@router.post(
    "/{reservation_id}/extend",
    summary="Extend a reservation",
    description=describe(ExtendReservationHandler, ExtendReservation),
    responses={
        **success(200, "The reservation with its new expiry.", ETAG_HEADER, REPLAY_HEADER),
        **_SETTLE_ERRORS,
    },
)
async def extend_reservation(
    reservation_id: UUID,
    body: ReservationExtend,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Reservation:
    command = ExtendReservation(reservation_id=reservation_id, ttl_seconds=body.ttl_seconds)
    outcome = await service.extend_reservation(principal, command, idempotency_key)
    set_etag(response, outcome.value.version)
    mark_replay(response, outcome.replayed)
    return Reservation.of(outcome.value)


def direct_create_reservation(service: Callable[[], StockroomService]) -> DirectRoute:
    """``POST /v1/reservations`` as the edge serves it, without FastAPI's routing."""

    async def route(scope: Any, receive: Any, send: Any) -> None:
        try:
            # FastAPI's order: an unreadable body (400) before the caller (401) before the
            # body's fields (422).
            raw = await read_body(receive)
            document = parse_json(raw)
            principal = current_principal_or_error(scope["state"])
            if principal is None:
                raise Unauthenticated(MISSING)
            body = ReservationCreate.model_validate(require_body(document), from_attributes=True)
            key = header(scope, b"idempotency-key")
            outcome = await service().create_reservation(principal, body.to_command(), key)
        except StockroomError as exc:
            await error_response(exc, PREFIX)(scope, receive, send)
            return
        except BodyInvalid as exc:
            await validation_problem(exc.errors, PREFIX)(scope, receive, send)
            return
        except HTTPException as exc:
            await http_problem(exc, PREFIX)(scope, receive, send)
            return
        except ValidationError as exc:
            await validation_problem(located("body", exc), PREFIX)(scope, receive, send)
            return
        reservation = outcome.value
        payload = Reservation.of(reservation).model_dump_json().encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"location", f"{PREFIX}/{reservation.id}".encode()),
            (b"etag", f'"{reservation.version}"'.encode()),
        ]
        if outcome.replayed:
            headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return route
