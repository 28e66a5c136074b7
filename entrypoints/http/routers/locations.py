"""/v1/locations: the places stock is kept."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from application.queries.catalog import GetLocationHandler, ListLocationsHandler
from application.use_cases.archive_location import ArchiveLocation, ArchiveLocationHandler
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.update_location import UpdateLocation, UpdateLocationHandler
from entrypoints.http.dependencies import CurrentPrincipal, IdempotencyKey, IfMatch, Service
from entrypoints.http.routers.common import (
    BODY_ERRORS,
    COMMON_ERRORS,
    IF_MATCH,
    Cursor,
    Limit,
    created_responses,
    describe,
    mark_created,
    set_etag,
    versioned_responses,
)
from entrypoints.http.schemas.locations import (
    Location,
    LocationCreate,
    LocationPage,
    LocationUpdate,
)
from entrypoints.http.schemas.problems import problem_responses

PREFIX = "/v1/locations"
router = APIRouter(prefix=PREFIX, tags=["locations"], responses=COMMON_ERRORS)


@router.get(
    "",
    summary="List locations",
    description=describe(ListLocationsHandler),
    responses=problem_responses(403, 422),
)
async def list_locations(
    principal: CurrentPrincipal, service: Service, limit: Limit = None, cursor: Cursor = None
) -> LocationPage:
    page = await service.list_locations(principal, limit, cursor)
    return LocationPage(items=[Location.of(x) for x in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    status_code=201,
    summary="Create a location",
    description=describe(CreateLocationHandler, CreateLocation),
    responses=created_responses("The new location.", 409),
)
async def create_location(
    body: LocationCreate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Location:
    outcome = await service.create_location(principal, body.to_command(), idempotency_key)
    location = outcome.value
    mark_created(response, f"{PREFIX}/{location.id}", outcome.replayed, location.version)
    return Location.of(location)


@router.get(
    "/{location_id}",
    summary="Get a location",
    description=describe(GetLocationHandler),
    responses=versioned_responses("The location.", 422),
)
async def get_location(
    location_id: UUID, principal: CurrentPrincipal, service: Service, response: Response
) -> Location:
    location = await service.get_location(principal, location_id)
    set_etag(response, location.version)
    return Location.of(location)


@router.patch(
    "/{location_id}",
    summary="Update a location",
    description=describe(UpdateLocationHandler, UpdateLocation),
    openapi_extra=IF_MATCH,
    responses=versioned_responses("The updated location.", 412, *BODY_ERRORS),
)
async def update_location(
    location_id: UUID,
    body: LocationUpdate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_versions: IfMatch,
) -> Location:
    command = UpdateLocation(
        location_id=location_id,
        name=body.name,
        kind=body.kind,
        expected_versions=expected_versions,
    )
    location = await service.update_location(principal, command)
    set_etag(response, location.version)
    return Location.of(location)


@router.delete(
    "/{location_id}",
    summary="Archive a location",
    description=describe(ArchiveLocationHandler, ArchiveLocation)
    + "\n\nAnswers 200 with the archived location; archiving an archived location changes nothing.",
    openapi_extra=IF_MATCH,
    responses=versioned_responses("The archived location.", 412, 422),
)
async def archive_location(
    location_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_versions: IfMatch,
) -> Location:
    command = ArchiveLocation(location_id=location_id, expected_versions=expected_versions)
    location = await service.archive_location(principal, command)
    set_etag(response, location.version)
    return Location.of(location)
