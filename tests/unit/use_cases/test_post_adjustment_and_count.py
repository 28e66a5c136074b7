"""Adjustments (signed, with a reason) and counts (set on_hand; delta = counted - previous)."""

from __future__ import annotations

import pytest

from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import CountMismatch, InsufficientStock, ReservedStockConflict
from domain.movements import (
    AdjustmentReason,
    CountLine,
    MovementLine,
    MovementRequest,
    MovementType,
    QuantityLine,
)
from tests.unit.conftest import Given


def adjustment(*lines: QuantityLine, reason: AdjustmentReason) -> MovementRequest:
    return MovementRequest(type=MovementType.ADJUSTMENT, lines=lines, reason=reason)


def count(*lines: CountLine) -> MovementRequest:
    return MovementRequest(type=MovementType.COUNT, lines=lines)


async def test_an_adjustment_records_its_reason_and_signed_deltas(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)

    lost = (
        await PostMovementHandler(deps)(
            admin, adjustment(QuantityLine(item.id, location.id, -3), reason=AdjustmentReason.LOST)
        )
    ).value
    found = (
        await PostMovementHandler(deps)(
            admin, adjustment(QuantityLine(item.id, location.id, 5), reason=AdjustmentReason.FOUND)
        )
    ).value

    assert (lost.reason, lost.lines) == (
        AdjustmentReason.LOST,
        (MovementLine(item.id, location.id, -3, 7),),
    )
    assert found.lines == (MovementLine(item.id, location.id, 5, 12),)


async def test_an_adjustment_below_zero_is_insufficient_stock(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)

    with pytest.raises(InsufficientStock):
        await PostMovementHandler(deps)(
            admin, adjustment(QuantityLine(item.id, location.id, -11), reason=AdjustmentReason.LOST)
        )


async def test_an_adjustment_leaving_on_hand_below_reserved_is_refused_and_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 6)
    before = given.snapshot()

    with pytest.raises(ReservedStockConflict) as refused:
        await PostMovementHandler(deps)(
            admin,
            adjustment(QuantityLine(item.id, location.id, -5), reason=AdjustmentReason.DAMAGED),
        )

    assert refused.value.code == "reserved_stock_conflict"
    assert given.snapshot() == before


async def test_a_count_sets_on_hand_and_its_delta_is_counted_minus_previous(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    there = await given.location()
    await given.receive(item, there, 2)

    movement = (
        await PostMovementHandler(deps)(
            admin, count(CountLine(item.id, here.id, 7), CountLine(item.id, there.id, 9))
        )
    ).value

    assert movement.lines == (
        MovementLine(item.id, here.id, -3, 7),
        MovementLine(item.id, there.id, 7, 9),
    )
    assert (await given.level(item, here)).on_hand == 7  # type: ignore[union-attr]


async def test_counting_a_level_never_stocked_starts_from_zero(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, location = await given.item(), await given.location()

    movement = (
        await PostMovementHandler(deps)(admin, count(CountLine(item.id, location.id, 4)))
    ).value

    assert movement.lines == (MovementLine(item.id, location.id, 4, 4),)


async def test_a_count_guarded_by_a_stale_expected_on_hand_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    before = given.snapshot()

    with pytest.raises(CountMismatch):
        await PostMovementHandler(deps)(admin, count(CountLine(item.id, location.id, 8, 9)))

    assert given.snapshot() == before
    guarded = (
        await PostMovementHandler(deps)(admin, count(CountLine(item.id, location.id, 8, 10)))
    ).value
    assert guarded.lines == (MovementLine(item.id, location.id, -2, 8),)


async def test_a_count_below_reserved_is_a_reserved_stock_conflict(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 4)

    with pytest.raises(ReservedStockConflict):
        await PostMovementHandler(deps)(admin, count(CountLine(item.id, location.id, 3)))
    at_reserved = (
        await PostMovementHandler(deps)(admin, count(CountLine(item.id, location.id, 4)))
    ).value

    assert at_reserved.lines[0].on_hand_after == 4
