"""Refused stock changes: the same error class, code and details on both backends."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from application.ports import UnitOfWorkFactory
from domain.errors import (
    CountMismatch,
    InsufficientStock,
    InvalidTransferState,
    InvalidTransition,
    ReservedStockConflict,
    StockroomError,
)
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
    Ship,
    StockChange,
    StockLevel,
)
from tests.contract.stock_steps import apply

REFUSALS: list[tuple[StockChange, type[StockroomError], dict[str, object]]] = [
    (Ship(6), InsufficientStock, {"requested": 6, "available": 5}),
    (Reserve(6), InsufficientStock, {"requested": 6, "available": 5}),
    (Adjust(-9), InsufficientStock, {"requested": 9, "available": 5}),
    (Adjust(-6), ReservedStockConflict, {"reserved": 3}),
    (Count(2), ReservedStockConflict, {"reserved": 3}),
    (Recount(-6), ReservedStockConflict, {"reserved": 3}),
    (Count(9, expected_on_hand=7), CountMismatch, {"expected_on_hand": 7, "on_hand": 8}),
    (Release(4), InvalidTransition, {}),
    (Fulfil(4), InvalidTransition, {}),
    (Arrive(1), InvalidTransferState, {}),
    (Expect(-1), InvalidTransferState, {}),
]
# The positions a refusal below reserved names: what each would have left on hand.
RESULTING = {Adjust(-6): 2, Count(2): 2, Recount(-6): 2}


@pytest.mark.parametrize(("change", "error", "details"), REFUSALS)
async def test_a_refused_change_raises_the_domain_error_and_changes_nothing(
    uow_factory: UnitOfWorkFactory,
    org: str,
    key: LevelKey,
    clock: ManualClock,
    change: StockChange,
    error: type[StockroomError],
    details: dict[str, object],
) -> None:
    now = clock.now()
    await apply(uow_factory, org, key, Receive(8), now)
    await apply(uow_factory, org, key, Reserve(3), now)

    with pytest.raises(StockroomError) as caught:
        async with uow_factory(org) as uow:
            await uow.stock.change(key, change, now)
    assert type(caught.value) is error
    ids = {"item_id": str(key.item_id), "location_id": str(key.location_id)}
    extra = dict(caught.value.extra.get("lines", [caught.value.extra])[0])
    positions = extra.pop("positions", None)
    assert extra == {**ids, **details}
    if error is ReservedStockConflict:
        assert positions == [{**ids, **details, "resulting_on_hand": RESULTING[change]}]
    async with uow_factory(org) as uow:
        level = await uow.stock.get(key, now)
    assert level is not None and (level.on_hand, level.reserved, level.version) == (8, 3, 2)


@pytest.mark.parametrize(
    "change", [Ship(1), Reserve(1), Adjust(-1), Count(1, 3), Arrive(1), Expect(-1)]
)
async def test_a_missing_level_refuses_like_an_empty_one_and_stays_missing(
    uow_factory: UnitOfWorkFactory, org: str, key: LevelKey, clock: ManualClock, change: StockChange
) -> None:
    with pytest.raises(StockroomError) as caught:
        async with uow_factory(org) as uow:
            await uow.stock.change(key, change, clock.now())
    expected = StockLevel.empty(key, clock.now())
    with pytest.raises(StockroomError) as domain:
        expected.apply(change, clock.now())
    assert (type(caught.value), caught.value.extra) == (type(domain.value), domain.value.extra)
    async with uow_factory(org) as uow:
        assert await uow.stock.get(key, clock.now()) is None
