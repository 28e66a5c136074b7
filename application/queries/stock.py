"""Read stock levels and the movement ledger."""

from __future__ import annotations

from uuid import UUID

from application.pagination import Keyset, Page, PageRequest, page_of, time_part, uuid_part
from application.ports import MovementFilter, StockFilter
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.errors import NotFound, ValidationFailed
from domain.movements import Movement
from domain.stock import StockLevel


def level_sort_key(level: StockLevel) -> tuple[str, ...]:
    """Stock levels list by (item_id, location_id)."""
    return (str(level.item_id), str(level.location_id))


def movement_sort_key(movement: Movement) -> tuple[str, ...]:
    """The ledger lists oldest first, ties broken by id."""
    return (movement.created_at.isoformat(), str(movement.id))


STOCK_LEVELS: Keyset[StockLevel] = Keyset("stock-levels", level_sort_key, (uuid_part, uuid_part))
MOVEMENTS: Keyset[Movement] = Keyset("movements", movement_sort_key, (time_part, uuid_part))


class ListStockLevelsHandler(UseCase):
    """A page of stock levels; ``reserved`` never counts expired holds."""

    async def __call__(
        self, principal: Principal, filters: StockFilter, limit: int | None, cursor: str | None
    ) -> Page[StockLevel]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, STOCK_LEVELS)
        async with self.deps.uow(org_id, read_only=True) as uow:
            rows = await uow.stock.list(filters, request, self.deps.clock.now())
        return page_of(rows, request, STOCK_LEVELS)


class GetMovementHandler(UseCase):
    """One ledger document of the caller's org."""

    async def __call__(self, principal: Principal, movement_id: UUID) -> Movement:
        async with self.deps.uow(principal.require(Permission.READ)) as uow:
            movement = await uow.movements.get(movement_id)
        if movement is None:
            raise NotFound(f"movement {movement_id} not found", resource="movement")
        return movement


class ListMovementsHandler(UseCase):
    """A page of the ledger, oldest first, filtered."""

    async def __call__(
        self, principal: Principal, filters: MovementFilter, limit: int | None, cursor: str | None
    ) -> Page[Movement]:
        org_id = principal.require(Permission.READ)  # 403 before any 422, as in every query
        if filters.since and filters.until and filters.since >= filters.until:
            raise ValidationFailed("since must be before until", field="since")
        request = PageRequest.parse(limit, cursor, MOVEMENTS)
        async with self.deps.uow(org_id) as uow:
            rows = await uow.movements.list(filters, request)
        return page_of(rows, request, MOVEMENTS)
