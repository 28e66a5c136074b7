"""A movement is all-or-nothing, and archived items or locations take no new stock."""

from __future__ import annotations

import pytest

from application.ports import MovementFilter
from application.principal import Principal
from application.queries.stock import ListMovementsHandler
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import Conflict, InsufficientStock
from domain.movements import (
    AdjustmentReason,
    MovementLine,
    MovementRequest,
    MovementType,
    QuantityLine,
)
from tests.unit.conftest import Given


def request(kind: MovementType, *lines: QuantityLine) -> MovementRequest:
    reason = AdjustmentReason.FOUND if kind is MovementType.ADJUSTMENT else None
    return MovementRequest(type=kind, lines=lines, reason=reason)


async def test_when_one_line_fails_no_line_is_applied_and_no_movement_is_stored(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, first = await given.stocked(10)
    second = await given.location()
    await given.receive(item, second, 2)
    before = given.snapshot()
    ledger_before = await ListMovementsHandler(deps)(member, MovementFilter(), None, None)

    with pytest.raises(InsufficientStock) as refused:
        await PostMovementHandler(deps)(
            member,
            request(
                MovementType.SHIPMENT,
                QuantityLine(item.id, first.id, 5),
                QuantityLine(item.id, second.id, 3),
            ),
        )

    assert refused.value.extra["lines"][0]["location_id"] == str(second.id)
    assert given.snapshot() == before
    ledger_after = await ListMovementsHandler(deps)(member, MovementFilter(), None, None)
    assert ledger_after.items == ledger_before.items


async def test_two_lines_on_one_level_together_may_not_exceed_what_is_available(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    before = given.snapshot()

    with pytest.raises(InsufficientStock):
        await PostMovementHandler(deps)(
            member,
            request(
                MovementType.SHIPMENT,
                QuantityLine(item.id, location.id, 6),
                QuantityLine(item.id, location.id, 6),
            ),
        )

    assert given.snapshot() == before


@pytest.mark.parametrize("archived", ["item", "location"])
async def test_an_archived_item_or_location_refuses_receipts(
    deps: Deps, member: Principal, given: Given, archived: str
) -> None:
    item, location = await given.stocked(10)
    await given.archive(item if archived == "item" else location)
    before = given.snapshot()

    with pytest.raises(Conflict) as refused:
        await PostMovementHandler(deps)(
            member, request(MovementType.RECEIPT, QuantityLine(item.id, location.id, 1))
        )

    assert refused.value.code == "conflict"
    assert given.snapshot() == before


async def test_an_archived_item_refuses_a_positive_adjustment(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    await given.archive(item)

    with pytest.raises(Conflict):
        await PostMovementHandler(deps)(
            admin, request(MovementType.ADJUSTMENT, QuantityLine(item.id, location.id, 1))
        )


@pytest.mark.parametrize("archived", ["item", "location"])
async def test_stock_can_still_be_shipped_out_of_an_archived_item_or_location(
    deps: Deps, member: Principal, given: Given, archived: str
) -> None:
    item, location = await given.stocked(10)
    await given.archive(item if archived == "item" else location)

    shipped = (
        await PostMovementHandler(deps)(
            member, request(MovementType.SHIPMENT, QuantityLine(item.id, location.id, 10))
        )
    ).value

    assert shipped.lines == (MovementLine(item.id, location.id, -10, 0),)
