"""Stock changes: the same level, delta and version on both backends."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from application.ports import UnitOfWorkFactory
from domain.stock import (
    Adjust,
    Arrive,
    Count,
    Expect,
    Fulfil,
    LevelKey,
    Receive,
    Recount,
    Release,
    Reserve,
    Return,
    Ship,
    StockChange,
    StockLevel,
)
from tests.contract.stock_steps import apply


async def test_every_change_moves_the_level_as_the_domain_says(
    uow_factory: UnitOfWorkFactory, org: str, key: LevelKey, clock: ManualClock
) -> None:
    now = clock.now()
    steps: list[tuple[StockChange, tuple[int, int, int, int]]] = [
        (Receive(10), (10, 0, 1, 10)),
        (Ship(3), (7, 0, 2, -3)),
        (Adjust(5), (12, 0, 3, 5)),
        (Adjust(-2), (10, 0, 4, -2)),
        (Reserve(4), (10, 4, 5, 0)),
        (Release(1), (10, 3, 6, 0)),
        (Fulfil(2), (8, 1, 7, -2)),
        (Count(6), (6, 1, 8, -2)),
        (Count(9, expected_on_hand=6), (9, 1, 9, 3)),
    ]
    for change, expected in steps:
        assert await apply(uow_factory, org, key, change, now) == expected, change

    async with uow_factory(org) as uow:
        level = await uow.stock.get(key, now)
    assert level == StockLevel(
        item_id=key.item_id,
        location_id=key.location_id,
        on_hand=9,
        reserved=1,
        version=9,
        updated_at=now,
    )


@pytest.mark.parametrize("change", [Adjust(4), Count(4), Count(4, expected_on_hand=0)])
async def test_adjustments_and_counts_create_a_missing_level(
    uow_factory: UnitOfWorkFactory, org: str, key: LevelKey, clock: ManualClock, change: StockChange
) -> None:
    assert await apply(uow_factory, org, key, change, clock.now()) == (4, 0, 1, 4)
    async with uow_factory(org) as uow:
        level = await uow.stock.get(key, clock.now())
    assert level is not None and (level.on_hand, level.reserved, level.version) == (4, 0, 1)


async def test_stock_in_transit_moves_incoming_and_then_on_hand(
    uow_factory: UnitOfWorkFactory, org: str, key: LevelKey, clock: ManualClock
) -> None:
    now = clock.now()
    # (on_hand, incoming, version, on_hand_delta) after each change
    steps: list[tuple[StockChange, tuple[int, int, int, int]]] = [
        (Expect(7), (0, 7, 1, 0)),  # creates the level: nothing on hand yet
        (Arrive(3), (3, 4, 2, 3)),
        (Expect(-2), (3, 2, 3, 0)),
        (Return(5), (8, 2, 4, 5)),
        (Recount(-6), (2, 2, 5, -6)),
        (Recount(0), (2, 2, 6, 0)),
        (Arrive(2), (4, 0, 7, 2)),
    ]
    for change, expected in steps:
        async with uow_factory(org) as uow:
            result = await uow.stock.change(key, change, now)
            await uow.commit()
        level = result.level
        got = (level.on_hand, level.incoming, level.version, result.on_hand_delta)
        assert got == expected, change

    async with uow_factory(org) as uow:
        level = await uow.stock.get(key, now)
    assert level is not None and (level.on_hand, level.incoming, level.version) == (4, 0, 7)


@pytest.mark.parametrize("change", [Return(4), Recount(4)])
async def test_returns_and_recounts_create_a_missing_level(
    uow_factory: UnitOfWorkFactory, org: str, key: LevelKey, clock: ManualClock, change: StockChange
) -> None:
    assert await apply(uow_factory, org, key, change, clock.now()) == (4, 0, 1, 4)
