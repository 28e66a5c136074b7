"""Receipts bring stock in; shipments take it out, only from what is available."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.principal import Principal
from application.queries.stock import GetMovementHandler
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import InsufficientStock, NotFound
from domain.movements import MovementLine, MovementRequest, MovementType, QuantityLine
from tests.unit.conftest import START, Given


def receipt(*lines: QuantityLine, **fields: str) -> MovementRequest:
    return MovementRequest(type=MovementType.RECEIPT, lines=lines, **fields)  # type: ignore[arg-type]


def shipment(*lines: QuantityLine) -> MovementRequest:
    return MovementRequest(type=MovementType.SHIPMENT, lines=lines)


async def test_a_receipt_records_a_ledger_document_and_raises_on_hand(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.item(), await given.location()

    outcome = await PostMovementHandler(deps)(
        member, receipt(QuantityLine(item.id, location.id, 12), reference="PO-7", note="dock 2")
    )

    movement = outcome.value
    assert movement.lines == (MovementLine(item.id, location.id, 12, 12),)
    assert (movement.type, movement.reason, movement.reference, movement.note) == (
        MovementType.RECEIPT,
        None,
        "PO-7",
        "dock 2",
    )
    assert (movement.actor, movement.created_at) == (member.user_id, START)
    assert await GetMovementHandler(deps)(member, movement.id) == movement
    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved, level.available) == (12, 0, 12)


async def test_each_line_reports_on_hand_after_it_in_request_order(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, first, second = await given.item(), await given.location(), await given.location()
    await given.receive(item, second, 5)

    movement = (
        await PostMovementHandler(deps)(
            member,
            receipt(
                QuantityLine(item.id, second.id, 3),
                QuantityLine(item.id, first.id, 4),
                QuantityLine(item.id, second.id, 2),
            ),
        )
    ).value

    assert [(line.location_id, line.delta, line.on_hand_after) for line in movement.lines] == [
        (second.id, 3, 8),
        (first.id, 4, 4),
        (second.id, 2, 10),
    ]


async def test_a_shipment_takes_only_from_available_stock(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    await given.reservation(item, location, 4)

    shipped = (
        await PostMovementHandler(deps)(member, shipment(QuantityLine(item.id, location.id, 6)))
    ).value

    assert shipped.lines == (MovementLine(item.id, location.id, -6, 4),)
    with pytest.raises(InsufficientStock) as refused:
        await PostMovementHandler(deps)(member, shipment(QuantityLine(item.id, location.id, 1)))
    [line] = refused.value.extra["lines"]
    assert (line["requested"], line["available"]) == (1, 0)
    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved) == (4, 4)


async def test_shipping_from_a_level_that_never_held_stock_is_insufficient_stock(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.item(), await given.location()

    with pytest.raises(InsufficientStock):
        await PostMovementHandler(deps)(member, shipment(QuantityLine(item.id, location.id, 1)))

    assert await given.level(item, location) is None


async def test_a_movement_naming_an_unknown_item_or_location_is_not_found(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.item(), await given.location()
    before = given.snapshot()

    for line in (QuantityLine(uuid4(), location.id, 1), QuantityLine(item.id, uuid4(), 1)):
        with pytest.raises(NotFound):
            await PostMovementHandler(deps)(member, receipt(line))

    assert given.snapshot() == before
