"""/v1/items: the catalog of stocked things."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from application.queries.catalog import GetItemHandler, ListItemsHandler
from application.use_cases.archive_item import ArchiveItem, ArchiveItemHandler
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.update_item import UpdateItem, UpdateItemHandler
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
from entrypoints.http.schemas.items import Item, ItemCreate, ItemPage, ItemUpdate
from entrypoints.http.schemas.problems import problem_responses

PREFIX = "/v1/items"
router = APIRouter(prefix=PREFIX, tags=["items"], responses=COMMON_ERRORS)


@router.get(
    "",
    summary="List items",
    description=describe(ListItemsHandler),
    responses=problem_responses(403, 422),
)
async def list_items(
    principal: CurrentPrincipal, service: Service, limit: Limit = None, cursor: Cursor = None
) -> ItemPage:
    page = await service.list_items(principal, limit, cursor)
    return ItemPage(items=[Item.of(i) for i in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    status_code=201,
    summary="Create an item",
    description=describe(CreateItemHandler, CreateItem),
    responses=created_responses("The new item.", 409),
)
async def create_item(
    body: ItemCreate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Item:
    outcome = await service.create_item(principal, body.to_command(), idempotency_key)
    item = outcome.value
    mark_created(response, f"{PREFIX}/{item.id}", outcome.replayed, item.version)
    return Item.of(item)


@router.get(
    "/{item_id}",
    summary="Get an item",
    description=describe(GetItemHandler),
    responses=versioned_responses("The item.", 422),
)
async def get_item(
    item_id: UUID, principal: CurrentPrincipal, service: Service, response: Response
) -> Item:
    item = await service.get_item(principal, item_id)
    set_etag(response, item.version)
    return Item.of(item)


@router.patch(
    "/{item_id}",
    summary="Update an item",
    description=describe(UpdateItemHandler, UpdateItem),
    openapi_extra=IF_MATCH,
    responses=versioned_responses("The updated item.", 412, *BODY_ERRORS),
)
async def update_item(
    item_id: UUID,
    body: ItemUpdate,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_versions: IfMatch,
) -> Item:
    command = UpdateItem(
        item_id=item_id, changes=body.to_changes(), expected_versions=expected_versions
    )
    item = await service.update_item(principal, command)
    set_etag(response, item.version)
    return Item.of(item)


@router.delete(
    "/{item_id}",
    summary="Archive an item",
    description=describe(ArchiveItemHandler, ArchiveItem)
    + "\n\nAnswers 200 with the archived item; archiving an archived item changes nothing.",
    openapi_extra=IF_MATCH,
    responses=versioned_responses("The archived item.", 412, 422),
)
async def archive_item(
    item_id: UUID,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    expected_versions: IfMatch,
) -> Item:
    command = ArchiveItem(item_id=item_id, expected_versions=expected_versions)
    item = await service.archive_item(principal, command)
    set_etag(response, item.version)
    return Item.of(item)
