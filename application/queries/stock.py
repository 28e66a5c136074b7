"""Read stock levels and the movement ledger."""

from __future__ import annotations

from uuid import UUID

from application.pagination import Keyset, Page, PageRequest, page_of, uuid_part
from application.ports import LedgerEntry, MovementFilter, StockFilter
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.errors import NotFound, ValidationFailed
from domain.movements import Movement
from domain.stock import StockLevel


def level_sort_key(level: StockLevel) -> tuple[str, ...]:
    """Stock levels list by (item_id, location_id)."""
    return (str(level.item_id), str(level.location_id))


def ledger_sort_key(entry: LedgerEntry) -> tuple[int, str]:
    """The ledger lists in commit-safe position order, ties broken by id (ADR 0020)."""
    return (entry.position, str(entry.movement.id))


def ledger_cursor(entry: LedgerEntry) -> tuple[str, ...]:
    """The cursor key of a ledger entry."""
    return (str(entry.position), str(entry.movement.id))


def position_part(value: str) -> str:
    """A ledger position (a transaction id: a non-negative 64-bit integer), canonical."""
    if not value.isdigit() or len(value) > 20 or int(value) >= 2**64:
        raise ValueError("not a position")
    return str(int(value))


def ledger_after(page: PageRequest) -> tuple[int, str] | None:
    """The ledger cursor's (position, movement id), already checked by ``LEDGER``."""
    if page.after is None:
        return None
    position, movement_id = page.after
    return (int(position), movement_id)


STOCK_LEVELS: Keyset[StockLevel] = Keyset("stock-levels", level_sort_key, (uuid_part, uuid_part))
LEDGER: Keyset[LedgerEntry] = Keyset("movements", ledger_cursor, (position_part, uuid_part))


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
    """A page of the ledger, filtered, in the order its transactions began writing: a movement
    whose transaction is still running holds back the ones after it, so paging on never
    skips a movement that commits late."""

    async def __call__(
        self, principal: Principal, filters: MovementFilter, limit: int | None, cursor: str | None
    ) -> Page[Movement]:
        org_id = principal.require(Permission.READ)  # 403 before any 422, as in every query
        if filters.since and filters.until and filters.since >= filters.until:
            raise ValidationFailed("since must be before until", field="since")
        request = PageRequest.parse(limit, cursor, LEDGER)
        async with self.deps.uow(org_id) as uow:
            rows = await uow.movements.list(filters, request)
        page = page_of(rows, request, LEDGER)
        return Page([entry.movement for entry in page.items], page.next_cursor)
