"""StockLevel.apply: the single definition of what each stock change may do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain import rules
from domain.errors import (
    CountMismatch,
    InsufficientStock,
    InvalidTransition,
    QuantityOutOfRange,
    ReservedStockConflict,
)
from domain.stock import (
    Adjust,
    Count,
    Fulfil,
    LevelKey,
    Receive,
    Release,
    Reserve,
    Ship,
    StockChange,
    StockLevel,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(seconds=30)


def a_level(on_hand: int, reserved: int = 0) -> StockLevel:
    return StockLevel(
        item_id=uuid4(),
        location_id=uuid4(),
        on_hand=on_hand,
        reserved=reserved,
        version=3,
        updated_at=NOW,
    )


def test_an_empty_level_holds_nothing_and_is_not_stored_yet() -> None:
    key = LevelKey(uuid4(), uuid4())

    level = StockLevel.empty(key, NOW)

    assert (level.key, level.on_hand, level.reserved, level.available) == (key, 0, 0, 0)
    assert level.version == 0


@pytest.mark.parametrize(
    ("change", "on_hand", "reserved"),
    [
        (Receive(5), 15, 4),
        (Ship(6), 4, 4),
        (Adjust(3), 13, 4),
        (Adjust(-6), 4, 4),
        (Count(7), 7, 4),
        (Count(4, expected_on_hand=10), 4, 4),
        (Reserve(6), 10, 10),
        (Release(4), 10, 0),
        (Fulfil(3), 7, 1),
    ],
)
def test_each_change_moves_on_hand_and_reserved_and_bumps_the_version(
    change: StockChange, on_hand: int, reserved: int
) -> None:
    level = a_level(on_hand=10, reserved=4)

    after = level.apply(change, LATER)

    assert (after.on_hand, after.reserved, after.available) == (
        on_hand,
        reserved,
        on_hand - reserved,
    )
    assert (after.version, after.updated_at, after.key) == (4, LATER, level.key)


@pytest.mark.parametrize(
    ("change", "requested"), [(Ship(7), 7), (Reserve(7), 7), (Adjust(-11), 11)]
)
def test_taking_or_holding_more_than_available_is_insufficient_stock(
    change: StockChange, requested: int
) -> None:
    level = a_level(on_hand=10, reserved=4)

    with pytest.raises(InsufficientStock) as refused:
        level.apply(change, LATER)

    [line] = refused.value.extra["lines"]
    assert line == {
        "item_id": str(level.item_id),
        "location_id": str(level.location_id),
        "requested": requested,
        "available": 6,
    }


def test_a_shipment_takes_only_from_available_stock() -> None:
    level = a_level(on_hand=10, reserved=4)

    assert level.apply(Ship(6), LATER).on_hand == 4
    with pytest.raises(InsufficientStock):
        level.apply(Ship(7), LATER)


def test_an_adjustment_that_would_leave_on_hand_below_reserved_is_a_reserved_stock_conflict() -> (
    None
):
    level = a_level(on_hand=10, reserved=4)

    with pytest.raises(ReservedStockConflict) as refused:
        level.apply(Adjust(-7), LATER)

    assert refused.value.extra["reserved"] == 4
    assert refused.value.extra["item_id"] == str(level.item_id)


def test_a_count_below_reserved_is_a_reserved_stock_conflict() -> None:
    level = a_level(on_hand=10, reserved=4)

    assert level.apply(Count(4), LATER).on_hand == 4
    with pytest.raises(ReservedStockConflict):
        level.apply(Count(3), LATER)


def test_a_count_can_raise_on_hand() -> None:
    assert a_level(on_hand=2).apply(Count(9), LATER).on_hand == 9


@pytest.mark.parametrize("change", [Receive(6), Adjust(6)])
def test_no_level_holds_more_than_bigint_can(change: StockChange) -> None:
    full = a_level(rules.MAX_ON_HAND - 5)

    assert full.apply(Receive(5), LATER).on_hand == rules.MAX_ON_HAND
    with pytest.raises(QuantityOutOfRange):
        full.apply(change, LATER)


def test_a_count_whose_expected_on_hand_is_stale_is_a_count_mismatch() -> None:
    level = a_level(on_hand=10)

    with pytest.raises(CountMismatch) as refused:
        level.apply(Count(8, expected_on_hand=9), LATER)

    assert (refused.value.extra["expected_on_hand"], refused.value.extra["on_hand"]) == (9, 10)


@pytest.mark.parametrize("change", [Release(5), Fulfil(5)])
def test_giving_back_more_than_is_reserved_is_an_invalid_transition(change: StockChange) -> None:
    with pytest.raises(InvalidTransition):
        a_level(on_hand=10, reserved=4).apply(change, LATER)


def test_a_refused_change_leaves_the_level_as_it_was() -> None:
    level = a_level(on_hand=10, reserved=4)

    with pytest.raises(InsufficientStock):
        level.apply(Ship(100), LATER)

    assert (level.on_hand, level.reserved, level.version) == (10, 4, 3)
