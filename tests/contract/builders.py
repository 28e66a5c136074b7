"""Test data through the use cases, the way clients create it."""

from __future__ import annotations

import secrets
from uuid import UUID

from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from domain.catalog import Item, Location
from domain.movements import Movement, MovementRequest, MovementType, QuantityLine
from domain.reservations import LineQuantity, Reservation


async def item(deps: Deps, who: Principal, sku: str | None = None, **fields: object) -> Item:
    command = CreateItem(sku=sku or f"SKU-{secrets.token_hex(4)}", name="Widget", **fields)  # type: ignore[arg-type]
    return (await CreateItemHandler(deps)(who, command)).value


async def location(deps: Deps, who: Principal, code: str | None = None) -> Location:
    command = CreateLocation(code=code or f"LOC-{secrets.token_hex(4)}", name="Main")
    return (await CreateLocationHandler(deps)(who, command)).value


async def receive(
    deps: Deps, who: Principal, item_id: UUID, location_id: UUID, quantity: int, **kw: object
) -> Movement:
    request = MovementRequest(
        type=MovementType.RECEIPT,
        lines=(QuantityLine(item_id, location_id, quantity),),
        **kw,  # type: ignore[arg-type]
    )
    return (await PostMovementHandler(deps)(who, request)).value


async def reserve(
    deps: Deps,
    who: Principal,
    item_id: UUID,
    location_id: UUID,
    quantity: int,
    ttl_seconds: int | None = None,
    reference: str | None = None,
) -> Reservation:
    command = CreateReservation(
        lines=(LineQuantity(item_id, location_id, quantity),),
        ttl_seconds=ttl_seconds,
        reference=reference,
    )
    return (await CreateReservationHandler(deps)(who, command)).value
