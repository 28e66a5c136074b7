"""Stock reads: effective reserved with expired holds, filters and keyset pages."""

from __future__ import annotations

from uuid import UUID

from adapters.clock import ManualClock
from application.pagination import PageRequest
from application.ports import StockFilter, UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from domain.stock import LevelKey
from tests.contract import builders


async def test_expired_holds_never_count_and_are_released_on_demand(
    uow_factory: UnitOfWorkFactory,
    org: str,
    key: LevelKey,
    clock: ManualClock,
    deps: Deps,
    admin: Principal,
) -> None:
    await builders.receive(deps, admin, key.item_id, key.location_id, 10)
    await builders.reserve(deps, admin, key.item_id, key.location_id, 4, ttl_seconds=60)
    await builders.reserve(deps, admin, key.item_id, key.location_id, 1)
    clock.advance(60)  # expires_at <= now: expired

    async with uow_factory(org) as uow:
        level = await uow.stock.get(key, clock.now())
        listed = await uow.stock.list(StockFilter(), PageRequest(), clock.now())
        assert level is not None and (level.on_hand, level.reserved) == (10, 1)
        assert listed == [level]
        first = await uow.reservations.release_expired_holds([key], clock.now())
        assert first.by_level == {key: 4} and len(first.reservation_ids) == 1
        again = await uow.reservations.release_expired_holds([key], clock.now())
        assert again.by_level == {} and again.reservation_ids == ()
    # Invariant 5 in docs/design.md: the expired hold does not block a new reservation of everything else.
    await builders.reserve(deps, admin, key.item_id, key.location_id, 9)
    async with uow_factory(org) as uow:
        level = await uow.stock.get(key, clock.now())
    assert level is not None and (level.on_hand, level.reserved) == (10, 10)


async def test_stock_levels_filter_and_page_by_item_then_location(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock, deps: Deps, admin: Principal
) -> None:
    items = [await builders.item(deps, admin, reorder_point=5) for _ in range(3)]
    locations = [await builders.location(deps, admin) for _ in range(3)]
    for n, item in enumerate(items):
        for m, location in enumerate(locations):
            await builders.receive(deps, admin, item.id, location.id, 1 + 3 * n + m)
    now = clock.now()

    async def walk(filters: StockFilter) -> list[tuple[UUID, UUID, int]]:
        seen, after = [], None
        async with uow_factory(org) as uow:
            while True:
                rows = await uow.stock.list(filters, PageRequest(limit=2, after=after), now)
                seen += [(r.item_id, r.location_id, r.on_hand) for r in rows[:2]]
                if len(rows) <= 2:
                    return seen
                after = (str(rows[1].item_id), str(rows[1].location_id))

    everything = await walk(StockFilter())
    assert everything == sorted(everything, key=lambda r: (str(r[0]), str(r[1])))
    assert len(everything) == 9
    assert await walk(StockFilter(item_id=items[1].id)) == [
        r for r in everything if r[0] == items[1].id
    ]
    assert await walk(StockFilter(location_id=locations[2].id)) == [
        r for r in everything if r[1] == locations[2].id
    ]
    assert await walk(StockFilter(below_reorder_point=True)) == [r for r in everything if r[2] < 5]
    assert await walk(StockFilter(item_id=items[0].id, location_id=locations[0].id)) == [
        (items[0].id, locations[0].id, 1)
    ]
