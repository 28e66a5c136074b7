"""Units of work: rollback by default, org isolation, work after commit."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.clock import ManualClock
from application.pagination import PageRequest
from application.ports import StockFilter, UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from domain.catalog import Item
from domain.errors import NotFound
from domain.stock import LevelKey
from tests.contract import builders
from tests.contract.conftest import new_org


def make_item(clock: ManualClock) -> Item:
    return Item.create(id=uuid4(), sku=f"S{uuid4().hex[:8]}", name="n", now=clock.now())


async def test_uncommitted_work_disappears(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    item = make_item(clock)
    async with uow_factory(org) as uow:
        await uow.items.add(item)
        assert await uow.items.get(item.id) == item  # visible inside its own unit of work

    async with uow_factory(org) as uow:
        assert await uow.items.get(item.id) is None


async def test_an_error_rolls_everything_back(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    item = make_item(clock)

    async def add_then_fail() -> None:
        async with uow_factory(org) as uow:
            await uow.items.add(item)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await add_then_fail()

    async with uow_factory(org) as uow:
        assert await uow.items.get(item.id) is None


async def test_writes_after_commit_stay_uncommitted(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    first, second = make_item(clock), make_item(clock)
    async with uow_factory(org) as uow:
        await uow.items.add(first)
        await uow.commit()
        await uow.items.add(second)

    async with uow_factory(org) as uow:
        assert await uow.items.get(first.id) == first
        assert await uow.items.get(second.id) is None


async def test_nothing_of_one_org_is_visible_to_another(
    uow_factory: UnitOfWorkFactory, deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin)
    location = await builders.location(deps, admin)
    movement = await builders.receive(deps, admin, item.id, location.id, 5)
    reservation = await builders.reserve(deps, admin, item.id, location.id, 2)
    other = new_org()

    async with uow_factory(other) as uow:
        assert await uow.items.get(item.id) is None
        assert await uow.items.list(PageRequest()) == []
        assert await uow.locations.get_many([location.id]) == {}
        assert await uow.locations.list(PageRequest()) == []
        assert await uow.stock.get(LevelKey(item.id, location.id), clock.now()) is None
        assert await uow.stock.list(StockFilter(), PageRequest(), clock.now()) == []
        assert await uow.movements.get(movement.id) is None
        assert await uow.reservations.get(reservation.id) is None

    intruder = Principal.from_claims(user_id="u", org_id=other, raw_role="admin")
    with pytest.raises(NotFound):
        await builders.receive(deps, intruder, item.id, location.id, 1)
    assert admin.org_id is not None
    async with uow_factory(admin.org_id) as uow:
        level = await uow.stock.get(LevelKey(item.id, location.id), clock.now())
    assert level is not None and (level.on_hand, level.reserved) == (5, 2)
