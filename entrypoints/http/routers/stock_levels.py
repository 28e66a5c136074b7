"""/v1/stock-levels: how much of each item is where, and how much of it is held.

The hottest read of the API. FastAPI documents it (and serves it when the edge runs without
direct routes); the edge answers it directly (``direct_list_stock_levels``). Both parse the
query with the same model and encode the page with the same function, and a differential
test holds them to the same answers (ADR 0012).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from application.errors import Unauthenticated
from application.lot_ports import LotLevel
from application.pagination import MAX_LIMIT, Page
from application.ports import StockFilter
from application.principal import Principal
from application.queries.stock import ListStockLevelsHandler
from application.service import StockroomService
from domain.errors import StockroomError
from domain.stock import StockLevel as DomainStockLevel
from entrypoints.http.dependencies import MISSING, CurrentPrincipal, Service
from entrypoints.http.direct import located
from entrypoints.http.edge import DirectRoute, current_principal_or_error
from entrypoints.http.errors import error_response, validation_problem
from entrypoints.http.routers.common import COMMON_ERRORS, describe
from entrypoints.http.schemas.problems import problem_responses
from entrypoints.http.schemas.stock_levels import LotLevelPage, StockLevelPage

PATH = "/v1/stock-levels"
router = APIRouter(prefix=PATH, tags=["stock levels"], responses=COMMON_ERRORS)
_JSON = [(b"content-type", b"application/json")]


class StockLevelQuery(BaseModel):
    """The query parameters of the list."""

    model_config = ConfigDict(extra="ignore")

    item_id: UUID | None = Field(default=None, description="Only this item.")
    location_id: UUID | None = Field(default=None, description="Only this location.")
    below_reorder_point: bool = Field(
        default=False, description="Only levels whose on_hand is below the item's reorder point."
    )
    by: Literal["level", "lot"] = Field(
        default="level",
        description="`lot`: one row per lot of lot-tracked items (with its code and expiry).",
    )
    limit: int | None = Field(
        default=None, ge=1, le=MAX_LIMIT, description=f"Page size, 1-{MAX_LIMIT} (default 50)."
    )
    cursor: str | None = Field(
        default=None, max_length=1024, description="`next_cursor` of the previous page."
    )

    def filters(self) -> StockFilter:
        return StockFilter(
            item_id=self.item_id,
            location_id=self.location_id,
            below_reorder_point=self.below_reorder_point,
        )


def encode_page(page: Page[DomainStockLevel]) -> bytes:
    """The JSON of a StockLevelPage, written straight from the domain values."""
    return orjson.dumps(
        {
            "items": [
                {
                    "item_id": level.item_id,
                    "location_id": level.location_id,
                    "on_hand": level.on_hand,
                    "reserved": level.reserved,
                    "available": level.on_hand - level.reserved - level.expired_unreserved,
                    "expired": level.expired,
                    "incoming": level.incoming,
                    "version": level.version,
                    "updated_at": level.updated_at,
                }
                for level in page.items
            ],
            "next_cursor": page.next_cursor,
        },
        option=orjson.OPT_UTC_Z,
    )


def encode_lot_page(page: Page[LotLevel]) -> bytes:
    """The JSON of a LotLevelPage."""
    return orjson.dumps(
        {
            "items": [
                {
                    "item_id": row.position.lot.item_id,
                    "location_id": row.location_id,
                    "lot_id": row.position.lot.id,
                    "lot_code": row.position.lot.code,
                    "expires_on": row.position.lot.expires_on,
                    "on_hand": row.position.on_hand,
                    "reserved": row.position.reserved,
                    "available": row.available,
                    "expired": row.expired,
                }
                for row in page.items
            ],
            "next_cursor": page.next_cursor,
        },
        option=orjson.OPT_UTC_Z,
    )


async def _page(service: StockroomService, principal: Principal, query: StockLevelQuery) -> bytes:
    if query.by == "lot":
        lots = await service.list_lot_levels(principal, query.filters(), query.limit, query.cursor)
        return encode_lot_page(lots)
    page = await service.list_stock_levels(principal, query.filters(), query.limit, query.cursor)
    return encode_page(page)


@router.get(
    "",
    summary="List stock levels",
    description=describe(ListStockLevelsHandler, StockFilter),
    response_model=StockLevelPage | LotLevelPage,
    responses=problem_responses(403, 422),
)
async def list_stock_levels(
    principal: CurrentPrincipal, service: Service, query: Annotated[StockLevelQuery, Query()]
) -> Response:
    return Response(await _page(service, principal, query), media_type="application/json")


def direct_list_stock_levels(service: Callable[[], StockroomService]) -> DirectRoute:
    """``GET /v1/stock-levels`` as the edge serves it: same query model, same encoder."""

    async def route(scope: Any, receive: Any, send: Any) -> None:
        try:
            # As in FastAPI: the caller is checked (401) before the query is validated (422).
            principal = current_principal_or_error(scope["state"])
            if principal is None:
                raise Unauthenticated(MISSING)
            query = _query(scope)
            if query.by == "lot":
                body = await _page(service(), principal, query)
            else:  # the hot read: no detour
                page = await service().list_stock_levels(
                    principal, query.filters(), query.limit, query.cursor
                )
                body = encode_page(page)
        except StockroomError as exc:
            await error_response(exc, PATH)(scope, receive, send)
            return
        except ValidationError as exc:
            await validation_problem(located("query", exc), PATH)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            *_JSON, (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    return route


# The storefront's stock check, ``?item_id=<UUID>`` and nothing else, skips the general query
# string parser (about 3 us of a read's CPU); the model still validates what it captured.
_ONLY_ITEM_ID = re.compile(
    rb"item_id=([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)


def _query(scope: Any) -> StockLevelQuery:
    query_string: bytes = scope.get("query_string", b"")
    only_item = _ONLY_ITEM_ID.fullmatch(query_string)
    if only_item is not None:
        return StockLevelQuery.model_validate({"item_id": only_item[1].decode("ascii")})
    raw = query_string.decode("latin-1")
    # Like Starlette's QueryParams: blank values kept, the last of a repeated name wins.
    return StockLevelQuery.model_validate(dict(parse_qsl(raw, keep_blank_values=True)))
