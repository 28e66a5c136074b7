"""Items and locations: add, get, save, keyset pagination, case-insensitive uniqueness."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.principal import Principal
from application.queries.catalog import ListItemsHandler, ListLocationsHandler
from application.use_cases.base import Deps
from domain.catalog import Item, Location, LocationKind
from domain.errors import Conflict
from tests.contract import builders
from tests.contract.conftest import new_org


def make_item(sku: str, clock: ManualClock, **fields: object) -> Item:
    return Item.create(id=uuid4(), sku=sku, name=f"name {sku}", now=clock.now(), **fields)  # type: ignore[arg-type]


async def test_an_added_item_reads_back_equal(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    item = make_item("Bolt-1", clock, description="M6", unit="box", reorder_point=5)
    async with uow_factory(org) as uow:
        await uow.items.add(item)
        await uow.commit()

    async with uow_factory(org) as uow:
        assert await uow.items.get(item.id) == item
        assert await uow.items.get(item.id, for_update=True) == item
        assert await uow.items.get_many([item.id, uuid4()]) == {item.id: item}
        assert await uow.items.get(uuid4()) is None


async def test_a_saved_item_keeps_its_changes(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    item = make_item("nut", clock)
    async with uow_factory(org) as uow:
        await uow.items.add(item)
        await uow.commit()
    clock.advance(5)
    changed = replace(item.archive(clock.now()), description="gone", reorder_point=None)
    async with uow_factory(org) as uow:
        await uow.items.save(changed)
        await uow.commit()

    async with uow_factory(org) as uow:
        assert await uow.items.get(item.id) == changed


@pytest.mark.parametrize("duplicate", ["WIDGET", "widget", "Widget"])
async def test_a_duplicate_sku_in_any_case_is_a_conflict(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock, duplicate: str
) -> None:
    async with uow_factory(org) as uow:
        await uow.items.add(make_item("Widget", clock))
        await uow.commit()

    with pytest.raises(Conflict) as caught:
        async with uow_factory(org) as uow:
            await uow.items.add(make_item(duplicate, clock))
    assert caught.value.code == "conflict"
    assert caught.value.extra == {"field": "sku"}


async def test_the_same_sku_in_another_org_is_another_item(
    uow_factory: UnitOfWorkFactory, clock: ManualClock
) -> None:
    added = {org: make_item("shared", clock) for org in (new_org(), new_org())}
    for org, item in added.items():
        async with uow_factory(org) as uow:
            await uow.items.add(item)
            await uow.commit()

    for org, item in added.items():
        async with uow_factory(org) as uow:
            assert await uow.items.list(PageRequest()) == [item]


async def test_items_page_in_case_insensitive_code_point_order(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    skus = ["b", "A", "a-1", "a.1", "a_1", "Z9", "0x", "_u", "c", "B2", "a1"]
    async with uow_factory(org) as uow:
        for sku in skus:
            await uow.items.add(make_item(sku, clock))
        await uow.commit()

    seen: list[str] = []
    after: tuple[str, ...] | None = None
    async with uow_factory(org) as uow:
        while True:
            rows = await uow.items.list(PageRequest(limit=3, after=after))
            seen += [i.sku for i in rows[:3]]
            if len(rows) <= 3:
                break
            after = (rows[2].sku.lower(),)
    assert seen == sorted(skus, key=str.lower)


async def test_list_items_use_case_walks_every_page(deps: Deps, admin: Principal) -> None:
    created = [await builders.item(deps, admin, sku=f"S{n:02}") for n in range(7)]
    seen, cursor = [], None
    while True:
        page = await ListItemsHandler(deps)(admin, 3, cursor)
        seen += page.items
        if (cursor := page.next_cursor) is None:
            break
    assert seen == created


async def test_locations_round_trip_conflict_and_page(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock, deps: Deps, admin: Principal
) -> None:
    location = Location.create(
        id=uuid4(), code="Bin-7", name="Bin 7", kind=LocationKind.BIN, now=clock.now()
    )
    async with uow_factory(org) as uow:
        await uow.locations.add(location)
        await uow.commit()
    async with uow_factory(org) as uow:
        assert await uow.locations.get(location.id, for_update=True) == location
        assert await uow.locations.get_many([location.id]) == {location.id: location}
        renamed = location.update(name="Bin seven", kind=None, now=clock.now())
        await uow.locations.save(renamed)
        await uow.commit()
    async with uow_factory(org) as uow:
        assert await uow.locations.get(location.id) == renamed
    with pytest.raises(Conflict) as caught:
        await builders.location(deps, admin, code="bin-7")
    assert caught.value.extra == {"field": "code"}

    others = {c: await builders.location(deps, admin, code=c) for c in ("a", "C", "b")}
    page = await ListLocationsHandler(deps)(admin, 2, None)
    rest = await ListLocationsHandler(deps)(admin, 2, page.next_cursor)
    assert page.items + rest.items == [others["a"], others["b"], renamed, others["C"]]
    assert rest.next_cursor is None
