"""Reading items and locations: one by id, or a page in code order, archived included."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.principal import Principal
from application.queries.catalog import (
    GetItemHandler,
    GetLocationHandler,
    ListItemsHandler,
    ListLocationsHandler,
)
from application.use_cases.base import Deps
from domain.errors import NotFound
from tests.unit.conftest import Given


async def test_an_unknown_item_or_location_id_is_not_found(deps: Deps, member: Principal) -> None:
    with pytest.raises(NotFound) as refused:
        await GetItemHandler(deps)(member, uuid4())
    assert refused.value.extra["resource"] == "item"
    with pytest.raises(NotFound):
        await GetLocationHandler(deps)(member, uuid4())


async def test_listing_items_includes_archived_ones(
    deps: Deps, member: Principal, given: Given
) -> None:
    kept, gone = await given.item(sku="K-1"), await given.item(sku="G-1")
    await given.archive(gone)

    page = await ListItemsHandler(deps)(member, None, None)

    assert [(i.id, i.archived) for i in page.items] == [(gone.id, True), (kept.id, False)]
    assert page.next_cursor is None


async def test_locations_list_in_case_insensitive_code_order_across_pages(
    deps: Deps, member: Principal, given: Given
) -> None:
    for code in ("wh-b", "WH-A", "store-1"):
        await given.location(code=code)

    first = await ListLocationsHandler(deps)(member, 2, None)
    second = await ListLocationsHandler(deps)(member, 2, first.next_cursor)

    assert [loc.code for loc in first.items] == ["store-1", "WH-A"]
    assert [loc.code for loc in second.items] == ["wh-b"]
    assert second.next_cursor is None


async def test_an_empty_catalog_lists_nothing(deps: Deps, member: Principal) -> None:
    assert (await ListItemsHandler(deps)(member, None, None)).items == []
    assert (await ListLocationsHandler(deps)(member, None, None)).items == []
