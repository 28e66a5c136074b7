"""In-memory items and locations: one store of catalog entries, each with its unique code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic
from uuid import UUID

from adapters.memory.state import OrgState
from application.pagination import PageRequest
from application.ports import E, Items, Locations
from application.queries.catalog import item_sort_key, location_sort_key
from domain.catalog import Item, Location
from domain.errors import Conflict


class _InMemoryEntries(Generic[E]):
    """Entries of one kind inside a unit of work's working copy, listed by ``sort_key``."""

    def __init__(self, rows: dict[UUID, E], sort_key: Callable[[E], tuple[str, ...]]) -> None:
        self._rows: dict[UUID, E] = rows
        self._sort_key: Callable[[E], tuple[str, ...]] = sort_key

    async def get(self, entry_id: UUID, *, for_update: bool = False) -> E | None:
        return self._rows.get(entry_id)

    async def get_many(self, entry_ids: Sequence[UUID]) -> dict[UUID, E]:
        return {i: self._rows[i] for i in entry_ids if i in self._rows}

    async def lock_to_archive(self, entry_id: UUID) -> E | None:
        # Units of work run one at a time here: nothing can race the archive.
        return self._rows.get(entry_id)

    async def save(self, entry: E) -> None:
        self._rows[entry.id] = entry

    async def list(self, page: PageRequest) -> list[E]:
        rows = sorted(self._rows.values(), key=self._sort_key)
        if page.after is not None:
            rows = [r for r in rows if self._sort_key(r) > page.after]
        return rows[: page.limit + 1]

    def _add(self, entry: E, message: str, field: str) -> None:
        # The sort key is the unique code, compared case-insensitively.
        if any(self._sort_key(r) == self._sort_key(entry) for r in self._rows.values()):
            raise Conflict(message, field=field)
        self._rows[entry.id] = entry


class InMemoryItems(_InMemoryEntries[Item], Items):
    """Items of one org; SKUs unique case-insensitively."""

    def __init__(self, state: OrgState) -> None:
        super().__init__(state.items, item_sort_key)

    async def add(self, entry: Item) -> None:
        self._add(entry, f"an item with sku {entry.sku!r} already exists", "sku")


class InMemoryLocations(_InMemoryEntries[Location], Locations):
    """Locations of one org; codes unique case-insensitively."""

    def __init__(self, state: OrgState) -> None:
        super().__init__(state.locations, location_sort_key)

    async def add(self, entry: Location) -> None:
        self._add(entry, f"a location with code {entry.code!r} already exists", "code")
