"""Read items and locations."""

from __future__ import annotations

from uuid import UUID

from application.catalog import find
from application.pagination import Keyset, Page, PageRequest, code_part, page_of
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.catalog import Item, Location


def item_sort_key(item: Item) -> tuple[str, ...]:
    """Items list in case-insensitive SKU order."""
    return (item.sku.lower(),)


def location_sort_key(location: Location) -> tuple[str, ...]:
    """Locations list in case-insensitive code order."""
    return (location.code.lower(),)


ITEMS: Keyset[Item] = Keyset("items", item_sort_key, (code_part,))
LOCATIONS: Keyset[Location] = Keyset("locations", location_sort_key, (code_part,))


class GetItemHandler(UseCase):
    """One item of the caller's org (another org's id: not found)."""

    async def __call__(self, principal: Principal, item_id: UUID) -> Item:
        async with self.deps.uow(principal.require(Permission.READ), read_only=True) as uow:
            return await find(uow.items, item_id, "item")


class ListItemsHandler(UseCase):
    """A page of the caller's items, by SKU."""

    async def __call__(
        self, principal: Principal, limit: int | None, cursor: str | None
    ) -> Page[Item]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, ITEMS)
        async with self.deps.uow(org_id, read_only=True) as uow:
            rows = await uow.items.list(request)
        return page_of(rows, request, ITEMS)


class GetLocationHandler(UseCase):
    """One location of the caller's org (another org's id: not found)."""

    async def __call__(self, principal: Principal, location_id: UUID) -> Location:
        async with self.deps.uow(principal.require(Permission.READ), read_only=True) as uow:
            return await find(uow.locations, location_id, "location")


class ListLocationsHandler(UseCase):
    """A page of the caller's locations, by code."""

    async def __call__(
        self, principal: Principal, limit: int | None, cursor: str | None
    ) -> Page[Location]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, LOCATIONS)
        async with self.deps.uow(org_id, read_only=True) as uow:
            rows = await uow.locations.list(request)
        return page_of(rows, request, LOCATIONS)
