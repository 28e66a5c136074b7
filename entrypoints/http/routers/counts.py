"""/v1/counts: count sessions, a stocktake of one location while stock keeps moving."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from application.principal import Principal
from application.queries.counts import GetCountHandler, ListCountsHandler, shows_expected
from application.use_cases.cancel_count import CancelCount, CancelCountHandler
from application.use_cases.open_count import OpenCount, OpenCountHandler
from application.use_cases.post_count import PostCount, PostCountHandler
from application.use_cases.record_counts import RecordCounts, RecordCountsHandler
from application.workflow_ports import CountFilter
from domain import counts
from domain.counts import CountStatus
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
from entrypoints.http.schemas.counts import CountCreate, CountLinesPut, CountPage, CountSession
from entrypoints.http.schemas.problems import problem_responses

PREFIX = "/v1/counts"
router = APIRouter(prefix=PREFIX, tags=["counts"], responses=COMMON_ERRORS)

_BLIND = "\n\nIn a blind session, members see `expected` as null; admins always see it."


def _view(session: counts.CountSession, principal: Principal) -> CountSession:
    return CountSession.of(session, show_expected=shows_expected(principal, session))


@router.get(
    "",
    summary="List count sessions",
    description=describe(ListCountsHandler, CountFilter) + _BLIND,
    responses=problem_responses(403, 422),
)
async def list_counts(
    principal: CurrentPrincipal,
    service: Service,
    status: Annotated[CountStatus | None, Query(description="Only this status.")] = None,
    location_id: Annotated[UUID | None, Query(description="Only counts of this location.")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> CountPage:
    filters = CountFilter(status=status, location_id=location_id)
    page = await service.list_counts(principal, filters, limit, cursor)
    return CountPage(items=[_view(s, principal) for s in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    status_code=201,
    summary="Open a count session",
    description=describe(OpenCountHandler, OpenCount),
    responses=created_responses("The open session, with what the books expect.", 404),
)
async def open_count(
    body: CountCreate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> CountSession:
    outcome = await service.open_count(principal, body.to_command(), idempotency_key)
    session = outcome.value
    mark_created(response, f"{PREFIX}/{session.id}", outcome.replayed, session.version)
    return _view(session, principal)


@router.get(
    "/{session_id}",
    summary="Get a count session",
    description=describe(GetCountHandler) + _BLIND,
    responses=versioned_responses("The session.", 422),
)
async def get_count(
    session_id: UUID, principal: CurrentPrincipal, service: Service, response: Response
) -> CountSession:
    session = await service.get_count(principal, session_id)
    set_etag(response, session.version)
    return _view(session, principal)


@router.put(
    "/{session_id}/lines",
    summary="Record counts",
    description=describe(RecordCountsHandler, RecordCounts)
    + "\n\nRepeatable: sent again, the same counts stand (no `Idempotency-Key` needed). A "
    "session that has ended is 409 `invalid_count_state`; an item a listed session does not "
    "count is 422." + _BLIND,
    openapi_extra=IF_MATCH,
    responses=versioned_responses("The session with the counts.", 409, 412, *BODY_ERRORS),
)
async def record_counts(
    session_id: UUID,
    body: CountLinesPut,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_version: IfMatch,
) -> CountSession:
    command = body.to_command(session_id, expected_version)
    session = await service.record_counts(principal, command)
    set_etag(response, session.version)
    return _view(session, principal)


@router.post(
    "/{session_id}/post",
    summary="Post a count session",
    description=describe(PostCountHandler, PostCount)
    + "\n\nA session that has ended, or has nothing counted, is 409 `invalid_count_state`.",
    openapi_extra=IF_MATCH,
    responses={
        **success(200, "The posted session (`movement_id`).", ETAG_HEADER, REPLAY_HEADER),
        **problem_responses(403, 404, 409, 412, 422),
    },
)
async def post_count(
    session_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> CountSession:
    command = PostCount(session_id=session_id, expected_versions=expected_version)
    outcome = await service.post_count(principal, command, idempotency_key)
    set_etag(response, outcome.value.version)
    mark_replay(response, outcome.replayed)
    return _view(outcome.value, principal)


@router.post(
    "/{session_id}/cancel",
    summary="Cancel a count session",
    description=describe(CancelCountHandler, CancelCount)
    + "\n\nA session that has ended is 409 `invalid_count_state`.",
    openapi_extra=IF_MATCH,
    responses={
        **success(200, "The cancelled session.", ETAG_HEADER, REPLAY_HEADER),
        **problem_responses(403, 404, 409, 412, 422),
    },
)
async def cancel_count(
    session_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> CountSession:
    command = CancelCount(session_id=session_id, expected_versions=expected_version)
    outcome = await service.cancel_count(principal, command, idempotency_key)
    set_etag(response, outcome.value.version)
    mark_replay(response, outcome.replayed)
    return _view(outcome.value, principal)
