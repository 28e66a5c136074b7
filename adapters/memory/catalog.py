"""In-memory items and locations."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from adapters.memory.state import OrgState
from application.pagination import PageRequest
from application.ports import Items, Locations
from application.queries.catalog import item_sort_key, location_sort_key
from domain.catalog import Item, Location
from domain.errors import Conflict


class InMemoryItems(Items):
    """Items of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState) -> None:
        self._items = state.items

    async def add(self, item: Item) -> None:
        if any(i.sku.lower() == item.sku.lower() for i in self._items.values()):
            raise Conflict(f"an item with sku {item.sku!r} already exists", field="sku")
        self._items[item.id] = item

    async def get(self, item_id: UUID, *, for_update: bool = False) -> Item | None:
        return self._items.get(item_id)

    async def get_many(self, item_ids: Sequence[UUID]) -> dict[UUID, Item]:
        return {i: self._items[i] for i in item_ids if i in self._items}

    async def save(self, item: Item) -> None:
        self._items[item.id] = item

    async def list(self, page: PageRequest) -> list[Item]:
        rows = sorted(self._items.values(), key=item_sort_key)
        if page.after is not None:
            rows = [r for r in rows if item_sort_key(r) > page.after]
        return rows[: page.limit + 1]


class InMemoryLocations(Locations):
    """Locations of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState) -> None:
        self._locations = state.locations

    async def add(self, location: Location) -> None:
        if any(loc.code.lower() == location.code.lower() for loc in self._locations.values()):
            raise Conflict(f"a location with code {location.code!r} already exists", field="code")
        self._locations[location.id] = location

    async def get(self, location_id: UUID, *, for_update: bool = False) -> Location | None:
        return self._locations.get(location_id)

    async def get_many(self, location_ids: Sequence[UUID]) -> dict[UUID, Location]:
        return {i: self._locations[i] for i in location_ids if i in self._locations}

    async def save(self, location: Location) -> None:
        self._locations[location.id] = location

    async def list(self, page: PageRequest) -> list[Location]:
        rows = sorted(self._locations.values(), key=location_sort_key)
        if page.after is not None:
            rows = [r for r in rows if location_sort_key(r) > page.after]
        return rows[: page.limit + 1]
