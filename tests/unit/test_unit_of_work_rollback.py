"""The in-memory unit of work: nothing is published without commit; an exception rolls back."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from adapters.memory.state import InMemoryDatabase
from adapters.memory.uow import InMemoryUnitOfWorkFactory
from application.errors import StorageUnavailable
from application.pagination import PageRequest
from application.ports import IdGenerator
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.catalog import Item
from domain.movements import MovementRequest, MovementType, QuantityLine
from domain.stock import LevelKey, Receive
from tests.unit.conftest import START, Given

PAGE = PageRequest(limit=50)


class Boom(Exception):
    """Raised on purpose inside a unit of work."""


def an_item(sku: str) -> Item:
    return Item.create(id=uuid4(), sku=sku, name="n", now=START)


async def test_an_exception_inside_a_unit_of_work_leaves_nothing_behind(
    db: InMemoryDatabase, org_id: str
) -> None:
    uow_factory = InMemoryUnitOfWorkFactory(db)
    key = LevelKey(uuid4(), uuid4())

    async def crash_after_writes() -> None:
        async with uow_factory(org_id) as uow:
            await uow.items.add(an_item("A-1"))
            await uow.stock.change(key, Receive(5), START)
            raise Boom

    with pytest.raises(Boom):
        await crash_after_writes()

    async with uow_factory(org_id) as uow:
        assert await uow.items.list(PAGE) == []
        assert await uow.stock.get(key, START) is None
    assert org_id not in db.orgs


async def test_leaving_without_commit_discards_the_work(db: InMemoryDatabase, org_id: str) -> None:
    uow_factory = InMemoryUnitOfWorkFactory(db)

    async with uow_factory(org_id) as uow:
        await uow.items.add(an_item("A-1"))

    async with uow_factory(org_id) as uow:
        assert await uow.items.list(PAGE) == []


async def test_committed_work_survives_and_later_uncommitted_work_in_the_block_does_not(
    db: InMemoryDatabase, org_id: str
) -> None:
    uow_factory = InMemoryUnitOfWorkFactory(db)
    kept, dropped = an_item("A-1"), an_item("B-1")

    async def commit_then_crash() -> None:
        async with uow_factory(org_id) as uow:
            await uow.items.add(kept)
            await uow.commit()
            await uow.items.add(dropped)
            raise Boom

    with pytest.raises(Boom):
        await commit_then_crash()

    async with uow_factory(org_id) as uow:
        assert await uow.items.list(PAGE) == [kept]


class FailingIds(IdGenerator):
    """An id source that breaks, as infrastructure can, after the use case has written."""

    def new_id(self) -> UUID:
        raise Boom


async def test_a_use_case_that_fails_midway_rolls_back_its_earlier_steps(
    deps: Deps, given: Given, member: Principal
) -> None:
    item, location = await given.stocked(10)
    before = given.snapshot()
    broken = replace(deps, ids=FailingIds())
    request = MovementRequest(
        type=MovementType.SHIPMENT, lines=(QuantityLine(item.id, location.id, 4),)
    )

    with pytest.raises(Boom):  # the level changed in the working copy, then the id failed
        await PostMovementHandler(broken)(member, request, "ship-1")

    assert given.snapshot() == before
    assert "ship-1" not in given.stored().idempotency


async def test_commit_outside_an_open_unit_of_work_is_refused(
    db: InMemoryDatabase, org_id: str
) -> None:
    uow = InMemoryUnitOfWorkFactory(db)(org_id)
    async with uow:
        pass

    with pytest.raises(StorageUnavailable):
        await uow.commit()


async def test_units_of_work_of_two_orgs_do_not_share_state(db: InMemoryDatabase) -> None:
    uow_factory = InMemoryUnitOfWorkFactory(db)
    async with uow_factory("org_a") as uow:
        await uow.items.add(an_item("A-1"))
        await uow.commit()

    async with uow_factory("org_b") as uow:
        assert await uow.items.list(PAGE) == []
        await uow.items.add(an_item("A-1"))  # same sku, other org: no conflict
        await uow.commit()

    assert len(db.orgs["org_a"].items) == len(db.orgs["org_b"].items) == 1
