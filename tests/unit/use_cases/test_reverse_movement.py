"""Reversals: a new movement negating every line, linked both ways, at most once."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.reverse_movement import ReverseMovement, ReverseMovementHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.errors import (
    AlreadyReversed,
    InsufficientStock,
    NotFound,
    NotReversible,
    ReservedStockConflict,
)
from domain.movements import (
    Movement,
    MovementLine,
    MovementRequest,
    MovementType,
    QuantityLine,
    TransferLine,
)
from domain.transfers import ItemQuantity
from tests.unit.conftest import Given


async def reverse(deps: Deps, admin: Principal, movement_id: UUID) -> Movement:
    command = ReverseMovement(movement_id=movement_id, note="keyed twice")
    return (await ReverseMovementHandler(deps)(admin, command)).value


async def test_a_reversal_negates_every_line_and_links_both_ways(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    receipt = await given.receive(item, here, 4)

    reversal = await reverse(deps, admin, receipt.id)

    assert (reversal.type, reversal.reverses, reversal.note) == (
        MovementType.REVERSAL,
        receipt.id,
        "keyed twice",
    )
    assert reversal.lines == (MovementLine(item.id, here.id, -4, 10),)
    async with deps.uow(given.org_id) as uow:
        original = await uow.movements.get(receipt.id)
    assert original is not None and original.reversed_by == reversal.id


async def test_a_reversed_transfer_puts_the_stock_back_where_it_was(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    there = await given.location()
    request = MovementRequest(
        type=MovementType.TRANSFER, lines=(TransferLine(item.id, here.id, there.id, 3),)
    )
    transfer = (await PostMovementHandler(deps)(admin, request)).value

    reversal = await reverse(deps, admin, transfer.id)

    assert reversal.lines == (
        MovementLine(item.id, here.id, 3, 10),
        MovementLine(item.id, there.id, -3, 0),
    )


async def test_a_movement_is_reversed_at_most_once(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    receipt = await given.receive(item, here, 4)
    first = await reverse(deps, admin, receipt.id)
    before = given.snapshot()

    with pytest.raises(AlreadyReversed) as refused:
        await reverse(deps, admin, receipt.id)
    assert refused.value.extra == {"reversed_by": str(first.id)}
    assert given.stored() == before


async def test_stock_that_came_in_and_left_since_cannot_be_reversed(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, here = await given.stocked(3)
    receipt = await given.receive(item, here, 4)
    request = MovementRequest(
        type=MovementType.SHIPMENT, lines=(QuantityLine(item.id, here.id, 5),)
    )
    await PostMovementHandler(deps)(admin, request)

    with pytest.raises(InsufficientStock):
        await reverse(deps, admin, receipt.id)


async def test_a_reversal_never_takes_on_hand_below_reserved(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, here = await given.stocked(3)
    receipt = await given.receive(item, here, 4)
    await given.reservation(item, here, 5)

    with pytest.raises(ReservedStockConflict):
        await reverse(deps, admin, receipt.id)


async def test_transfers_in_transit_and_reversals_are_not_reversed(
    deps: Deps, admin: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    there = await given.location()
    command = ShipTransfer(
        from_location_id=here.id, to_location_id=there.id, lines=(ItemQuantity(item.id, 1),)
    )
    shipped = (await ShipTransferHandler(deps)(admin, command)).value
    receipt = await given.receive(item, here, 4)
    reversal = await reverse(deps, admin, receipt.id)

    for movement_id in (shipped.movement_id, reversal.id):
        with pytest.raises(NotReversible):
            await reverse(deps, admin, movement_id)


async def test_an_unknown_movement_is_not_found(deps: Deps, admin: Principal) -> None:
    with pytest.raises(NotFound):
        await reverse(deps, admin, UUID(int=7))
