"""Listing stock levels: filters by item, location and reorder point; pages by (item, location)."""

from __future__ import annotations

import pytest

from application.ports import StockFilter
from application.principal import Principal
from application.queries.stock import ListStockLevelsHandler
from application.use_cases.base import Deps
from domain.errors import ValidationFailed
from tests.unit.conftest import Given


async def keys(deps: Deps, who: Principal, filters: StockFilter) -> set[tuple[object, object]]:
    page = await ListStockLevelsHandler(deps)(who, filters, 200, None)
    return {(level.item_id, level.location_id) for level in page.items}


async def test_levels_filter_by_item_and_by_location(
    deps: Deps, member: Principal, given: Given
) -> None:
    bolt, nut = await given.item(), await given.item()
    here, there = await given.location(), await given.location()
    for item in (bolt, nut):
        for place in (here, there):
            await given.receive(item, place, 1)

    assert await keys(deps, member, StockFilter(item_id=bolt.id)) == {
        (bolt.id, here.id),
        (bolt.id, there.id),
    }
    assert await keys(deps, member, StockFilter(location_id=there.id)) == {
        (bolt.id, there.id),
        (nut.id, there.id),
    }
    assert await keys(deps, member, StockFilter(item_id=nut.id, location_id=here.id)) == {
        (nut.id, here.id)
    }
    assert len(await keys(deps, member, StockFilter())) == 4


async def test_below_reorder_point_lists_only_levels_under_their_items_reorder_point(
    deps: Deps, member: Principal, given: Given
) -> None:
    low_item = await given.item(reorder_point=5)
    no_point = await given.item()
    place = await given.location()
    await given.receive(low_item, place, 2)
    await given.receive(no_point, place, 1)
    full = await given.location()
    await given.receive(low_item, full, 50)

    below = await keys(deps, member, StockFilter(below_reorder_point=True))

    assert below == {(low_item.id, place.id)}


async def test_levels_page_in_item_then_location_order_without_repeats(
    deps: Deps, member: Principal, given: Given
) -> None:
    for _ in range(3):
        item = await given.item()
        for _ in range(2):
            await given.receive(item, await given.location(), 1)
    seen, cursor = [], None

    while True:
        page = await ListStockLevelsHandler(deps)(member, StockFilter(), 4, cursor)
        seen += [(str(lvl.item_id), str(lvl.location_id)) for lvl in page.items]
        if not (cursor := page.next_cursor):
            break

    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen) == 6


async def test_a_level_reports_available_as_on_hand_minus_reserved(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(9)
    await given.reservation(item, location, 4)

    [level] = (
        await ListStockLevelsHandler(deps)(member, StockFilter(item_id=item.id), None, None)
    ).items

    assert (level.on_hand, level.reserved, level.available) == (9, 4, 5)


async def test_a_tampered_stock_cursor_is_refused(deps: Deps, member: Principal) -> None:
    with pytest.raises(ValidationFailed):
        await ListStockLevelsHandler(deps)(member, StockFilter(), 10, "bm90LWpzb24")
